/**
 * One deposit call of the real bench, the same for both sides: a loopback call whose caller leg (A) plays a tone
 * (a voice the silence detector never takes for silence) into the dialplan (`03<box>` → the daemon, `04<box>` →
 * mod_voicemail); once the B leg records (RECORD_START, whichever app records), the caller speaks `speakMs` and
 * hangs up (`uuid_kill A`). The caller's hangup instant is the Event-Date-Timestamp of A's CHANNEL_HANGUP (the
 * FreeSWITCH clock is this host's clock, as are sipp's and the SMTP sink's).
 */
import { randomUUID } from 'node:crypto'
import type { EslClient, ReceivedEvent } from '../../test/support/real-freeswitch/esl-client.js'

/** What the bench's event socket subscribes to: only what the calls need, the same for both sides. */
export const BENCH_EVENTS = 'CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE RECORD_START PLAYBACK_START'

export interface DepositCall {
  destination: string
  /** Caller-id number, unique per call: it finds the call's mail at the sink. */
  number: string
}

export interface DepositOutcome {
  number: string
  /** The caller's leg reached the recording. */
  recorded: boolean
  /** Wall-clock ms (sub-ms) of the caller's hangup, when the caller hung up (or was hung up). */
  hangupAt?: number
  /** The B leg played `vm-mailbox_full` (told "full"). */
  toldFull: boolean
  problem?: string
}

const TONE = 'endless_playback(tone_stream://%(400,100,440))'
const WAIT_MS = 120_000

function eventTime(e: ReceivedEvent): number {
  const us = Number(e.get('Event-Date-Timestamp'))
  return Number.isFinite(us) ? us / 1000 : e.at
}

export async function depositCall(
  esl: EslClient,
  call: DepositCall,
  speakMs: number,
): Promise<DepositOutcome> {
  const a = randomUUID()
  const since = esl.events.length
  const vars = `{origination_uuid=${a},origination_caller_id_number=${call.number},origination_caller_id_name=Bench}`
  void esl
    .bgapi(`originate ${vars}loopback/${call.destination}/default &${TONE}`, WAIT_MS)
    .catch(() => undefined)
  const isB = (e: ReceivedEvent): boolean =>
    e.get('variable_other_loopback_leg_uuid') === a && e.get('Unique-ID') !== a
  const aHangup = (e: ReceivedEvent): boolean => e.name === 'CHANNEL_HANGUP' && e.get('Unique-ID') === a
  const outcome: DepositOutcome = { number: call.number, recorded: false, toldFull: false }
  try {
    const first = await esl.waitFor(
      (e) => (e.name === 'RECORD_START' && isB(e)) || aHangup(e),
      WAIT_MS,
      since,
    )
    if (first.name === 'RECORD_START') {
      outcome.recorded = true
      await new Promise((resolve) => setTimeout(resolve, speakMs))
      await esl.api(`uuid_kill ${a}`)
    }
    outcome.hangupAt = eventTime(await esl.waitFor(aHangup, WAIT_MS, since))
    await esl.waitFor((e) => e.name === 'CHANNEL_HANGUP_COMPLETE' && isB(e), WAIT_MS, since)
  } catch (err) {
    outcome.problem = err instanceof Error ? err.message : String(err)
  }
  outcome.toldFull = esl.events
    .slice(since)
    .some(
      (e) =>
        e.name === 'PLAYBACK_START' && isB(e) && /vm-mailbox_full/.test(e.get('Playback-File-Path') ?? ''),
    )
  return outcome
}
