import t from 'tap'
import { listConfFiles, loadConf } from '../support/fs-conf.js'

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
