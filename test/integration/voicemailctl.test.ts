/**
 * Every voicemailctl command that talks to FreeSWITCH, run as the operator runs it (daemon/ctl.ts as a process,
 * `--config` of a real PBX) while the daemon runs, so through the daemon's control socket (one owner per job):
 * `mwi resync`, `job run mwi-resync`, `message delete`,
 * `job run cleanup`, `mailbox set --enabled`, `mailbox remove --yes` (their lamps reach the phones), `doctor` (reachable, mod_voicemail not loaded, feature codes, then a shadowed 5001), and what they say when
 * FreeSWITCH cannot be reached or refuses the password, once the daemon is stopped (voicemailctl then works alone).
 * `job run reconcile` (adoption, lamp) is in restarts.test.ts.
 */
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { voicemailctl, voicemailctlJson } from '../support/real-freeswitch/ctl-run.js'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'
import { leaveMessage, lampIs } from '../support/real-freeswitch/lamp-calls.js'
import { DOMAIN, startPbx } from '../support/real-freeswitch/pbx.js'

/** Vanilla's 5001 extension, as an operator who skipped the operator guide's step still has it in dialplan/default.xml. */
const VANILLA_5001 = `<extension name="dynamic_conference">
      <condition field="destination_number" expression="^5001$">
        <action application="conference" data="bridge:mydynaconf:sofia/\${use_profile}/1234@conference.freeswitch.org"/>
      </condition>
    </extension>
    `

if (realTierAvailable(t)) {
  t.setTimeout(300_000)

  void t.test('voicemailctl against a running PBX', async (t) => {
    const pbx = await startPbx(t, {
      config: [
        'mailboxes:',
        `  - { id: "100", domain: ${DOMAIN}, kind: personal, name: Alice, email: [alice@example.com] }`,
        `  - { id: "800", domain: ${DOMAIN}, kind: general, name: Sales, mwiAccounts: [1001@${DOMAIN}] }`,
      ].join('\n'),
    })
    const p100 = await pbx.phone('100')
    const p1001 = await pbx.phone('1001')
    // Three callers at once: two messages for 100, one for 800.
    await Promise.all([leaveMessage(pbx, '100'), leaveMessage(pbx, '100'), leaveMessage(pbx, '800')])
    await p100.waitFor(lampIs(true, '2/0 (0/0)', '100'), 20_000)
    await p1001.waitFor(lampIs(true, '1/0 (0/0)', '1001'), 20_000)

    /** Resolves when a MESSAGE_WAITING for `user` with that Update-Reason was sent (after event `since`). */
    const sent = async (user: string, reason: string, since: number): Promise<boolean> => {
      await pbx.esl.waitFor(
        (e) =>
          e.name === 'MESSAGE_WAITING' &&
          e.get('MWI-Message-Account') === `sip:${user}@${DOMAIN}` &&
          e.get('Update-Reason') === reason,
        10_000,
        since,
      )
      return true
    }

    await t.test('mwi resync announces every lamp', async (t) => {
      const [n100, n1001, since] = [p100.notifies().length, p1001.notifies().length, pbx.esl.events.length]
      const run = await voicemailctl(pbx, ['mwi', 'resync'])
      t.equal(run.code, 0, 'exit 0')
      t.match(run.stdout, /^voicemaild announced 2 boxes \(3 MESSAGE_WAITING events\) to 127\.0\.0\.1:\d+$/m)
      t.equal(run.stderr, '', 'served by the running daemon')
      t.ok(await p100.waitFor(lampIs(true, '2/0 (0/0)', '100'), 10_000, n100), 'phone 100 got its lamp')
      t.ok(
        await p1001.waitFor(lampIs(true, '1/0 (0/0)', '1001'), 10_000, n1001),
        'phone 1001 (mwiAccounts of 800)',
      )
      t.ok(await sent('800', 'RESYNC', since), 'sent with Update-Reason RESYNC')
    })

    await t.test('job run mwi-resync does the same', async (t) => {
      const [n100, n1001] = [p100.notifies().length, p1001.notifies().length]
      const run = await voicemailctl(pbx, ['job', 'run', 'mwi-resync'])
      t.equal(run.code, 0, 'exit 0')
      t.match(run.stdout, /^mwi-resync: done by voicemaild\nboxes:\s+2\nevents:\s+3$/m)
      t.ok(
        pbx.logs().some((l) => l.component === 'jobs' && l.job === 'mwi-resync' && l.msg === 'job finished'),
        'the job ran in the daemon',
      )
      t.ok(await p100.waitFor(lampIs(true, '2/0 (0/0)', '100'), 10_000, n100), 'phone 100')
      t.ok(await p1001.waitFor(lampIs(true, '1/0 (0/0)', '1001'), 10_000, n1001), 'phone 1001')
    })

    await t.test('message delete turns the lamp down at once', async (t) => {
      const [first] = await pbx.messages('100')
      if (first === undefined) throw new Error('no message')
      const [n100, since] = [p100.notifies().length, pbx.esl.events.length]
      const run = await voicemailctl(pbx, ['message', 'delete', first.uuid])
      t.equal(run.code, 0, 'exit 0')
      t.equal(run.stdout, `message ${first.uuid} deleted\n`)
      t.equal(run.stderr, '', 'no note: FreeSWITCH answered')
      t.ok(await p100.waitFor(lampIs(true, '1/0 (0/0)', '100'), 10_000, n100), 'phone 100: 1/0')
      t.ok(await sent('100', 'DELETE', since), 'sent with Update-Reason DELETE')
      t.notOk(existsSync(join(pbx.stateDir, first.file)), 'the file is gone')
      t.equal((await pbx.messages('100')).length, 1, 'one row left')
    })

    await t.test('job run cleanup purges a message left marked deleted, and the lamp follows', async (t) => {
      const [left] = await pbx.messages('100')
      if (left === undefined) throw new Error('no message')
      // What an owner's 7 leaves when the purge at hang-up failed: marked, not purged (no lamp sent by the store).
      const store = await pbx.store()
      await store.messages.setDeleted(left.rowId, true)
      const [n100, since] = [p100.notifies().length, pbx.esl.events.length]
      const run = await voicemailctl(pbx, ['job', 'run', 'cleanup'])
      t.equal(run.code, 0, 'exit 0')
      t.match(run.stdout, /^purged:\s+1$/m)
      t.ok(await p100.waitFor(lampIs(false, '0/0 (0/0)', '100'), 10_000, n100), 'phone 100 dark')
      t.ok(await sent('100', 'PURGE', since), 'sent with Update-Reason PURGE')
    })

    await t.test('mailbox set --enabled no: a disabled box lights nothing', async (t) => {
      const n1001 = p1001.notifies().length
      const run = await voicemailctl(pbx, ['mailbox', 'set', '800', '--enabled', 'no'])
      t.equal(run.code, 0, 'exit 0')
      // Like message delete, a change of what a box lights should reach the phones now, not at the next resync.
      t.ok(
        await p1001.waitFor(lampIs(false, '0/0 (0/0)', '1001'), 10_000, n1001),
        'phone 1001 (mwiAccounts of 800) goes dark',
      )
    })

    await t.test('mailbox remove --yes: the phones that followed the box go dark', async (t) => {
      const n1001 = p1001.notifies().length
      const run = await voicemailctl(pbx, ['mailbox', 'remove', '800', '--yes'])
      t.equal(run.code, 0, 'exit 0')
      t.match(run.stdout, /^removed 800@pbx\.test \(1 audio files\)$/m)
      t.match(run.stderr, /note: 800@pbx\.test is declared in the config file/)
      t.ok(await p1001.waitFor(lampIs(false, '0/0 (0/0)', '1001'), 10_000, n1001), 'phone 1001 dark')
      t.notOk(existsSync(join(pbx.stateDir, 'recordings', DOMAIN, '800')), 'its folder is gone')
      t.equal(await pbx.box('800'), undefined, 'its row is gone')
    })

    await t.test(
      'doctor: FreeSWITCH reachable, mod_voicemail not loaded, feature codes reach the daemon',
      async (t) => {
        const run = await voicemailctl(pbx, ['doctor'])
        t.equal(run.code, 0, `exit 0\n${run.stdout}`)
        t.match(
          run.stdout,
          /^OK\s+freeswitch 127\.0\.0\.1:\d+\s+reachable, authenticated, FreeSWITCH 1\.11\.\d/m,
        )
        t.match(run.stdout, /^OK\s+freeswitch 127\.0\.0\.1:\d+ mod_voicemail\s+not loaded$/m)
        t.match(
          run.stdout,
          /^OK\s+freeswitch 127\.0\.0\.1:\d+ feature codes\s+5000, 5001, .*reach voicemaild$/m,
        )
        t.match(run.stdout, /^0 failed, \d+ warning\(s\)$/m)
      },
    )

    await t.test('doctor: vanilla 5001 left in default.xml shadows the Message button', async (t) => {
      const file = join(pbx.fs.dir, 'conf', 'dialplan', 'default.xml')
      const original = await readFile(file, 'utf8')
      const anchor = '<extension name="rtp_multicast_page">'
      t.ok(original.includes(anchor), 'vanilla layout')
      await writeFile(file, original.replace(anchor, VANILLA_5001 + anchor))
      t.teardown(() => writeFile(file, original))
      t.match(await pbx.esl.api('reloadxml'), /^\+OK/, 'reloadxml')
      const run = await voicemailctl(pbx, ['doctor'])
      t.equal(run.code, 1, 'exit 1')
      t.match(
        run.stdout,
        /^FAIL\s+freeswitch 127\.0\.0\.1:\d+ feature codes\s+5001 goes to "dynamic_conference" before "voicemaild_check"/m,
      )
      await writeFile(file, original)
      await pbx.esl.api('reloadxml')
    })

    await t.test('FreeSWITCH not reachable, or the password refused', async (t) => {
      // Without the daemon: voicemailctl works alone, over its own connection to the FreeSWITCH its config names.
      await pbx.stopDaemon('SIGTERM')
      const config = await readFile(pbx.configPath, 'utf8')
      const node = `port: ${pbx.fs.ports.esl}, password: ClueCon`
      t.ok(config.includes(node), 'the harness config names the node')
      // Port 9 (discard): nothing listens there on a test box.
      const unreachable = { configPath: join(pbx.dir, 'unreachable.yaml') }
      const wrongPassword = { configPath: join(pbx.dir, 'wrong-password.yaml') }
      await writeFile(unreachable.configPath, config.replace(node, `port: 9, password: ClueCon`))
      await writeFile(
        wrongPassword.configPath,
        config.replace(node, `port: ${pbx.fs.ports.esl}, password: nope`),
      )

      const doctor = await voicemailctl(unreachable, ['doctor'])
      t.equal(doctor.code, 1, 'doctor exit 1')
      t.match(
        doctor.stdout,
        /^FAIL\s+freeswitch 127\.0\.0\.1:9\s+connection refused \(nothing listens there\)$/m,
      )
      const refused = await voicemailctl(wrongPassword, ['doctor'])
      t.equal(refused.code, 1, 'doctor exit 1')
      t.match(
        refused.stdout,
        /^FAIL\s+freeswitch 127\.0\.0\.1:\d+\s+password refused .*event_socket\.conf\.xml\)$/m,
      )

      const resync = await voicemailctlJson(unreachable, ['mwi', 'resync', '--timeout', '1'])
      t.equal(resync.code, 1, 'mwi resync exit 1')
      t.match(resync.json, { ok: false, error: { code: 'freeswitch-unreachable' } })
      const job = await voicemailctl(wrongPassword, ['job', 'run', 'mwi-resync', '--timeout', '1'])
      t.equal(job.code, 1, 'job run mwi-resync exit 1')
      t.match(job.stderr, /cannot connect to FreeSWITCH \(127\.0\.0\.1:\d+\) within 1 s/)
      t.match(
        job.stderr,
        /^note: voicemaild is not running \(no .*control\.sock\): voicemailctl runs the job/m,
      )
      const reconcile = await voicemailctl(unreachable, ['job', 'run', 'reconcile', '--timeout', '1'])
      t.equal(reconcile.code, 0, 'job run reconcile still runs (exit 0)')
      t.match(
        reconcile.stderr,
        /note: FreeSWITCH not reachable: lamps follow at the daemon's next mwi-resync/,
      )
    })
  })
}
