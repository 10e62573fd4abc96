import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { confRoot, listConfFiles, loadConf, repoRoot } from '../support/fs-conf.js'
import { listDocs } from '../support/markdown.js'
import { parseXml } from '../support/xml.js'

// FreeSWITCH refuses to load (or silently truncates) a configuration with one bad file: every shipped file must
// parse, and each kind of file must have the root element the file that includes it expects.
const expectedRoot = (file: string): string => {
  if (file.startsWith('autoload_configs/')) return 'configuration'
  return 'include'
}

const files = listConfFiles()

void t.test('the shipped tree mirrors conf/', (t) => {
  t.same(
    files,
    [
      'autoload_configs/event_socket.conf.xml',
      'autoload_configs/modules.conf.xml.noload',
      'dialplan/default/00_voicemaild.xml',
      'dialplan/public/00_voicemaild.xml',
      'directory/default/100.xml',
      'directory/default/101.xml',
      'directory/default/102.xml',
      'ivr_menus/voicemaild_main.xml',
    ],
    'exactly the documented files are shipped',
  )
  t.end()
})

for (const file of files) {
  void t.test(file, (t) => {
    const root = loadConf(file)
    t.equal(root.name, expectedRoot(file), 'is well-formed with the expected root element')
    t.end()
  })
}

void t.test('the XML examples in the documentation are well-formed', (t) => {
  // README.md, freeswitch-xml/README.md, BENCHMARKS.md and every page under docs/.
  for (const doc of listDocs()) {
    const text = readFileSync(join(repoRoot, doc), 'utf8')
    const blocks = [...text.matchAll(/```xml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')
    for (const [i, block] of blocks.entries()) {
      t.doesNotThrow(() => parseXml(`<example>${block}</example>`), `${doc} example ${i + 1} parses`)
    }
  }
  t.end()
})

// FreeSWITCH's preprocessor (switch_xml.c preprocess()) works line by line before the XML parser: it drops every
// line containing "<include>", "</include>" or "<?", runs X-PRE-PROCESS wherever it appears (comments included)
// and strips "<!--#" comments. A line with anything else beside those tokens would lose it.
void t.test('the files survive the FreeSWITCH preprocessor', (t) => {
  for (const file of files) {
    const lines = readFileSync(join(confRoot, file), 'utf8').split('\n')
    lines.forEach((line, i) => {
      if (/<include>|<\/include>|<\?/.test(line)) {
        t.match(
          line.trim(),
          /^(<include>|<\/include>|<\?xml [^>]*\?>)$/,
          `${file}:${i + 1} is dropped whole, harmlessly`,
        )
      }
    })
    t.notOk(/x-(no-)?pre-process|<!--#/i.test(lines.join('\n')), `${file} has no preprocessor directive`)
  }
  t.end()
})
