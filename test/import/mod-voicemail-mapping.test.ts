import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import wavefile from 'wavefile'
import { AudioConversionError } from '../../lib/audio/errors.js'
import { voicemailConverter } from '../../lib/import/audio-converter.js'
import {
  choosePin,
  settingsFromDirectory,
  switchFalse,
  switchTrue,
} from '../../lib/import/mod-voicemail/box-settings.js'
import {
  readDirectoryFiles,
  usersFromDirectoryXml,
  type DirectoryUser,
} from '../../lib/import/mod-voicemail/directory.js'
import { derivedUuid } from '../../lib/import/mod-voicemail/uuids.js'
import { readWavHeader } from '../../lib/store/wav.js'

const user = (params: Record<string, string>, variables: Record<string, string> = {}): DirectoryUser => ({
  id: '1000',
  domain: 'pbx.test',
  params: new Map(Object.entries(params)),
  variables: new Map(Object.entries(variables)),
})
const prefs = (password: string) => ({
  username: '1000',
  domain: 'pbx.test',
  namePath: '',
  greetingPath: '',
  password,
})

void t.test(
  'directory XML: domain, group and user params merge; pointers and unresolved values are skipped',
  (t) => {
    const xml = `<section name="directory">
    <domain name="PBX.test">
      <params><param name="vm-attach-file" value="true"/><param name="vm-mailto" value="all@pbx.test"/></params>
      <groups>
        <group name="default"><params><param name="vm-disk-quota" value="60"/></params><users>
          <user id="1000"><params><param name="vm-mailto" value="alice@pbx.test"/><param name="vm-password" value="$\${pin}"/></params>
            <gateways><gateway name="x"><param name="vm-password" value="9999"/></gateway></gateways></user>
          <user id="1001"/>
        </users></group>
        <group name="sales"><users><user id="1000" type="pointer"/></users></group>
      </groups>
    </domain>
    <domain name="$\${domain}"><users><user id="2000"/></users></domain>
  </section>`
    const read = usersFromDirectoryXml(xml, undefined)
    t.same(
      read.users.map((u) => [u.id, u.domain, Object.fromEntries(u.params)]),
      [
        [
          '1000',
          'pbx.test',
          { 'vm-attach-file': 'true', 'vm-mailto': 'alice@pbx.test', 'vm-disk-quota': '60' },
        ],
        [
          '1001',
          'pbx.test',
          { 'vm-attach-file': 'true', 'vm-mailto': 'all@pbx.test', 'vm-disk-quota': '60' },
        ],
      ],
    )
    t.match(read.notes, [/vm-password.*preprocessor variable/, /give --domain/])
    t.same(
      usersFromDirectoryXml(xml, 'other.test').users.map((u) => `${u.id}@${u.domain}`),
      ['1000@pbx.test', '1001@pbx.test', '2000@other.test'],
    )
    t.end()
  },
)

void t.test(
  'directory files: a folder is read in order, users outside a domain go to the given domain',
  async (t) => {
    const dir = t.testdir()
    await mkdir(join(dir, 'default'), { recursive: true })
    await writeFile(
      join(dir, 'default', '1000.xml'),
      '<include><user id="1000"><params><param name="vm-password" value="4821"/></params></user></include>',
    )
    await writeFile(join(dir, 'default', '1001.xml'), '<include><user id="1001"/><user id="1000"/></include>')
    await writeFile(join(dir, 'default', 'notes.txt'), 'ignored')
    const read = await readDirectoryFiles(dir, 'pbx.test')
    t.same(
      read.users.map((u) => `${u.id}@${u.domain}:${u.params.get('vm-password') ?? ''}`),
      ['1000@pbx.test:4821', '1001@pbx.test:'],
    )
    const one = await readDirectoryFiles(join(dir, 'default', '1000.xml'), 'pbx.test')
    t.equal(one.users.length, 1)
    await t.rejects(readDirectoryFiles(join(dir, 'nope'), 'pbx.test'), /no directory file or folder/)
  },
)

void t.test("FreeSWITCH's true and false", (t) => {
  for (const v of ['yes', 'ON', 'true', 't', 'enabled', 'active', 'allow', '1', '42']) t.ok(switchTrue(v), v)
  for (const v of ['no', 'off', 'false', 'x', '0', '', undefined]) t.notOk(switchTrue(v), String(v))
  for (const v of ['no', 'OFF', 'false', 'f', 'disabled', 'inactive', 'disallow', '0'])
    t.ok(switchFalse(v), v)
  for (const v of ['yes', '1', 'maybe', undefined]) t.notOk(switchFalse(v), String(v))
  t.end()
})

void t.test(
  'settings: mail only when mod_voicemail mailed by itself, notify addresses, quota in seconds',
  (t) => {
    t.match(settingsFromDirectory(user({ 'vm-mailto': 'a@x.test' })), {
      email: [],
      notes: [/mailed only on request/],
    })
    t.match(
      settingsFromDirectory(
        user({
          'vm-mailto': 'a@x.test,b@x.test',
          'vm-email-all-messages': 'true',
          'vm-notify-mailto': 'c@x.test',
          'vm-notify-email-all-messages': '1',
        }),
      ),
      { email: ['a@x.test', 'b@x.test', 'c@x.test'], notes: [/notify-mailto now gets the same mail/] },
    )
    t.match(
      settingsFromDirectory(user({ 'vm-notify-email-all-messages': 'true', 'vm-mailto': 'a@x.test' })),
      { email: ['a@x.test'] },
    )
    t.match(
      settingsFromDirectory(
        user(
          {
            'vm-keep-local-after-email': 'false',
            'vm-attach-file': 'no',
            'vm-enabled': 'off',
            'vm-disk-quota': '90',
            'mwi-account': '800@pbx.test',
          },
          { timezone: 'Europe/Paris' },
        ),
      ),
      {
        keepAfterEmail: false,
        attachAudio: false,
        enabled: false,
        quotaBytes: 90 * 16000,
        mwiAccount: '800@pbx.test',
        timezone: 'Europe/Paris',
      },
    )
    t.equal(
      settingsFromDirectory(user({})).email,
      undefined,
      'no mail params: an existing box keeps its recipients',
    )
    t.end()
  },
)

void t.test('PIN: phone over directory over SIP password; weak ones temporary; untypeable ones none', (t) => {
  t.match(choosePin('1000', user({ 'vm-password': '5739' }), prefs('4821')), {
    kind: 'pin',
    pin: '4821',
    source: 'phone',
    temporary: false,
  })
  t.match(choosePin('1000', user({ 'vm-password': '1000' }), prefs('')), {
    kind: 'pin',
    source: 'directory',
    temporary: true,
    weak: 'mailbox-number',
  })
  t.match(choosePin('1000', user({ 'vm-password': '1111' }), undefined), {
    temporary: true,
    weak: 'repeated',
  })
  t.match(choosePin('1000', user({ 'vm-password': '12' }), undefined), {
    kind: 'pin',
    temporary: true,
    weak: 'too-short',
  })
  t.match(choosePin('1000', user({ 'vm-password': 'User-Choose' }), undefined), {
    kind: 'none',
    reason: /user-choose/,
  })
  t.match(choosePin('1000', user({ 'vm-a1-hash': 'abc' }), undefined), { kind: 'none', reason: /a1-hash/ })
  t.match(choosePin('1000', user({ password: '5739' }), undefined), {
    kind: 'pin',
    source: 'sip-password',
    temporary: true,
  })
  t.match(choosePin('1000', user({ password: 's3cret!' }), undefined), {
    kind: 'none',
    reason: /no voicemail password/,
  })
  t.match(choosePin('1000', user({ 'vm-password': '12345678901' }), undefined), {
    kind: 'none',
    reason: /not 1-10 digits/,
  })
  t.match(choosePin('1000', undefined, undefined), { kind: 'none' })
  t.end()
})

void t.test('derived uuids are stable, distinct and well-formed', (t) => {
  t.equal(derivedUuid('a'), derivedUuid('a'))
  t.not(derivedUuid('a'), derivedUuid('b'))
  t.match(derivedUuid('a'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.end()
})

void t.test(
  'the converter: 48 kHz stereo, 24-bit, µ-law → 8 kHz mono 16-bit; what is not audio is refused',
  async (t) => {
    const check = async (w: InstanceType<typeof wavefile.WaveFile>, ms: number): Promise<void> => {
      const out = await voicemailConverter.convert(Buffer.from(w.toBuffer()))
      const info = readWavHeader(out, out.length)
      t.match(info, { format: 1, sampleRate: 8000, channels: 1, bitsPerSample: 16 })
      t.ok(Math.abs(info.durationMs - ms) <= 2, `length kept (${info.durationMs} ms)`)
    }
    const stereo = new wavefile.WaveFile()
    const tone = new Int16Array(48000).map((_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48000)),
    )
    stereo.fromScratch(2, 48000, '16', [tone, tone])
    await check(stereo, 1000)
    const deep = new wavefile.WaveFile()
    deep.fromScratch(1, 16000, '24', new Int32Array(8000).fill(100000))
    await check(deep, 500)
    const ulaw = new wavefile.WaveFile()
    ulaw.fromScratch(1, 8000, '16', new Int16Array(8000).fill(1000))
    ulaw.toMuLaw()
    await check(ulaw, 1000)
    await t.rejects(voicemailConverter.convert(Buffer.from('not audio at all')), AudioConversionError)
  },
)
