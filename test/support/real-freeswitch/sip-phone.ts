/**
 * SIP phones for the real tier, played by sipp: a desk phone that registers and subscribes to message-summary
 * (its lamp is the last NOTIFY body it received), and a called phone that is busy or rings unanswered.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freeUdpTcpPort } from '../ports.js'
import { holdsUdpPort } from './udp-bound.js'

const SCENARIOS = fileURLToPath(new URL('./sipp/', import.meta.url))

/** One NOTIFY the phone received (message-summary body), with the wall-clock time sipp logged it. */
export interface LampNotify {
  at: number
  /** `Messages-Waiting: yes|no`. */
  waiting: boolean
  /** `Voice-Message: 1/0 (0/0)` as sent. */
  voiceMessage: string
  /** `Message-Account:` as sent, when present. */
  account?: string
  /** The NOTIFY's Subscription-State (an out-of-dialog NOTIFY says `terminated`). */
  subscriptionState?: string
}

export interface PhoneOptions {
  user: string
  domain: string
  password: string
  /** FreeSWITCH's SIP port. */
  sipPort: number
  expiresSeconds?: number
}

class Sipp {
  readonly exited: Promise<number | null>
  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  }
  stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    return this.exited
  }
}

function runSipp(scenario: string, options: PhoneOptions, localPort: number, extra: string[]): Sipp {
  const args = [
    `127.0.0.1:${options.sipPort}`,
    '-sf',
    join(SCENARIOS, scenario),
    '-i',
    '127.0.0.1',
    '-p',
    String(localPort),
    '-s',
    options.user,
    '-au',
    options.user,
    '-ap',
    options.password,
    '-key',
    'domain',
    options.domain,
    '-key',
    'expires',
    String(options.expiresSeconds ?? 3600),
    '-m',
    '1',
    // Answer FreeSWITCH's out-of-dialog NOTIFY (sent after every REGISTER) instead of aborting on it.
    '-aa',
    '-nostdin',
    ...extra,
  ]
  return new Sipp(spawn('sipp', args, { stdio: 'ignore' }))
}

/**
 * `start` on a port `freeUdpTcpPort` saw free just now; again on another port, up to `tries` in all, while it
 * resolves undefined (the port was taken by another process in between: sipp then exits at once). Resolves
 * undefined when every try lost its port.
 */
async function onFreshPort<T>(
  tries: number,
  start: (port: number) => Promise<T | undefined>,
): Promise<T | undefined> {
  for (let attempt = 1; attempt <= tries; attempt++) {
    const started = await start(await freeUdpTcpPort())
    if (started !== undefined) return started
  }
  return undefined
}

/** The phone's sipp is gone (it could not bind its port, or FreeSWITCH ended its scenario). */
class SippExited extends Error {}

/** A registered phone subscribed to its lamp. */
export class DeskPhone {
  private constructor(
    readonly options: PhoneOptions,
    private readonly sipp: Sipp,
    private readonly logFile: string,
  ) {}

  /** Registers and subscribes; resolves once the subscription's first NOTIFY arrived. */
  static async start(options: PhoneOptions, logDir: string, timeoutMs = 15_000): Promise<DeskPhone> {
    let lastExit: SippExited | undefined
    const phone = await onFreshPort(3, async (port) => {
      const logFile = join(logDir, `phone-${options.user}-${Date.now()}-${port}.log`)
      const sipp = runSipp('phone.xml', options, port, ['-trace_msg', '-message_file', logFile])
      const started = new DeskPhone(options, sipp, logFile)
      try {
        await started.waitFor(() => true, timeoutMs)
        return started
      } catch (err) {
        await sipp.stop()
        if (!(err instanceof SippExited)) throw err
        lastExit = err
        return undefined
      }
    })
    if (phone === undefined) throw lastExit ?? new SippExited(`sipp phone ${options.user} exited`)
    return phone
  }

  /** Every message-summary NOTIFY of the subscription dialog so far, oldest first. */
  notifies(): LampNotify[] {
    if (!existsSync(this.logFile)) return []
    return parseNotifies(readFileSync(this.logFile, 'utf8')).filter(
      (n) => n.subscriptionState !== 'terminated',
    )
  }

  /**
   * The out-of-dialog NOTIFYs FreeSWITCH sends to the phone's registration (`Subscription-State: terminated`):
   * what a directory `mwi-account` lights (sofia matches MESSAGE_WAITING on the registration's mwi_user, sp.c),
   * and the answers to the REGISTER's MESSAGE_QUERY. Oldest first.
   */
  registrationNotifies(): LampNotify[] {
    if (!existsSync(this.logFile)) return []
    return parseNotifies(readFileSync(this.logFile, 'utf8')).filter(
      (n) => n.subscriptionState === 'terminated',
    )
  }

  /** Like `waitFor`, over `registrationNotifies()`. */
  async waitForRegistration(
    match: (n: LampNotify) => boolean,
    timeoutMs = 15_000,
    since = 0,
  ): Promise<LampNotify> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const hit = this.registrationNotifies().slice(since).find(match)
      if (hit !== undefined) return hit
      if (this.sipp.child.exitCode !== null) throw new Error(`sipp phone ${this.options.user} exited`)
      if (Date.now() > deadline) {
        throw new Error(
          `phone ${this.options.user}: no matching registration NOTIFY in ${timeoutMs} ms; got ${JSON.stringify(this.registrationNotifies())}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** The lamp: the last NOTIFY's state. */
  lamp(): LampNotify | undefined {
    return this.notifies().at(-1)
  }

  /** Resolves with the first NOTIFY (after the first `since`) that matches. */
  async waitFor(match: (n: LampNotify) => boolean, timeoutMs = 15_000, since = 0): Promise<LampNotify> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const hit = this.notifies().slice(since).find(match)
      if (hit !== undefined) return hit
      if (this.sipp.child.exitCode !== null) throw new SippExited(`sipp phone ${this.options.user} exited`)
      if (Date.now() > deadline) {
        throw new Error(
          `phone ${this.options.user}: no matching NOTIFY in ${timeoutMs} ms; got ${JSON.stringify(this.notifies())}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  stop(): Promise<number | null> {
    return this.sipp.stop()
  }
}

/** A phone that is called and is busy (486) or rings unanswered (180 until CANCEL). */
export class CalledPhone {
  private constructor(
    private readonly uas: Sipp,
    private readonly logFile: string,
  ) {}

  /** The start lines of the SIP messages the phone received and sent, in order (for a failing test's message). */
  exchanged(): string[] {
    if (!existsSync(this.logFile)) return []
    const lines = readFileSync(this.logFile, 'utf8').split('\n')
    return lines.filter((line, i) => i > 0 && /^UDP message (received|sent)/.test(lines[i - 1] ?? ''))
  }

  static async start(
    options: PhoneOptions,
    answer: 'busy' | 'ring',
    isRegistered: () => Promise<boolean>,
    logDir: string,
  ): Promise<CalledPhone> {
    const logFile = join(logDir, `called-${options.user}-${Date.now()}.log`)
    const { uas, contactPort } = await startCalledSipp(answer, options.user, logFile)
    // A register that fails at once most likely lost its port to another process.
    let code: number | null = null
    const registered = await onFreshPort(3, async (registerPort) => {
      const reg = runSipp('register.xml', options, registerPort, [
        '-key',
        'contact_port',
        String(contactPort),
      ])
      code = await reg.exited
      return code === 0 ? true : undefined
    })
    if (registered === undefined) {
      await uas.stop()
      throw new Error(`sipp could not register ${options.user} (exit ${String(code)})`)
    }
    for (let i = 0; i < 100 && !(await isRegistered()); i++) await new Promise((r) => setTimeout(r, 50))
    return new CalledPhone(uas, logFile)
  }

  stop(): Promise<number | null> {
    return this.uas.stop()
  }
}

/** The called phone's sipp, once it holds its contact port (another port when it lost the port to someone). */
async function startCalledSipp(
  answer: 'busy' | 'ring',
  user: string,
  logFile: string,
): Promise<{ uas: Sipp; contactPort: number }> {
  const started = await onFreshPort(5, async (contactPort) => {
    const args = [
      '-sf',
      join(SCENARIOS, answer === 'busy' ? 'uas-busy.xml' : 'uas-ring.xml'),
      '-i',
      '127.0.0.1',
    ]
      .concat(['-p', String(contactPort), '-m', '1', '-aa', '-nostdin', '-s', user])
      .concat(['-trace_msg', '-message_file', logFile, '-trace_err', '-error_file', `${logFile}.err`])
    const uas = new Sipp(spawn('sipp', args, { stdio: 'ignore' }))
    const pid = uas.child.pid
    for (let i = 0; i < 250 && pid !== undefined && uas.child.exitCode === null; i++) {
      if (await holdsUdpPort(pid, contactPort)) return { uas, contactPort }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await uas.stop()
    return undefined
  })
  if (started === undefined) throw new Error(`sipp could not listen as called phone ${user} (5 ports tried)`)
  return started
}

/** Reads sipp's `-message_file`: blocks headed `----- YYYY-MM-DD HH:MM:SS.micros`, NOTIFY requests received. */
export function parseNotifies(log: string): LampNotify[] {
  const out: LampNotify[] = []
  const blocks = log.split(/^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n/m)
  for (let i = 1; i + 1 < blocks.length; i += 2) {
    const stamp = blocks[i] ?? ''
    const text = blocks[i + 1] ?? ''
    if (!/message received/.test(text)) continue
    const start = text.indexOf('NOTIFY ')
    if (start < 0 || !/^\s*$/.test(text.slice(text.indexOf('\n\n') + 2, start))) continue
    const message = text.slice(start)
    const waiting = /^Messages-Waiting:\s*(yes|no)/im.exec(message)?.[1]
    if (waiting === undefined) continue
    const voice = /^Voice-Message:\s*(.+)$/im.exec(message)?.[1]?.trim() ?? ''
    const account = /^Message-Account:\s*(.+)$/im.exec(message)?.[1]?.trim()
    const state = /^Subscription-State:\s*([a-z]+)/im.exec(message)?.[1]
    out.push({
      at: sippTime(stamp),
      waiting: waiting.toLowerCase() === 'yes',
      voiceMessage: voice,
      ...(account !== undefined ? { account } : {}),
      ...(state !== undefined ? { subscriptionState: state } : {}),
    })
  }
  return out
}

/** sipp logs local time with microseconds; the machine's zone applies (Date parses it as local). */
function sippTime(stamp: string): number {
  const [date, time] = stamp.split(' ')
  const [hms, micros] = (time ?? '').split('.')
  return new Date(`${date ?? ''}T${hms ?? ''}`).getTime() + Math.floor(Number(micros ?? '0') / 1000)
}
