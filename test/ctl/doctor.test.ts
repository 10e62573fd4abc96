import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'
import t, { type Test } from 'tap'
import { FreeswitchSimulator, type InboundServer } from '../support/freeswitch/index.js'
import { ctlFixture } from './fixture.js'
import { migrations } from '../../lib/store/migrations.js'

/** Real `xml_locate` replies of FreeSWITCH 1.11 (test/fixtures/freeswitch/README.md). */
async function capture(name: string): Promise<string> {
  return readFile(join(import.meta.dirname, '../fixtures/freeswitch', name), 'utf8')
}
/** Vanilla default.xml untouched, our snippets copied in: the state a newcomer reaches first. */
const snippetsCopied = await capture('xml-locate-dialplan-snippets-copied.xml')
/** default.xml fixed as freeswitch-xml/README.md says. */
const fixedDialplan = await capture('xml-locate-dialplan-voicemaild.xml')
/** Vanilla's directory: one domain, 127.0.0.1 (the local IP). */
const directory = await capture('xml-locate-directory-vanilla.xml')

async function freeswitch(
  t: Test,
  options: { modVoicemail: boolean; dialplan: string; password?: string },
): Promise<InboundServer> {
  const sim = new FreeswitchSimulator()
  t.teardown(() => sim.close())
  return sim.listen({
    ...(options.password === undefined ? {} : { password: options.password }),
    api: (cmd, args) =>
      cmd === 'module_exists' ? String(args === 'mod_voicemail' && options.modVoicemail) : undefined,
    xml: { dialplan: options.dialplan, directory },
    globals: { domain: '127.0.0.1' },
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
  const fs = await freeswitch(t, { modVoicemail: false, dialplan: fixedDialplan })
  const port = await smtp(t)
  const f = await ctlFixture(
    t,
    `defaultDomain: 127.0.0.1\nfreeswitch: [{ host: 127.0.0.1, port: ${fs.port}, password: ClueCon }]\nsmtp: { host: 127.0.0.1, port: ${port}, secure: false }`,
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
  t.match(checkOf(r.json, /mod_voicemail routes/), { status: 'ok' })
  t.match(checkOf(r.json, /domains/), {
    status: 'ok',
    detail: 'voicemaild serves 127.0.0.1, which FreeSWITCH knows',
  })
  t.match(checkOf(r.json, /^smtp$/), { status: 'ok' })
  const text = await f.run(['doctor'])
  t.match(text.stdout, /^OK {4}config/m)
  t.match(text.stdout, /0 failed/)
})

void t.test("a newcomer's first try on real vanilla FreeSWITCH: every trap is found, exit 1", async (t) => {
  // mod_voicemail loaded, our snippets copied but vanilla's default.xml untouched, the example's domain kept.
  const fs = await freeswitch(t, { modVoicemail: true, dialplan: snippetsCopied })
  const f = await ctlFixture(
    t,
    `defaultDomain: pbx.example.com\nfreeswitch: [{ host: 127.0.0.1, port: ${fs.port}, password: ClueCon }]`,
  )
  const r = await f.run(['doctor', '--json'])
  t.equal(r.code, 1)
  t.match(r.json, { healthy: false })
  t.match(checkOf(r.json, /mod_voicemail$/), { status: 'fail', detail: /mod_voicemail is loaded/ })
  t.match(checkOf(r.json, /feature codes/), {
    status: 'fail',
    detail:
      /5000 goes to "ivr_demo" before "voicemaild_menu"; 5001 goes to "dynamic_conference" before "voicemaild_check"/,
  })
  t.match(checkOf(r.json, /mod_voicemail routes/), {
    status: 'fail',
    detail:
      /^default\/Local_Extension \(loopback\/app=voicemail\), default\/Local_Extension_Skinny \(loopback\/app=voicemail\), default\/vmain \(voicemail\) still run/,
  })
  t.match(checkOf(r.json, /domains/), {
    status: 'warn',
    detail: /FreeSWITCH's domains \(127\.0\.0\.1\) and voicemaild's \(pbx\.example\.com\) share nothing/,
  })
  t.match(checkOf(r.json, /^database$/), { status: 'warn', detail: /does not exist yet/ })
  t.match(checkOf(r.json, /^mail$/), { status: 'ok', detail: /mail-spool/ })
  const text = await f.run(['doctor'])
  t.match(text.stdout, /^FAIL {2}freeswitch .* mod_voicemail /m)
  t.match(text.stdout, /^FAIL {2}freeswitch .* mod_voicemail routes /m)
  t.match(text.stdout, /^WARN {2}freeswitch .* domains /m)
  t.match(text.stdout, /3 failed/)
})

void t.test('domains: boxes already in the database count as ours', async (t) => {
  const fs = await freeswitch(t, { modVoicemail: false, dialplan: fixedDialplan })
  const f = await ctlFixture(
    t,
    `defaultDomain: pbx.example.com\nfreeswitch: [{ host: 127.0.0.1, port: ${fs.port}, password: ClueCon }]`,
  )
  t.equal((await f.run(['mailbox', 'add', '1000', '--domain', '127.0.0.1'])).code, 0)
  const r = await f.run(['doctor', '--json'])
  t.match(checkOf(r.json, /domains/), {
    status: 'ok',
    detail:
      /serves 127\.0\.0\.1, which FreeSWITCH knows; defaultDomain pbx\.example\.com is not one of FreeSWITCH's domains; pbx\.example\.com unknown/,
  })
})

void t.test(
  'a FreeSWITCH that cannot show its dialplan or directory gets warnings, not failures',
  async (t) => {
    const sim = new FreeswitchSimulator()
    t.teardown(() => sim.close())
    // No xml sections: FreeSWITCH answers "can't find anything"; no globals: "-ERR no reply".
    const fs = await sim.listen({ globals: {} })
    const f = await ctlFixture(t, `freeswitch: [{ host: 127.0.0.1, port: ${fs.port}, password: ClueCon }]`)
    const r = await f.run(['doctor', '--json'])
    t.match(checkOf(r.json, /feature codes/), { status: 'warn', detail: /cannot read the dialplan/ })
    t.match(checkOf(r.json, /mod_voicemail routes/), { status: 'warn', detail: /cannot read the dialplan/ })
    t.match(checkOf(r.json, /domains/), { status: 'warn', detail: /cannot read FreeSWITCH's domains/ })
  },
)

void t.test('FreeSWITCH unreachable, wrong password, SMTP down', async (t) => {
  const fs = await freeswitch(t, { modVoicemail: false, dialplan: fixedDialplan, password: 'secret' })
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
