/**
 * Callers of the real tier that leave a message: dial, wait for the beep's `record`, "speak" (the A leg's tone) for
 * a while, then hang up (or press `#` and go through the review menu). Used both as the path under test and as
 * the setup of owner-side tests that need messages in a box.
 */
import { CallScript } from './call-script.js'
import type { Pbx } from './pbx.js'
import type { CallOptions, TestCall } from './test-call.js'

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Long enough above the 3 s minimum that a loaded machine never turns it into "too short". */
export const SPEAK_MS = 4500

export interface LeftMessage {
  call: TestCall
  script: CallScript
  /** The file the daemon told FreeSWITCH to record into (first word of `record`'s data). */
  recordPath: string
  /** Wall-clock ms from the `record` app starting to the caller ending it. */
  spokeMs: number
}

/**
 * Dial `destination`, wait for `record`, speak `speakMs`, then hang up (`end: 'hangup'`, the message is kept) or
 * press `#` and choose "2 save" then "# send" in the review menus (`end: 'keys'`, the caller hears "message
 * saved" and the daemon hangs up). Resolves when the call is over.
 */
export async function leaveMessage(
  pbx: Pbx,
  destination: string,
  options: CallOptions & { end?: 'hangup' | 'keys'; speakMs?: number; urgent?: boolean } = {},
): Promise<LeftMessage> {
  const call = await pbx.call(destination, options)
  const script = new CallScript(pbx.esl, call)
  const record = await script.next('record', undefined, 90_000)
  const started = Date.now()
  await sleep(options.speakMs ?? SPEAK_MS)
  const spokeMs = Date.now() - started
  if (options.end === 'keys') {
    await call.dtmf('#')
    await script.answer('vm-save_recording.wav', '2')
    await script.answer('vm-mark-urgent.wav', options.urgent === true ? '*' : '#')
    await script.prompt('message-saved.wav')
  } else {
    await call.hangup()
  }
  await call.ended()
  const recordPath = (record.get('Application-Data') ?? '').split(' ')[0] ?? ''
  return { call, script, recordPath, spokeMs }
}

/**
 * The box's messages once there are `count` of them. The daemon commits after the caller hung up (the file is
 * fsynced, then the row written), so the row comes a moment after the call ended.
 */
export async function messagesOnceThere(
  pbx: Pbx,
  box: string,
  count: number,
  timeoutMs = 30_000,
): Promise<Awaited<ReturnType<Pbx['messages']>>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const messages = await pbx.messages(box)
    if (messages.length >= count || Date.now() > deadline) return messages
    await sleep(100)
  }
}

/** Polls `check` until it holds (true) or `timeoutMs` passed (false): for effects the daemon finishes after a call. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await sleep(100)
  }
}

/**
 * The message recorded into `recordPath`, once the daemon committed it (undefined after `timeoutMs`). For boxes
 * that several calls of a test fill at the same time, where a count says nothing about one call's message.
 */
export async function messageRecordedAt(
  pbx: Pbx,
  box: string,
  recordPath: string,
  timeoutMs = 30_000,
): Promise<Awaited<ReturnType<Pbx['messages']>>[number] | undefined> {
  let found: Awaited<ReturnType<Pbx['messages']>>[number] | undefined
  await eventually(async () => {
    found = (await pbx.messages(box)).find((m) => recordPath.endsWith(`/${m.uuid}.wav`))
    return found !== undefined
  }, timeoutMs)
  return found
}
