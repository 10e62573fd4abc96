import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'
import t, { type Test } from 'tap'
import { FreeswitchSimulator, type InboundServer } from '../support/freeswitch/index.js'
import { ctlFixture } from './fixture.js'
import { migrations } from '../../lib/store/migrations.js'

const snippets = await readFile(
  join(import.meta.dirname, '../../freeswitch-xml/dialplan/default/00_voicemaild.xml'),
  'utf8',
)
const ours = snippets.replace(/<\?xml[^>]*\?>/, '').replace(/<\/?include>/g, '')

/** What `xml_locate dialplan` prints, with vanilla's 5000/5001 extensions before the include when `vanilla`. */
function dialplan(vanilla: boolean): string {
  const vanillaExtensions = `
    <extension name="unloop"><condition field="\${unroll_loops}" expression="^true$"/></extension>
    <extension name="ivr_demo">
      <condition field="destination_number" expression="^5000$">
        <action application="answer"/><action application="ivr" data="demo_ivr"/>
      </condition>
    </extension>
    <extension name="dynamic_conference">
      <condition field="destination_number" expression="^5001$">
        <action application="conference" data="5001@default"/>
      </condition>
    </extension>`
  return `<document type="freeswitch/xml">
  <section name="dialplan" description="Regex/XML Dialplan">
    <context name="public"><extension name="x"><condition field="destination_number" expression="^5001$"/></extension></context>
    <context name="default">${vanilla ? vanillaExtensions : ''}${ours}</context>
  </section>
</document>`
}

async function freeswitch(
  t: Test,
  options: { modVoicemail: boolean; vanilla: boolean; password?: string },
): Promise<InboundServer> {
  const sim = new FreeswitchSimulator()
  t.teardown(() => sim.close())
  return sim.listen({
    ...(options.password === undefined ? {} : { password: options.password }),
    api: (cmd, args) => {
      if (cmd === 'module_exists') return args === 'mod_voicemail' && options.modVoicemail ? 'true' : 'false'
      if (cmd === 'xml_locate' && args === 'dialplan') return dialplan(options.vanilla)
      return undefined
    },
  })
}

async function smtp(t: Test): Promise<number> {
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return (server.server.address() as { port: number }).port
}

function checkOf(
  json: Record<string, unknown>,
  name: RegExp,
): { status: string; detail: string } | undefined {
  const checks = json.checks as Array<{ check: string; status: string; detail: string }>
  return checks.find((c) => name.test(c.check))
}

void t.test('a healthy installation: every check ok, exit 0', async (t) => {
  const fs = await freeswitch(t, { modVoicemail: false, vanilla: false })
  const port = await smtp(t)
  const f = await ctlFixture(
    t,
    `freeswitch: [{ host: 127.0.0.1, port: ${fs.port}, password: ClueCon }]\nsmtp: { host: 127.0.0.1, port: ${port}, secure: false }`,
  )
  await f.run(['mailbox', 'add', '100']) // creates the database
  const r = await f.run(['doctor', '--json'])
  t.equal(r.code, 0, r.stdout)
  t.match(r.json, { ok: true, healthy: true })
  t.match(checkOf(r.json, /^config$/), { status: 'ok' })
  t.match(checkOf(r.json, /^state directory$/), { status: 'ok' })
  t.match(checkOf(r.json, /^database$/), {
    status: 'ok',
    detail: new RegExp(`schema version ${migrations.length} \\(current\\)`),
  })
  t.match(checkOf(r.json, /^freeswitch [^ ]+$/), {
    status: 'ok',
    detail: /authenticated, FreeSWITCH 1\.11\.3-dev/,
  })
  t.match(checkOf(r.json, /mod_voicemail/), { status: 'ok', detail: 'not loaded' })
  t.match(checkOf(r.json, /feature codes/), {
    status: 'ok',
    detail: /5001, 5000.* reach voicemaild|5000, 5001.* reach voicemaild/,
  })
  t.match(checkOf(r.json, /^smtp$/), { status: 'ok' })
  const text = await f.run(['doctor'])
  t.match(text.stdout, /^OK {4}config/m)
  t.match(text.stdout, /0 failed/)
})

void t.test('mod_voicemail loaded and vanilla 5000/5001 first: both fail, exit 1', async (t) => {
  const fs = await freeswitch(t, { modVoicemail: true, vanilla: true })
  const f = await ctlFixture(t, `freeswitch: [{ host: 127.0.0.1, port: ${fs.port}, password: ClueCon }]`)
  const r = await f.run(['doctor', '--json'])
  t.equal(r.code, 1)
  t.match(r.json, { healthy: false })
  t.match(checkOf(r.json, /mod_voicemail/), { status: 'fail', detail: /mod_voicemail is loaded/ })
  t.match(checkOf(r.json, /feature codes/), {
    status: 'fail',
    detail:
      /5001 goes to "dynamic_conference" before "voicemaild_check".*5000 goes to "ivr_demo" before "voicemaild_menu"|5000 goes to "ivr_demo"/,
  })
  t.match(checkOf(r.json, /^database$/), { status: 'warn', detail: /does not exist yet/ })
  t.match(checkOf(r.json, /^mail$/), { status: 'ok', detail: /mail-spool/ })
  const text = await f.run(['doctor'])
  t.match(text.stdout, /^FAIL {2}freeswitch .* mod_voicemail/m)
  t.match(text.stdout, /2 failed/)
})

void t.test('FreeSWITCH unreachable, wrong password, SMTP down', async (t) => {
  const fs = await freeswitch(t, { modVoicemail: false, vanilla: false, password: 'secret' })
  const f = await ctlFixture(
    t,
    [
      'freeswitch:',
      `  - { host: 127.0.0.1, port: ${fs.port}, password: wrong }`,
      '  - { host: 127.0.0.1, port: 1, password: ClueCon }',
      'smtp: { host: 127.0.0.1, port: 1, secure: false }',
    ].join('\n'),
  )
  const r = await f.run(['doctor', '--json'])
  t.equal(r.code, 1)
  t.match(checkOf(r.json, new RegExp(`freeswitch 127\\.0\\.0\\.1:${fs.port}$`)), {
    status: 'fail',
    detail: /password refused/,
  })
  t.match(checkOf(r.json, /freeswitch 127\.0\.0\.1:1$/), { status: 'fail', detail: /connection refused/ })
  t.match(checkOf(r.json, /^smtp$/), { status: 'fail', detail: /127\.0\.0\.1:1/ })
})

void t.test('an invalid config is a failed check, not a crash', async (t) => {
  const f = await ctlFixture(t, 'retention: { savedDays: -1 }')
  const r = await f.run(['doctor', '--json'])
  t.equal(r.code, 1)
  t.match(r.json, {
    healthy: false,
    checks: [{ check: 'config', status: 'fail', detail: /retention\.savedDays/ }],
  })
})
