import { join } from 'node:path'
import t, { type Test } from 'tap'
import { FreeswitchSimulator } from '../support/freeswitch/index.js'
import { ctlFixture } from '../ctl/fixture.js'
import { directoryXml, messageRow, modVoicemailFixture, voicemailWav } from './mod-voicemail-fixture.js'

const D = 'pbx.test'

/** A FreeSWITCH (the simulator) that says where mod_voicemail's data is, as `global_getvar` and `xml_locate` do. */
async function scenario(t: Test, answers: { dbDir?: string; modVoicemail: boolean }) {
  const where = { db: '', storage: '' }
  const sim = new FreeswitchSimulator()
  t.teardown(() => sim.close())
  const fs = await sim.listen({
    api: (cmd, args) => {
      if (cmd === 'global_getvar' && args === 'db_dir') return answers.dbDir ?? where.db
      if (cmd === 'global_getvar' && args === 'storage_dir') return where.storage
      if (cmd === 'xml_locate' && args === 'directory') {
        return directoryXml(D, { '1000': { params: { 'vm-password': '4821' } } })
      }
      if (cmd === 'module_exists') return answers.modVoicemail ? 'true' : 'false'
      return undefined
    },
  })
  const f = await ctlFixture(t, `freeswitch: [{ host: 127.0.0.1, port: ${fs.port}, password: ClueCon }]`)
  const vm = await modVoicemailFixture(f.dir)
  where.db = join(f.dir, 'fs', 'db')
  where.storage = vm.storage
  const file = await vm.file(join(vm.boxDir(D, '1000'), 'msg_1.wav'), voicemailWav(3000))
  await vm.insert('voicemail_msgs', messageRow({ file_path: file }))
  return { f, vm }
}

void t.test('without options the running FreeSWITCH says where the data is; lamps announced', async (t) => {
  const { f } = await scenario(t, { modVoicemail: true })
  const r = await f.run(['import', 'mod-voicemail', '--json'])
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.match(r.json, {
    source: { db: /fs\/db\/voicemail_default\.db$/ },
    summary: { boxes: { create: 1 }, messages: { imported: 1 } },
    lampsAnnounced: true,
    notes: [/mod_voicemail is still loaded: switch the dialplan/],
  })
  const store = await f.store()
  t.ok(await store.mailboxes.find(D, '1000'))
})

void t.test('another profile names another database', async (t) => {
  const { f } = await scenario(t, { modVoicemail: false })
  const other = await f.run(['import', 'mod-voicemail', '--profile', 'sales', '--dry-run'])
  t.equal(other.code, 1)
  t.match(other.stderr, /no mod_voicemail database at .*voicemail_sales\.db/)
})

void t.test('a FreeSWITCH that refuses a question is reported', async (t) => {
  const { f } = await scenario(t, { modVoicemail: false, dbDir: '-ERR no reply' })
  const r = await f.run(['import', 'mod-voicemail', '--json'])
  t.match(r.json, { ok: false, error: { code: 'freeswitch', message: /global_getvar db_dir/ } })
})
