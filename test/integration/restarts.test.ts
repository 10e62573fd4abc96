/**
 * Restarts on the real FreeSWITCH, seen from the phones:
 * - the daemon stopped (SIGTERM) and started again announces every lamp on connect;
 * - the daemon killed (SIGKILL) in the middle of a recording: FreeSWITCH records on until the caller hangs up, and
 *   the restarted daemon adopts the file (SPEC §8 wants that within 60 s; today it waits for the file to settle);
 * - FreeSWITCH restarted: the daemon reconnects and announces every lamp again.
 */
import { stat, utimes } from 'node:fs/promises'
import t from 'tap'
import { voicemailctl } from '../support/real-freeswitch/ctl-run.js'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import {
  CallScript,
  leaveMessage,
  recordedFor,
  recordPath,
  lampIs,
} from '../support/real-freeswitch/lamp-calls.js'
import { DOMAIN, startPbx } from '../support/real-freeswitch/pbx.js'

const WAV_HEADER = 44
const BYTES_PER_SECOND = 16_000

if (realTierAvailable(t)) {
  t.setTimeout(300_000)

  void t.test('restarts of the daemon and of FreeSWITCH', async (t) => {
    const pbx = await startPbx(t, {
      config: [
        'mailboxes:',
        `  - { id: "100", domain: ${DOMAIN}, kind: personal, name: Alice, email: [alice@example.com] }`,
        `  - { id: "800", domain: ${DOMAIN}, kind: general, name: Sales, mwiAccounts: [1001@${DOMAIN}] }`,
      ].join('\n'),
    })
    const p100 = await pbx.phone('100')
    const p1001 = await pbx.phone('1001')
    await leaveMessage(pbx, '100')
    await leaveMessage(pbx, '800')
    await p100.waitFor(lampIs(true, '1/0 (0/0)', '100'))
    await p1001.waitFor(lampIs(true, '1/0 (0/0)', '1001'))

    await t.test('daemon stopped (SIGTERM) and started: every lamp is announced again', async (t) => {
      const n100 = p100.notifies().length
      const n1001 = p1001.notifies().length
      const since = pbx.esl.events.length
      const old = pbx.daemon
      await pbx.stopDaemon('SIGTERM')
      t.equal(await old?.exited, 0, 'the daemon exits 0 on SIGTERM')
      await pbx.startDaemon()
      t.ok(
        await p100.waitFor(lampIs(true, '1/0 (0/0)', '100'), 20_000, n100),
        'phone 100 gets its lamp again',
      )
      t.ok(
        await p1001.waitFor(lampIs(true, '1/0 (0/0)', '1001'), 20_000, n1001),
        'phone 1001 (mwiAccounts of 800)',
      )
      for (const account of ['100', '800', '1001']) {
        const event = await pbx.esl.waitFor(
          (e) => e.name === 'MESSAGE_WAITING' && e.get('MWI-Message-Account') === `sip:${account}@${DOMAIN}`,
          10_000,
          since,
        )
        t.equal(event.get('Update-Reason'), 'CONNECT', `sip:${account}: announced on connect`)
      }
    })

    let recording = ''
    let killedAt = 0
    await t.test(
      'daemon killed mid-recording: FreeSWITCH records on until the caller hangs up',
      async (t) => {
        const call = await pbx.call('03100')
        const script = new CallScript(pbx.esl, call)
        const started = await script.next('record')
        recording = recordPath(started)
        await recordedFor(recording, 3)
        await pbx.stopDaemon('SIGKILL')
        killedAt = Date.now()
        const sizeAtKill = (await stat(recording)).size
        t.ok(await script.alive(), 'the caller is still connected after the daemon died')
        // The caller goes on speaking for 2 s more (as in issue 11), then hangs up.
        await new Promise((resolve) => setTimeout(resolve, 2000))
        const completed = pbx.esl.events.some(
          (e) =>
            e.name === 'CHANNEL_EXECUTE_COMPLETE' &&
            e.get('Unique-ID') === call.b &&
            e.get('Application') === 'record',
        )
        t.notOk(completed, 'the record application still runs 2 s after the kill')
        t.ok(await script.alive(), 'and the caller is still connected')
        const hungUpAt = Date.now()
        await call.hangup()
        await call.ended()
        const done = await call.waitForAppDone('record')
        const size = (await stat(recording)).size
        t.ok(size > sizeAtKill + BYTES_PER_SECOND, 'FreeSWITCH kept writing the file after the kill')
        // The file grows in buffered blocks (its size lags the audio by up to ~2 s), so the figures come from
        // the clock (record started → kill → hang-up) and from record_ms.
        const at = (ms: number): string => ((ms - started.at) / 1000).toFixed(1)
        t.comment(
          `record started; daemon killed at ${at(killedAt)} s; caller hung up at ${at(hungUpAt)} s; ` +
            `record_ms ${done.get('variable_record_ms') ?? '?'}; file ${((size - WAV_HEADER) / BYTES_PER_SECOND).toFixed(1)} s`,
        )
        const recordMs = Number(done.get('variable_record_ms'))
        t.ok(recordMs > killedAt - started.at + 1000, 'record_ms: the recording went on well past the kill')
        t.equal((await pbx.messages('100')).length, 1, 'no row for it yet (nobody to commit it)')
      },
    )

    await t.test('the restarted daemon adopts that recording', async (t) => {
      const restartedAt = Date.now()
      const daemon = await pbx.startDaemon()
      const line = await daemon.waitFor(/"job":"reconcile".*"msg":"job finished"/, 30_000)
      const summary = JSON.parse(line) as { adopted: number; deferred: number; rerunInMs?: number }
      t.comment(
        `daemon restarted ${Math.round((restartedAt - killedAt) / 1000)} s after the kill; startup reconcile: ` +
          `adopted ${summary.adopted}, deferred ${summary.deferred}, next look in ` +
          `${summary.rerunInMs === undefined ? '-' : `${Math.round(summary.rerunInMs / 1000)} s`}`,
      )

      await t.test(
        'SPEC §8: stored within 60 s of the restart',
        { todo: 'issue 11 item 3: reconcile defers a file younger than maxMessageSeconds + 10 min' },
        async (t) => {
          const left = restartedAt + 60_000 - Date.now()
          if (summary.adopted === 0 && (summary.rerunInMs === undefined || summary.rerunInMs > left)) {
            // No need to sit out the minute: the daemon said it will not look again within it.
            t.fail(`deferred; the daemon looks again in ${summary.rerunInMs ?? '-'} ms`)
            return
          }
          for (let i = 0; (await pbx.messages('100')).length < 2 && Date.now() < restartedAt + 60_000; i++) {
            await new Promise((resolve) => setTimeout(resolve, 500))
          }
          t.equal((await pbx.messages('100')).length, 2, 'the message is stored')
        },
      )

      // What works today: once the file is older than the settle time (here: made older), reconcile adopts it.
      const settled = new Date(Date.now() - (300 + 11 * 60) * 1000)
      await utimes(recording, settled, settled)
      const n100 = p100.notifies().length
      const run = await voicemailctl(pbx, ['job', 'run', 'reconcile'])
      t.equal(run.code, 0, 'voicemailctl job run reconcile exits 0')
      t.match(run.stdout, /adopted:\s+1\b/, 'it adopted one file')
      const messages = await pbx.messages('100')
      t.equal(messages.length, 2, 'the message is stored')
      t.match(
        messages.find((m) => recording.endsWith(`${m.uuid}.wav`)),
        { callerIdNumber: '', folder: 'new' },
        'as a new message from an unknown caller',
      )
      t.ok(await p100.waitFor(lampIs(true, '2/0 (0/0)', '100'), 20_000, n100), 'phone 100 shows it')
      const outbox = await voicemailctl(pbx, ['job', 'run', 'outbox'])
      t.equal(outbox.code, 0, 'voicemailctl job run outbox exits 0')
      for (let i = 0; i < 100 && pbx.smtp.messages.length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      t.equal(pbx.smtp.messages.length, 2, 'alice got a mail for each message, the adopted one included')
    })

    await t.test('FreeSWITCH restarted: the daemon reconnects and announces every lamp again', async (t) => {
      const n100 = p100.notifies().length
      const r100 = p100.registrationNotifies().length
      const n1001 = p1001.notifies().length
      const daemon = pbx.daemon
      await pbx.fs.restart()
      // FreeSWITCH keeps its SIP registrations and subscriptions in its database (the -db folder) across a
      // restart, so the running phones need not register again: sofia still knows both of their dialogs, and the
      // lamp they get can only come from the daemon's announce (no phone asked: no REGISTER, no SUBSCRIBE).
      t.ok(await p100.waitFor(lampIs(true, '2/0 (0/0)', '100'), 60_000, n100), 'phone 100: its subscription')
      t.ok(
        await p100.waitForRegistration(lampIs(true, '2/0 (0/0)', '100'), 10_000, r100),
        'phone 100: its registration',
      )
      t.ok(
        await p1001.waitFor(lampIs(true, '1/0 (0/0)', '1001'), 10_000, n1001),
        'phone 1001 (mwiAccounts of 800)',
      )
      const lines = (daemon?.stdout() ?? '').split('\n')
      const down = lines.findIndex((l) => l.includes('FreeSWITCH event socket disconnected'))
      t.ok(down >= 0, 'the daemon saw FreeSWITCH go')
      t.ok(
        lines.slice(down).some((l) => l.includes('"reason":"CONNECT"') && l.includes('mwi announced')),
        'and announced every box when it came back',
      )
    })
  })
}
