/**
 * One batch of the real bench: N deposit calls started at once into one side's boxes, then the wait until every
 * stored message has its mail at the sink and its box's lamp shows it; FreeSWITCH's and the daemon's CPU over
 * that window, minus what each spends idle over the same time.
 */
import type { EslClient } from '../../test/support/real-freeswitch/esl-client.js'
import type { DeskPhone, LampNotify } from '../../test/support/real-freeswitch/sip-phone.js'
import type { SmtpSink } from '../smtp-sink.js'
import { busyMs, cpuBetween, sampleCpu } from './cpu.js'
import { depositCall, type DepositOutcome } from './deposit-calls.js'
import { lampCaughtUp, lampLatencies } from './lamp-latency.js'

export type SideName = 'mod_voicemail' | 'voicemaild'

export interface BatchPlan {
  side: SideName
  /** `03` (daemon) or `04` (mod_voicemail) + box. */
  prefix: string
  boxes: readonly string[]
  calls: number
  firstNumber: number
  speakMs: number
}

export interface BatchContext {
  esl: EslClient
  sink: SmtpSink
  phones: ReadonlyMap<string, DeskPhone>
  freeswitchPid: number
  daemonPid: number
  /** Idle CPU, ms per wall second. */
  idle: { freeswitch: number; daemon: number }
  /** Messages in a box now (the side's own store). */
  stored(box: string): Promise<number>
}

export interface BatchFigures {
  side: SideName
  calls: number
  outcomes: DepositOutcome[]
  lampMs: number[]
  mailMs: number[]
  stored: number
  mailed: number
  toldFull: number
  /** CPU per call, ms, idle subtracted. */
  cpu: { freeswitch: number; daemon: number; mailers: number }
  wallMs: number
  /** Settled: every stored message mailed and lit (false: the wait timed out). */
  settled: boolean
  /** Each call's box, caller hangup and mail accepted (wall-clock ms), and each box's NOTIFYs: for BENCH_LOG_DIR. */
  detail: {
    calls: Array<{ number: string; box: string; hangupAt?: number; mailAt?: number }>
    notifies: Record<string, LampNotify[]>
  }
}

const SETTLE_TIMEOUT_MS = 60_000

export async function runBatch(plan: BatchPlan, ctx: BatchContext): Promise<BatchFigures> {
  const calls = Array.from({ length: plan.calls }, (_, i) => {
    const box = plan.boxes[i % plan.boxes.length] ?? ''
    return { box, destination: `${plan.prefix}${box}`, number: String(plan.firstNumber + i) }
  })
  const before = new Map([...ctx.phones].map(([box, phone]) => [box, phone.notifies().length]))
  const notifiesOf = (box: string): ReturnType<DeskPhone['notifies']> =>
    ctx.phones
      .get(box)
      ?.notifies()
      .slice(before.get(box) ?? 0) ?? []

  const storedBefore = new Map<string, number>()
  for (const box of new Set(plan.boxes)) storedBefore.set(box, await ctx.stored(box))
  const fs0 = sampleCpu(ctx.freeswitchPid)
  const d0 = sampleCpu(ctx.daemonPid)
  const outcomes = await Promise.all(calls.map((c) => depositCall(ctx.esl, c, plan.speakMs)))

  // Until every stored message is mailed and lit (or nothing moves for a while).
  const recorded = outcomes.filter((o) => o.recorded).length
  const storedPerBox = new Map<string, number>()
  let settled = false
  let last = ''
  let lastChange = Date.now()
  for (;;) {
    for (const box of plan.boxes)
      storedPerBox.set(box, (await ctx.stored(box)) - (storedBefore.get(box) ?? 0))
    const stored = [...storedPerBox.values()].reduce((a, b) => a + b, 0)
    const mailed = calls.filter((c) => ctx.sink.accepted.has(c.number)).length
    const lit = plan.boxes.every((box) =>
      lampCaughtUp(notifiesOf(box), storedPerBox.get(box) ?? 0, storedBefore.get(box) ?? 0),
    )
    // Every caller who recorded should have a message (the side commits after the hangup).
    if (stored >= recorded && mailed >= stored && lit) {
      settled = true
      break
    }
    const state = `${stored}/${mailed}/${String(lit)}`
    if (state !== last) [last, lastChange] = [state, Date.now()]
    if (Date.now() - lastChange > SETTLE_TIMEOUT_MS) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const fs1 = sampleCpu(ctx.freeswitchPid)
  const d1 = sampleCpu(ctx.daemonPid)
  const fsDelta = cpuBetween(fs0, fs1)
  const daemonDelta = cpuBetween(d0, d1)

  const lampMs: number[] = []
  for (const box of plan.boxes) {
    const hangups = outcomes
      .filter((o, i) => calls[i]?.box === box && o.recorded && o.hangupAt !== undefined)
      .map((o) => o.hangupAt ?? 0)
    lampMs.push(
      ...lampLatencies(hangups, notifiesOf(box), storedPerBox.get(box) ?? 0, storedBefore.get(box) ?? 0),
    )
  }
  const mailMs: number[] = []
  for (const o of outcomes) {
    const at = ctx.sink.accepted.get(o.number)
    if (at !== undefined && o.hangupAt !== undefined) mailMs.push(at - o.hangupAt)
  }
  return {
    side: plan.side,
    calls: plan.calls,
    outcomes,
    lampMs,
    mailMs,
    stored: [...storedPerBox.values()].reduce((a, b) => a + b, 0),
    mailed: mailMs.length,
    toldFull: outcomes.filter((o) => o.toldFull).length,
    cpu: {
      freeswitch: busyMs(fsDelta, ctx.idle.freeswitch) / plan.calls,
      daemon: busyMs(daemonDelta, ctx.idle.daemon) / plan.calls,
      mailers: fsDelta.childrenMs / plan.calls,
    },
    wallMs: fsDelta.wallMs,
    settled,
    detail: {
      calls: outcomes.map((o, i) => ({
        number: o.number,
        box: calls[i]?.box ?? '',
        ...(o.hangupAt !== undefined && { hangupAt: o.hangupAt }),
        ...(ctx.sink.accepted.has(o.number) && { mailAt: ctx.sink.accepted.get(o.number) }),
      })),
      notifies: Object.fromEntries(plan.boxes.map((box) => [box, notifiesOf(box)])),
    },
  }
}
