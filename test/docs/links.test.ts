import t from 'tap'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { repoRoot } from '../support/fs-conf.js'
import { githubSlug, headingAnchors, links, listDocs } from '../support/markdown.js'

// The docs are split by reader (README.md, docs/, BENCHMARKS.md) and point at each other: a moved file or a renamed
// heading must fail here, with the file, line and link, not on a reader's click.

void t.test('anchors follow GitHub', (t) => {
  t.equal(githubSlug('Dialplan: `socket … async full`'), 'dialplan-socket--async-full')
  t.equal(githubSlug('Switching over from mod_voicemail'), 'switching-over-from-mod_voicemail')
  t.equal(
    githubSlug('Operations: voicemailctl, scheduled jobs, backup'),
    'operations-voicemailctl-scheduled-jobs-backup',
  )
  t.equal(githubSlug('Configuration (`http:`)'), 'configuration-http')
  t.equal(
    githubSlug('On the real FreeSWITCH (`npm run bench -- --real`)'),
    'on-the-real-freeswitch-npm-run-bench------real',
  )
  t.same(headingAnchors('# A\n\n```sh\n# not a heading\n```\n\n## PINs\n\n#### PINs\n'), [
    'a',
    'pins',
    'pins-1',
  ])
  t.same(
    links(
      'See [a\nb](x.md#c), `[no](code.md)`, ![img](i.png "t").\n\n```\n[no](fence.md)\n```\n[ref]: r.md\n',
    ),
    [
      { line: 1, target: 'x.md#c' },
      { line: 2, target: 'i.png' },
      { line: 7, target: 'r.md' },
    ],
  )
  t.end()
})

const anchorsOf = new Map<string, Set<string>>()
const anchorsIn = (file: string): Set<string> => {
  let anchors = anchorsOf.get(file)
  if (anchors === undefined) {
    anchors = new Set(headingAnchors(readFileSync(file, 'utf8')))
    anchorsOf.set(file, anchors)
  }
  return anchors
}

for (const doc of listDocs()) {
  void t.test(`${doc}: every relative link resolves`, (t) => {
    const from = join(repoRoot, doc)
    let checked = 0
    for (const { line, target } of links(readFileSync(from, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue // http:, https:, mailto:
      checked++
      const hash = target.indexOf('#')
      const path = hash === -1 ? target : target.slice(0, hash)
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1))
      const file = path === '' ? from : join(dirname(from), decodeURIComponent(path))
      const where = `${doc}:${line}: (${target})`
      if (!existsSync(file)) {
        t.fail(`${where}: ${relative(repoRoot, file)} does not exist`)
        continue
      }
      if (anchor === undefined || !file.endsWith('.md') || statSync(file).isDirectory()) continue
      if (!anchorsIn(file).has(anchor)) {
        t.fail(`${where}: no heading #${anchor} in ${relative(repoRoot, file)}`)
      }
    }
    t.pass(`${checked} relative links checked`)
    t.end()
  })
}
