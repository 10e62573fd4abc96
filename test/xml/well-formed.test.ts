import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { listConfFiles, loadConf, repoRoot } from '../support/fs-conf.js'
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
  for (const doc of ['freeswitch-xml/README.md', 'docs/freeswitch.md']) {
    const text = readFileSync(join(repoRoot, doc), 'utf8')
    const blocks = [...text.matchAll(/```xml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')
    for (const [i, block] of blocks.entries()) {
      t.doesNotThrow(() => parseXml(`<example>${block}</example>`), `${doc} example ${i + 1} parses`)
    }
  }
  t.end()
})
