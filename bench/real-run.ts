/**
 * `npm run bench -- --real` (or `BENCH_REAL=1 npm run bench`): SPEC §9 on the real FreeSWITCH, with mod_voicemail
 * beside the daemon on the same FreeSWITCH in the same run (bench/real/pbx-setup.ts). The same deposit calls go to
 * each side in turn (never both at once, so FreeSWITCH's CPU is attributable): after an unmeasured warm-up of 2
 * calls per side, S single calls one at a time (the sides taking turns), N callers at once into one box, then N
 * callers at once spread over B boxes. Printed side by side: caller hangup → lamp NOTIFY at a registered SIP
 * phone (p50/p99), caller hangup → mail accepted by the local SMTP sink (p50/p99), CPU per call (FreeSWITCH,
 * daemon, both; idle subtracted), stored / mailed / told "full".
 *
 * Environment (all optional): BENCH_REAL_SINGLES=8, BENCH_REAL_CALLS=60, BENCH_REAL_BOXES=20,
 * BENCH_REAL_SPEAK_MS=5000, BENCH_REAL_IDLE_MS=10000, BENCH_PROFILE=<dir> (daemon --cpu-prof),
 * BENCH_LOG_DIR=<dir> (daemon log, and each batch's calls in bench-calls.jsonl), BENCH_KEEP_DIR=1 (keep the
 * work folder: FreeSWITCH's log, the mailer's log, the phones' sipp logs).
 */
import { execFileSync } from 'node:child_process'
import { appendFile, cp, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openStore, type Store } from '../lib/store/index.js'
import { missingForRealTier } from '../test/support/real-freeswitch/installed.js'
import { DeskPhone } from '../test/support/real-freeswitch/sip-phone.js'
import { writeStandInCustomPrompts } from '../test/support/real-freeswitch/sounds.js'
import { ESL_PASSWORD } from '../test/support/real-freeswitch/conf.js'
import { freePort } from '../test/support/ports.js'
import { SmtpSink } from './smtp-sink.js'
import { fmt, latency, table } from './stats.js'
import { runBatch, type BatchContext, type BatchFigures, type BatchPlan } from './real/batch.js'
import { idleRate } from './real/cpu.js'
import { startDaemon } from './real/daemon-child.js'
import { BENCH_EVENTS } from './real/deposit-calls.js'
import { DOMAIN, SIP_PASSWORD, mailOf, prepareFreeswitch, type Boxes } from './real/pbx-setup.js'

const calls = Number(process.env.BENCH_REAL_CALLS ?? '60')
const manyBoxes = Number(process.env.BENCH_REAL_BOXES ?? '20')
const speakMs = Number(process.env.BENCH_REAL_SPEAK_MS ?? '5000')
const idleMs = Number(process.env.BENCH_REAL_IDLE_MS ?? '10000')
const singles = Number(process.env.BENCH_REAL_SINGLES ?? '8')
const logDir = process.env.BENCH_LOG_DIR

/** `npm run bench` builds into dist/ with tsc, which copies no data files: the harness needs these beside it. */
async function copyAssets(): Promise<void> {
  const repo = fileURLToPath(new URL('../../', import.meta.url))
  const dist = fileURLToPath(new URL('../', import.meta.url))
  await cp(join(repo, 'freeswitch-xml'), join(dist, 'freeswitch-xml'), { recursive: true })
  await cp(join(repo, 'test/support/real-freeswitch/sipp'), join(dist, 'test/support/real-freeswitch/sipp'), {
    recursive: true,
  })
}

function daemonConfig(o: {
  stateDir: string
  daemonPort: number
  httpPort: number
  eslPort: number
  smtpPort: number
  customDir: string
  boxes: readonly string[]
}): string {
  return [
    `stateDir: ${o.stateDir}`,
    `listen: { host: 127.0.0.1, port: ${o.daemonPort} }`,
    // Its own page port: the default 8085 may be taken by another daemon on this machine.
    `http: { port: ${o.httpPort} }`,
    `freeswitch: [{ host: 127.0.0.1, port: ${o.eslPort}, password: ${ESL_PASSWORD} }]`,
    `smtp: { host: 127.0.0.1, port: ${o.smtpPort}, secure: false, from: "Voicemail <vm@${DOMAIN}>" }`,
    `defaultDomain: ${DOMAIN}`,
    `prompts: { customDir: ${o.customDir} }`,
    'mailboxes:',
    ...o.boxes.map(
      (box) =>
        `  - { id: "${box}", domain: ${DOMAIN}, kind: personal, name: "Box ${box}", email: [${mailOf(box)}] }`,
    ),
    '',
  ].join('\n')
}

function uptime(): string {
  return execFileSync('uptime').toString().trim()
}

async function daemonStored(store: Store, box: string): Promise<number> {
  const row = await store.mailboxes.find(DOMAIN, box)
  if (row === undefined) return 0
  return (await store.messages.listForOwner(row.rowId, 'new')).length
}

/** What a row of the printed table reads of a batch. */
type RowFigures = Omit<BatchFigures, 'outcomes' | 'detail'>

/** The one-call-at-a-time rounds as one row per side: their latencies together, their counts summed. */
function mergeRounds(rounds: readonly BatchFigures[][]): RowFigures[] {
  const sides = rounds[0]?.map((f) => f.side) ?? []
  return sides.map((side, i) => {
    const ofSide = rounds.map((r) => r[i]).filter((f): f is BatchFigures => f !== undefined)
    const sum = (pick: (f: BatchFigures) => number): number => ofSide.reduce((a, f) => a + pick(f), 0)
    const calls = sum((f) => f.calls)
    return {
      side,
      calls,
      lampMs: ofSide.flatMap((f) => f.lampMs),
      mailMs: ofSide.flatMap((f) => f.mailMs),
      stored: sum((f) => f.stored),
      mailed: sum((f) => f.mailed),
      toldFull: sum((f) => f.toldFull),
      cpu: {
        freeswitch: sum((f) => f.cpu.freeswitch * f.calls) / calls,
        daemon: sum((f) => f.cpu.daemon * f.calls) / calls,
        mailers: sum((f) => f.cpu.mailers * f.calls) / calls,
      },
      wallMs: sum((f) => f.wallMs),
      settled: ofSide.every((f) => f.settled),
    }
  })
}

function rowsOf(scenario: string, figures: readonly RowFigures[]): string[][] {
  return figures.map((f, i) => {
    const lamp = latency(f.lampMs)
    const mail = latency(f.mailMs)
    const total = f.side === 'voicemaild' ? f.cpu.freeswitch + f.cpu.daemon : f.cpu.freeswitch
    return [
      i === 0 ? scenario : '',
      f.side,
      fmt(lamp.p50),
      fmt(lamp.p99),
      fmt(mail.p50),
      fmt(mail.p99),
      fmt(f.cpu.freeswitch),
      fmt(f.cpu.daemon),
      fmt(total),
      fmt(f.cpu.mailers),
      `${f.stored}/${f.mailed}/${f.toldFull}`,
      fmt(f.wallMs / 1000),
      f.settled ? '' : 'timed out',
    ]
  })
}

export async function realBench(): Promise<void> {
  const missing = missingForRealTier()
  if (missing !== undefined) {
    console.error(`real-FreeSWITCH bench: ${missing} (install it with ../shared/freeswitch/install.sh)`)
    process.exitCode = 1
    return
  }
  await copyAssets()
  const work = await mkdtemp(join(tmpdir(), 'vmd-bench-real-'))
  const sink = new SmtpSink()
  const smtpPort = await sink.start()
  const daemonPort = await freePort()
  const httpPort = await freePort()
  const { fs, boxes } = await prepareFreeswitch(work, { daemonPort, smtpPort, boxes: manyBoxes + 3 })
  const phones = new Map<string, DeskPhone>()
  let daemon: Awaited<ReturnType<typeof startDaemon>> | undefined
  let store: Store | undefined
  const loadBefore = uptime()
  try {
    await fs.start()
    const stateDir = join(work, 'state')
    const customDir = await writeStandInCustomPrompts(join(work, 'prompts'))
    daemon = await startDaemon(
      join(work, 'voicemaild.yaml'),
      daemonConfig({
        stateDir,
        daemonPort,
        httpPort,
        eslPort: fs.ports.esl,
        smtpPort,
        customDir,
        boxes: boxes.daemon,
      }),
    )
    store = await openStore(join(stateDir, 'voicemail.db'), { now: () => Date.now() })
    const esl = await fs.connect()
    await esl.subscribe(BENCH_EVENTS)
    const phoneDir = join(work, 'phones')
    await mkdir(phoneDir)
    const all = [...boxes.daemon, ...boxes.modVoicemail]
    for (let i = 0; i < all.length; i += 8) {
      await Promise.all(
        all.slice(i, i + 8).map(async (box) => {
          const phone = await DeskPhone.start(
            { user: box, domain: DOMAIN, password: SIP_PASSWORD, sipPort: fs.ports.sip },
            phoneDir,
            30_000,
          )
          phones.set(box, phone)
        }),
      )
    }
    // Let the registration queries (answered by both sides) and their NOTIFYs pass before measuring idle.
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const freeswitchPid = fs.pid
    if (freeswitchPid === undefined) throw new Error('FreeSWITCH has no pid')
    const [idleFs, idleDaemon] = await Promise.all([
      idleRate(freeswitchPid, idleMs),
      idleRate(daemon.pid, idleMs),
    ])
    const openedStore = store
    const context = (side: BatchPlan['side']): BatchContext => ({
      esl,
      sink,
      phones,
      freeswitchPid,
      daemonPid: daemon?.pid ?? 0,
      idle: { freeswitch: idleFs, daemon: idleDaemon },
      stored:
        side === 'voicemaild'
          ? (box) => daemonStored(openedStore, box)
          : async (box) =>
              Number.parseInt(await esl.api(`vm_boxcount default/${box}@${DOMAIN}|all`), 10) || 0,
    })

    console.log(
      `voicemaild real-FreeSWITCH bench: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB, node ${process.version}`,
    )
    console.log(`load before: ${loadBefore}`)
    console.log(
      `${calls} deposit calls at once per batch (loopback, caller speaks ${speakMs / 1000} s then hangs up), ` +
        `one side at a time; idle CPU: FreeSWITCH ${fmt(idleFs, 2)} ms/s, daemon ${fmt(idleDaemon, 2)} ms/s\n`,
    )
    let number = 51_000_000
    const scenarios: Array<[string, (b: typeof boxes) => { daemon: string[]; modVoicemail: string[] }]> = [
      [
        `${calls} calls → 1 box`,
        (b) => ({ daemon: b.daemon.slice(0, 1), modVoicemail: b.modVoicemail.slice(0, 1) }),
      ],
      [
        `${calls} calls → ${manyBoxes} boxes`,
        (b) => ({
          daemon: b.daemon.slice(1, manyBoxes + 1),
          modVoicemail: b.modVoicemail.slice(1, manyBoxes + 1),
        }),
      ],
    ]
    const rows: string[][] = [
      [
        'batch',
        'who',
        'lamp p50',
        'p99',
        'mail p50',
        'p99',
        'CPU FS',
        'daemon',
        'total',
        'mailers',
        'stored/mailed/full',
        'wall s',
        '',
      ],
    ]
    /** One batch per side, mod_voicemail first, FreeSWITCH back to idle after each. */
    const batchPerSide = async (
      label: string,
      chosen: Boxes,
      callCount: number,
      pauseMs = 3000,
    ): Promise<BatchFigures[]> => {
      const figures: BatchFigures[] = []
      for (const side of ['mod_voicemail', 'voicemaild'] as const) {
        const plan: BatchPlan = {
          side,
          prefix: side === 'voicemaild' ? '03' : '04',
          boxes: side === 'voicemaild' ? chosen.daemon : chosen.modVoicemail,
          calls: callCount,
          firstNumber: number,
          speakMs,
        }
        number += callCount + 10
        const batch = await runBatch(plan, context(side))
        figures.push(batch)
        if (logDir !== undefined)
          await appendFile(
            join(logDir, 'bench-calls.jsonl'),
            `${JSON.stringify({ batch: label, side, ...batch.detail })}\n`,
          )
        console.error(`… ${label}: ${side} done`)
        await new Promise((resolve) => setTimeout(resolve, pauseMs))
      }
      return figures
    }
    // Not measured: two calls per side into a box of its own (the last one), so that the batches measure a PBX
    // that has been running, not the first mail, SQL and prompts of processes just started (nodemailer's first
    // send alone takes 52–91 ms in a fresh process against 4–12 ms after: BENCHMARKS.md).
    await batchPerSide(
      'warm-up',
      { daemon: boxes.daemon.slice(-1), modVoicemail: boxes.modVoicemail.slice(-1) },
      2,
    )
    // One call at a time, the sides taking turns: the latency of a deposit on a PBX doing nothing else (SPEC §9's
    // "Measured 2026-11-30" figures), without the queueing a burst adds.
    if (singles > 0) {
      const name = `1 call at a time × ${singles}`
      const rounds: BatchFigures[][] = []
      const one = { daemon: boxes.daemon.slice(-2, -1), modVoicemail: boxes.modVoicemail.slice(-2, -1) }
      for (let r = 0; r < singles; r++) rounds.push(await batchPerSide(name, one, 1, 1000))
      rows.push(...rowsOf(name, mergeRounds(rounds)))
    }
    for (const [name, pick] of scenarios) {
      const figures = await batchPerSide(name, pick(boxes), calls)
      rows.push(...rowsOf(name, figures))
      for (const f of figures) {
        const problems = f.outcomes.filter((o) => o.problem !== undefined)
        if (problems.length > 0)
          console.error(
            `note: ${name}, ${f.side}: ${problems.length} calls failed: ${problems[0]?.problem ?? ''}`,
          )
      }
    }
    console.log(table(rows))
    console.log(
      '\nlamp: caller hangup → NOTIFY at the box’s phone (sipp); mail: caller hangup → DATA accepted by the SMTP sink;' +
        '\nCPU: ms per call, idle subtracted; "total" = FreeSWITCH + daemon for voicemaild, FreeSWITCH alone for' +
        '\nmod_voicemail; "mailers" = FreeSWITCH’s child processes (mod_voicemail’s mailer command), not in "total".' +
        '\ntargets (SPEC §9): lamp p50 ≤ mod_voicemail’s and ≤ 15 ms; mail p50 ≤ 60 ms;' +
        '\nCPU total ≤ 1.1 × mod_voicemail’s FreeSWITCH; 60 calls into one 10 MiB box: 60 stored, 60 mailed, 0 full',
    )
    console.log(`load after: ${uptime()}`)
  } finally {
    for (const phone of phones.values()) await phone.stop()
    await store?.close().catch(() => undefined)
    await daemon?.stop()
    await fs.stop(5000)
    await sink.stop()
    if (process.env.BENCH_KEEP_DIR === '1') console.error(`kept ${work}`)
    else await rm(work, { recursive: true, force: true })
  }
}
