/**
 * The calls the lamp, restart and voicemailctl tests make on the real FreeSWITCH, written as a caller or an owner
 * would make them: a deposit that records a few seconds (and may mark itself urgent), an owner who logs in and
 * saves or deletes. Keys are typed only once the daemon runs the application that reads them (the menus flush
 * keys typed earlier), so each step waits for its CHANNEL_EXECUTE on the B leg first.
 */
import { stat } from 'node:fs/promises'
import type { Store } from '../../../lib/store/index.js'
import { hashPin } from '../../../lib/store/pin.js'
import type { EslClient, ReceivedEvent } from './esl-client.js'
import { DOMAIN, type Pbx } from './pbx.js'
import type { LampNotify } from './sip-phone.js'
import type { CallOptions, TestCall } from './test-call.js'

/** Bytes FreeSWITCH writes per second of an 8 kHz 16-bit mono recording (the daemon forces 8 kHz). */
const BYTES_PER_SECOND = 16_000

/** Matches a NOTIFY body as the phone shows it: Messages-Waiting, Voice-Message and Message-Account of `user`. */
export function lampIs(waiting: boolean, voiceMessage: string, user: string): (n: LampNotify) => boolean {
  return (n) =>
    n.waiting === waiting && n.voiceMessage === voiceMessage && n.account === `sip:${user}@${DOMAIN}`
}

/** One call's applications, consumed in order: each `next` waits for an app after the previous one. */
export class CallScript {
  private mark: number

  constructor(
    private readonly esl: EslClient,
    readonly call: TestCall,
  ) {
    // From the B leg's first event: apps may have run before this object existed.
    const first = esl.events.findIndex((e) => e.get('Unique-ID') === call.b)
    this.mark = first < 0 ? esl.events.length : first
  }

  /** The next CHANNEL_EXECUTE of `app` on B (data matching), after the last one this script waited for. */
  async next(app: string, data?: RegExp, timeoutMs = 30_000): Promise<ReceivedEvent> {
    const event = await this.esl.waitFor(
      (e) =>
        e.name === 'CHANNEL_EXECUTE' &&
        e.get('Unique-ID') === this.call.b &&
        e.get('Application') === app &&
        (data === undefined || data.test(e.get('Application-Data') ?? '')),
      timeoutMs,
      this.mark,
    )
    this.mark = this.esl.events.indexOf(event, this.mark) + 1
    return event
  }

  /**
   * Wait for the next menu (the daemon's menus are one `playback` of the prompt and a `silence_stream` that any
   * key interrupts, lib/flows/menu.ts) and press `key`.
   */
  async menu(key: string): Promise<void> {
    await this.next('playback', /silence_stream:\/\//)
    await this.call.dtmf(key)
  }

  /** Wait for the PIN prompt (`play_and_get_digits`) and type the PIN and `#`. */
  async pin(pin: string): Promise<void> {
    await this.next('play_and_get_digits')
    await this.call.dtmf(`${pin}#`)
  }

  /** True while B is up (`uuid_exists`). */
  async alive(): Promise<boolean> {
    return (await this.esl.api(`uuid_exists ${this.call.b}`)).trim() === 'true'
  }
}

/** Resolves once `path` holds at least `seconds` of audio (FreeSWITCH writes it as the caller speaks). */
export async function recordedFor(path: string, seconds: number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    )
    if (size >= 44 + seconds * BYTES_PER_SECOND) return size
    if (Date.now() > deadline) throw new Error(`${path}: ${size} bytes after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The file a `record` app writes (its first argument). */
export function recordPath(event: ReceivedEvent): string {
  return (event.get('Application-Data') ?? '').split(' ')[0] ?? ''
}

export interface DepositOptions {
  /** Seconds of the caller's tone to record (default 4; the minimum message is 3 s). */
  seconds?: number
  /** End with `#`, then review `2` save and `*` urgent (default: the caller just hangs up). */
  urgent?: boolean
  call?: CallOptions
}

/**
 * A caller leaves a message in `box` through 03+box (direct deposit) and hangs up, or (urgent) ends the recording
 * with `#`, saves it and marks it urgent. Resolves when the B leg is gone (the daemon commits before it lets go).
 */
export async function leaveMessage(pbx: Pbx, box: string, options: DepositOptions = {}): Promise<void> {
  const call = await pbx.call(`03${box}`, options.call)
  const script = new CallScript(pbx.esl, call)
  const record = await script.next('record')
  await recordedFor(recordPath(record), options.seconds ?? 4)
  if (options.urgent === true) {
    await call.dtmf('#')
    await script.menu('2') // 1 listen, 2 save, 3 re-record
    await script.menu('*') // * urgent, # send
  } else {
    await call.hangup()
  }
  await call.ended()
}

export interface OwnerOptions {
  /** What the owner dials: 5001 (own box; the default) or a general box's extension (login). */
  dial?: string
  /** The registered phone the call comes from (`user_name`), e.g. the box's own extension. */
  fromUser: string
  pin: string
}

/** An owner who dialled in, typed the PIN and reached the main menu (not pressed anything yet). */
export async function ownerLogin(pbx: Pbx, options: OwnerOptions): Promise<CallScript> {
  const call = await pbx.call(options.dial ?? '5001', {
    fromUser: { user: options.fromUser, domain: DOMAIN },
    callerIdNumber: options.fromUser,
  })
  const script = new CallScript(pbx.esl, call)
  await script.pin(options.pin)
  return script
}

/** Give a box a PIN its owner chose (not temporary: no first-login setup), as `voicemailctl pin set` does. */
export async function setPin(store: Store, id: string, pin: string): Promise<void> {
  const box = await store.mailboxes.find(DOMAIN, id)
  if (box === undefined) throw new Error(`no box ${id}@${DOMAIN}`)
  await store.mailboxes.setPin(box.rowId, await hashPin(pin), false)
}
