/**
 * The switch-over from mod_voicemail on the real FreeSWITCH, as docs/operator-guide.md's "Switching over from mod_voicemail"
 * tells an operator: mod_voicemail runs alone first (no daemon: its lamps would race the daemon's), callers leave
 * messages through its own `voicemail` application (one urgent), the owner records a greeting and a name, sets a
 * PIN by phone and saves one message; then mod_voicemail is unloaded, the daemon starts and `voicemailctl import
 * mod-voicemail` runs with FreeSWITCH telling it where the data is. The owner then logs in on 5001 with the old
 * PIN and hears the old messages as they were, the next caller hears the old greeting and the phone's lamp shows
 * the imported counts.
 */
import { join } from 'node:path'
import t from 'tap'
import { readSourceDb } from '../../lib/import/mod-voicemail/source-db.js'
import { readWavHeader } from '../../lib/store/wav.js'
import { readFile } from 'node:fs/promises'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import {
  ChannelScript,
  modVoicemailConf,
  modVoicemailDialplan,
} from '../support/real-freeswitch/mod-voicemail.js'
import { DOMAIN, startPbx, type Pbx } from '../support/real-freeswitch/pbx.js'
import { spawnEntry } from '../support/spawn-daemon.js'

const BOX = '1050'
const OLD_PIN = '7394'
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * How long the test "speaks" into a mod_voicemail recording. With record-sample-rate 16000 on an 8 kHz call,
 * mod_voicemail measures a recording as half its length (samples at the call's rate divided by 16000: seen on
 * 1.11, "Message is less than minimum record length: 3" for a 5 s message), so 7 s clear its 3 s minimum.
 */
const SPEAK_MS = 7000

/** A caller leaves a message with mod_voicemail: speaks (the tone), `#`, 2 = save, then `*` urgent or `#`. */
async function leaveWithModVoicemail(pbx: Pbx, callerIdNumber: string, urgent: boolean): Promise<void> {
  const call = await pbx.call(`77${BOX}`, { callerIdNumber, callerIdName: `Caller ${callerIdNumber}` })
  const script = new ChannelScript(pbx.esl, call.b)
  await script.recording()
  await sleep(SPEAK_MS)
  await call.dtmf('#')
  await script.prompt(/vm-listen_to_recording/)
  await call.dtmf('2')
  await script.prompt(/vm-mark-urgent/)
  await call.dtmf(urgent ? '*' : '#')
  await call.ended()
}

if (realTierAvailable(t)) {
  t.setTimeout(400_000)
  void t.test(
    'mod_voicemail data imported: old PIN, messages, greeting and lamp work in voicemaild',
    async (t) => {
      const pbx = await startPbx(t, {
        daemon: false,
        keepModVoicemail: true,
        users: {
          [BOX]: [
            '    <params>',
            '      <param name="password" value="$${default_password}"/>',
            `      <param name="vm-password" value="${BOX}"/>`,
            '      <param name="vm-disk-quota" value="600"/>',
            '    </params>',
            '    <variables>',
            '      <variable name="user_context" value="default"/>',
            '      <variable name="effective_caller_id_name" value="Carol"/>',
            '    </variables>',
          ].join('\n'),
        },
        defaultDialplan: { '01_test_mod_voicemail.xml': modVoicemailDialplan(DOMAIN) },
        // A wideband PBX's files: mod_voicemail records at 16 kHz, the import converts them.
        customizeConf: modVoicemailConf(16000),
      })
      await pbx.esl.subscribe('PLAYBACK_START RECORD_START')

      // mod_voicemail alone: three messages (the second urgent), each in a later second than the one before.
      await leaveWithModVoicemail(pbx, '5550101', false)
      await leaveWithModVoicemail(pbx, '5550102', true)
      await leaveWithModVoicemail(pbx, '5550103', false)

      // The owner: old directory PIN, greeting 1, name, a new PIN by phone, then saves the second message it hears.
      const owner = await pbx.call(`78${BOX}`)
      const s = new ChannelScript(pbx.esl, owner.b)
      await s.prompt(/vm-enter_pass/)
      await owner.dtmf(`${BOX}#`)
      await s.prompt(/vm-listen_new/)
      await owner.dtmf('5')
      await s.prompt(/vm-to_record_greeting/)
      await owner.dtmf('1')
      await s.prompt(/vm-choose_greeting_choose/)
      await owner.dtmf('1')
      await s.recording()
      await sleep(SPEAK_MS)
      await owner.dtmf('#')
      await s.prompt(/vm-listen_to_recording/)
      await owner.dtmf('2')
      await s.prompt(/vm-to_record_greeting/)
      await owner.dtmf('3')
      await s.recording()
      await sleep(2000)
      await owner.dtmf('#')
      await s.prompt(/vm-listen_to_recording/)
      await owner.dtmf('2')
      await s.prompt(/vm-to_record_greeting/)
      await owner.dtmf('6')
      await s.prompt(/vm-enter_pass/)
      await owner.dtmf(`${OLD_PIN}#`)
      await s.prompt(/vm-to_record_greeting/)
      await owner.dtmf('0')
      await s.prompt(/vm-listen_new/)
      await owner.dtmf('1')
      const heardFirst = await s.prompt(/\/msg_[^/]+\.wav$/)
      await owner.dtmf('3') // next: stays new
      const heardSecond = await s.prompt(/\/msg_[^/]+\.wav$/)
      await owner.dtmf('2') // save
      await s.prompt(/\/msg_[^/]+\.wav$/)
      await owner.hangup()
      await owner.ended()

      const db = join(pbx.fs.dir, 'db', 'voicemail_default.db')
      const before = await readSourceDb(db)
      t.equal(before.messages.length, 3, 'mod_voicemail stored three messages')
      const urgentRow = before.messages.find((m) => m.readFlags === 'A_URGENT')
      const savedRow = before.messages.find((m) => m.readEpoch !== 0)
      t.equal(
        heardFirst.get('Playback-File-Path'),
        urgentRow?.filePath,
        'mod_voicemail played the urgent one first',
      )
      t.equal(heardSecond.get('Playback-File-Path'), savedRow?.filePath, 'and saved the second one')
      t.match(before.prefs, [
        {
          username: BOX,
          password: OLD_PIN,
          greetingPath: /greeting_1\.wav$/,
          namePath: /recorded_name\.wav$/,
        },
      ])
      const head = await readFile(urgentRow?.filePath ?? '')
      t.equal(readWavHeader(head, head.length).sampleRate, 16000, 'mod_voicemail recorded at 16 kHz')

      // The switch-over: unload mod_voicemail, start the daemon, import.
      t.match(await pbx.esl.api('unload mod_voicemail'), /^\+OK/)
      await pbx.startDaemon()
      const phone = await pbx.phone(BOX)
      const dry = spawnEntry('daemon/ctl.ts', [
        '--config',
        pbx.configPath,
        'import',
        'mod-voicemail',
        '--dry-run',
      ])
      t.equal(await dry.exited, 0, dry.stderr())
      t.match(dry.stdout(), new RegExp(`box ${BOX}@${DOMAIN}: would create`))
      t.equal(await pbx.box(BOX), undefined, 'the dry run created nothing')

      const started = Date.now()
      const run = spawnEntry('daemon/ctl.ts', [
        '--config',
        pbx.configPath,
        'import',
        'mod-voicemail',
        '--json',
      ])
      t.equal(await run.exited, 0, run.stdout() + run.stderr())
      t.comment(`import: ${Date.now() - started} ms from process start to exit (TypeScript loader included)`)
      const report = JSON.parse(run.stdout()) as Record<string, unknown>
      t.match(report, {
        ok: true,
        lampsAnnounced: true,
        summary: { messages: { imported: 3, problem: 0 }, greetings: { imported: 2 }, problems: 0 },
      })
      t.notMatch(run.stdout(), new RegExp(OLD_PIN), 'the PIN is never printed')
      const lamp = await phone.waitFor((n) => n.voiceMessage === '2/1 (1/0)', 20_000)
      t.ok(lamp.waiting, 'the lamp shows the imported counts: 2 new (1 urgent), 1 saved')

      const box = await pbx.box(BOX)
      t.match(box, {
        name: 'Carol',
        quotaBytes: 600 * 16000,
        pinTemporary: false,
        activeGreeting: 'unavailable',
      })
      const messages = await pbx.messages(BOX)
      t.same(
        messages.map((m) => [m.folder, m.urgent, m.callerIdNumber]),
        [
          ['new', true, '5550102'],
          ['new', false, '5550103'],
          ['saved', false, '5550101'],
        ],
        'new still new, saved still saved, urgent first',
      )
      for (const m of messages) {
        const bytes = await readFile(join(pbx.stateDir, m.file))
        t.match(
          readWavHeader(bytes, bytes.length),
          { sampleRate: 8000, channels: 1, bitsPerSample: 16 },
          'converted to 8 kHz',
        )
      }

      // 5001 from the owner's phone: the old PIN; new messages urgent first, then the saved one.
      const fileOf = (i: number): RegExp => new RegExp(escape(messages[i]?.file ?? '-'))
      const check = await pbx.call('5001', { fromUser: { user: BOX, domain: DOMAIN } })
      const c = new ChannelScript(pbx.esl, check.b)
      await c.app('play_and_get_digits', /vm-enter_pass/)
      await check.dtmf(`${OLD_PIN}#`)
      await c.app('playback', /vm-listen_new/)
      await check.dtmf('1')
      await c.app('playback', fileOf(0))
      await c.app('playback', fileOf(0), true)
      await c.app('playback') // the message menu
      await check.dtmf('3') // next
      await c.app('playback', fileOf(1))
      await check.hangup()
      await check.ended()
      t.notOk(
        check.executed().some((e) => /first-login|enter-new-pin/.test(e.data)),
        "no PIN change asked: the old PIN is the owner's",
      )

      const saved = await pbx.call('5001', { fromUser: { user: BOX, domain: DOMAIN } })
      const sv = new ChannelScript(pbx.esl, saved.b)
      await sv.app('play_and_get_digits', /vm-enter_pass/)
      await saved.dtmf(`${OLD_PIN}#`)
      await sv.app('playback', /vm-listen_new/)
      await saved.dtmf('2')
      await sv.app('playback', fileOf(2))
      await saved.hangup()
      await saved.ended()

      // The next caller hears the old greeting.
      const store = await pbx.store()
      const greeting = await store.greetings.get(box?.rowId ?? 0, 'unavailable')
      const caller = await pbx.call(`03${BOX}`, { fromUser: { user: '1001', domain: DOMAIN } })
      await caller.waitForApp('playback', new RegExp(escape(greeting?.file ?? '-')), 30_000)
      await caller.hangup()
      await caller.ended()

      // A rerun after the switch-over imports nothing twice.
      const again = spawnEntry('daemon/ctl.ts', [
        '--config',
        pbx.configPath,
        'import',
        'mod-voicemail',
        '--json',
      ])
      t.equal(await again.exited, 0, again.stderr())
      t.match(JSON.parse(again.stdout()), {
        summary: { messages: { imported: 0, unchanged: 3 }, greetings: { imported: 0 } },
      })
      t.equal((await pbx.messages(BOX)).length, 3)
    },
  )
}
