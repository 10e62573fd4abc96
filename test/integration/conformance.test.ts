/**
 * Simulator conformance (issue 10 item 3): the same scripted calls run against the real FreeSWITCH and against
 * the simulator (test/support/freeswitch/), each with the same daemon (the real entry, same config) behind a
 * recording proxy on both of its links. What the daemon saw is compared: every command with its reply, the events
 * it acts on with the headers and variables it reads (record_ms, playback_terminator_used, the digits of
 * play_and_get_digits, …), how many events of each name arrived, the linger/exit notices, the MESSAGE_QUERY
 * events and the replies to its sendevents; and, when its socket dies mid-app, what FreeSWITCH did next.
 *
 * Every difference either is fixed in the simulator or is listed in ACCEPTED below with its reason (docs/simulator.md,
 * "Simulator vs real FreeSWITCH", says the same). A new difference fails the test.
 */
import t, { type Test } from 'tap'
import {
  compareLists,
  compareTraces,
  describe,
  type Accepted,
  type Difference,
} from '../support/conformance/compare.js'
import { PIN, startRealSide } from '../support/conformance/real-side.js'
import { runScenario, type CallCapture, type Side, type Step } from '../support/conformance/scenario.js'
import {
  depositEndedByHangup,
  depositEndedByHash,
  loginWithPin,
  socketClosedMidPlayback,
  socketClosedMidRecord,
} from '../support/conformance/scenarios.js'
import { startSimSide } from '../support/conformance/sim-side.js'
import { observedAfter, traceConnection, type Trace } from '../support/conformance/trace.js'
import { exitWithoutNativeCleanup } from '../support/exit-without-native-cleanup.js'
import { realTierAvailable } from '../support/real-freeswitch/installed.js'

const SCENARIOS = [
  depositEndedByHash,
  depositEndedByHangup,
  loginWithPin,
  socketClosedMidRecord,
  socketClosedMidPlayback,
]

const lingerNotice = /^Controlled-Session-UUID: <call>; Content-Disposition: linger; .*; after /
const disconnectNotice = /^Controlled-Session-UUID: <call>; Content-Disposition: disconnect; .*; after /

/** The differences between the real FreeSWITCH and the simulator that are accepted, and why. */
const ACCEPTED: Accepted[] = [
  {
    reason:
      'the linger notice comes when FreeSWITCH notices the channel is down: on loopback calls after ' +
      'CHANNEL_HANGUP_COMPLETE, in the sofia capture between CHANNEL_HANGUP and the running app’s completion; ' +
      'the simulator tosses a seeded coin (just before or just after CHANNEL_HANGUP) so the daemon is tested on both',
    covers: (d) =>
      d.where.startsWith('notice') &&
      lingerNotice.test(d.real) &&
      lingerNotice.test(d.simulator) &&
      d.real.replace(/after .*$/, '') === d.simulator.replace(/after .*$/, ''),
  },
  {
    reason:
      'CHANNEL_PARK (the socket app parks the call right after `connect`) reaches the daemon only when ' +
      'FreeSWITCH’s event dispatch lags behind the daemon’s `myevents` (seen on the first call after start); ' +
      'the daemon ignores it',
    covers: (d) => d.where === 'event count CHANNEL_PARK' && d.simulator === '0',
  },
  {
    reason:
      'when the daemon hangs up itself it sends `exit` once CHANNEL_HANGUP has arrived; the channel reaches ' +
      'CHANNEL_HANGUP_COMPLETE a moment later on its own thread, and if that event is not yet queued to the ' +
      'socket when `exit` arrives, FreeSWITCH closes without it (seen once on the real side: the disconnect ' +
      'notice right after the `hangup` app’s completion). The simulator always delivers it first; the daemon ' +
      'needs neither',
    covers: (d) =>
      (d.where === 'event count CHANNEL_HANGUP_COMPLETE' && d.real === '0' && d.simulator === '1') ||
      (d.where.startsWith('event ') && d.real === '(none)' && d.simulator === 'CHANNEL_HANGUP_COMPLETE') ||
      (d.where.startsWith('notice') &&
        disconnectNotice.test(d.real) &&
        d.real.endsWith('after CHANNEL_EXECUTE_COMPLETE') &&
        d.simulator.endsWith('after CHANNEL_HANGUP_COMPLETE') &&
        d.real.replace(/after .*$/, '') === d.simulator.replace(/after .*$/, '')),
  },
]

interface SideRun {
  calls: CallCapture[]
  inbound: Trace
}

async function runAll(side: Side): Promise<SideRun> {
  const calls: CallCapture[] = []
  for (const scenario of SCENARIOS) calls.push(await runScenario(side, scenario))
  await side.registerPhone()
  const link = side.inbound.connections[0]
  if (link === undefined) throw new Error('the daemon never connected its inbound link')
  // The test saw the answers' events; the replies to the daemon may still be on their way through the proxy.
  const trace = (): Trace => traceConnection(link.bytes('server'), link.bytes('client'))
  for (let i = 0; i < 100 && trace().exchanges.some((e) => e.endsWith('(no reply)')); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { calls, inbound: trace() }
}

function check(t: Test, differences: readonly Difference[]): void {
  let unaccepted = 0
  for (const d of differences) {
    const accepted = ACCEPTED.find((a) => a.covers(d))
    if (accepted !== undefined) t.comment(`accepted: ${describe(d)} — ${accepted.reason}`)
    else {
      unaccepted++
      t.fail(describe(d))
    }
  }
  if (unaccepted === 0) t.pass('no difference beyond the accepted ones')
}

function outboundTrace(c: CallCapture): Trace {
  return traceConnection(c.connection.bytes('client'), c.connection.bytes('server'))
}

/** The test's view of the channel from the moment its socket was cut. */
function afterCut(c: CallCapture, steps: readonly Step[]): string[] {
  const cut = steps.findIndex((s) => 'cut' in s)
  return observedAfter(c.observed, c.stepAt[cut] ?? 0)
}

function recordMsAfterCut(c: CallCapture, steps: readonly Step[]): number {
  const cut = c.stepAt[steps.findIndex((s) => 'cut' in s)] ?? 0
  const stop = c.observed.find((e) => e.name === 'RECORD_STOP' && e.at >= cut)
  return Number(stop?.get('variable_record_ms') ?? Number.NaN)
}

if (realTierAvailable(t)) {
  t.setTimeout(600_000)
  exitWithoutNativeCleanup()
  void t.test('the simulator shows the daemon what the real FreeSWITCH shows', async (t) => {
    // Started one after the other (each daemon compiles its TypeScript at start), then both sides' calls at once:
    // they run in real time.
    const realSide = await startRealSide(t)
    const simSide = await startSimSide(t)
    const [real, simulated] = await Promise.all([runAll(realSide), runAll(simSide)])

    SCENARIOS.forEach((scenario, i) => {
      const r = real.calls[i]
      const s = simulated.calls[i]
      if (r === undefined || s === undefined) throw new Error(`no capture for ${scenario.name}`)
      void t.test(scenario.name, (t) => {
        const differences = compareTraces(outboundTrace(r), outboundTrace(s))
        if (scenario.steps.some((step) => 'cut' in step)) {
          // What FreeSWITCH did once the daemon was gone (the test's own event socket).
          const [realAfter, simAfter] = [afterCut(r, scenario.steps), afterCut(s, scenario.steps)]
          t.comment(`real FreeSWITCH after the cut: ${realAfter.join(', ')}`)
          compareLists('after the cut', realAfter, simAfter, differences)
        }
        check(t, differences)
        t.end()
      })
    })

    void t.test('the daemon gone mid-record: the recording goes on until the caller hangs up', (t) => {
      const i = SCENARIOS.indexOf(socketClosedMidRecord)
      const [r, s] = [real.calls[i], simulated.calls[i]]
      if (r === undefined || s === undefined) throw new Error('no capture')
      // Cut 1 s into the recording, caller hangs up 5 s later.
      const realMs = recordMsAfterCut(r, socketClosedMidRecord.steps)
      const simMs = recordMsAfterCut(s, socketClosedMidRecord.steps)
      t.ok(realMs >= 5000, `real FreeSWITCH recorded ${realMs} ms`)
      t.ok(simMs >= 5000, `the simulator recorded ${simMs} ms`)
      // SPEC §8: a restarted daemon tells a finished recording by its file no longer growing. Real FreeSWITCH
      // writes a 44-byte header, then the audio in blocks of 64 KiB (4.1 s at 16,000 B/s); the header's sizes are
      // only filled in when the recording ends. Sampled ~2 s and ~6 s into the recording: one block apart, each
      // sample 2 s away from a block boundary.
      const shape = (c: CallCapture): string =>
        c.recordingSizes
          .map((f) => `${(f.bytes - 44) / 65_536} blocks, header says ${f.headerDataBytes ?? '–'}`)
          .join('; ')
      t.equal(shape(s), shape(r), `the file while recording (real: ${shape(r)})`)
      const [first, second] = r.recordingSizes
      t.ok((second?.bytes ?? 0) > (first?.bytes ?? 0), 'the real file grew after the daemon was gone')
      t.end()
    })

    // Findings about the daemon (not the simulator) that the real captures showed.
    // Fixed in lib/esl/esl-call.ts: a secret is collected into no channel variable (SPEC §4).
    void t.test('a PIN typed with play_and_get_digits does not stay on the channel', (t) => {
      const call = real.calls[SCENARIOS.indexOf(loginWithPin)]
      if (call === undefined) throw new Error('no capture')
      const events = outboundTrace(call).events
      const typed = events.findIndex((e) => Object.values(e.fields).includes(PIN))
      const later = events.slice(typed + 1).filter((e) => Object.values(e.fields).includes(PIN))
      t.equal(later.length, 0, `events after the PIN entry that still carry it: ${later.length}`)
      t.end()
    })
    // The test's own `bgapi originate` placed the real side's calls: their results must not reach the daemon.
    void t.test('the inbound link gets only events the daemon reads', (t) => {
      t.equal(real.inbound.eventNames.BACKGROUND_JOB ?? 0, 0, 'BACKGROUND_JOB events of other clients')
      t.end()
    })

    void t.test('inbound link: commands, replies, MESSAGE_QUERY, sendevent replies', (t) => {
      check(t, compareTraces(real.inbound, simulated.inbound))
      t.end()
    })
  })
}
