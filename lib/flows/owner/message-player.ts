import type { Message } from '../../store/types.js'
import { ANY_KEY } from '../menu.js'
import { refreshLamp, type OwnerSession } from './session.js'

/** `4` / `6` during the audio move this far (mod_voicemail: 6 s back, 3 s ahead; FusionPBX: 5 s both ways). */
export const SKIP_SECONDS = 5

/** How a message went: unreadable (skipped), or played, maybe ended by a key the after-message menu should take. */
export type PlayOutcome = { readable: false } | { readable: true; key?: string }

/**
 * Play one message (SPEC §4 owner 5): the envelope (`*` skips it), then the audio, where `4` goes back 5 s, `6`
 * ahead 5 s and `#` stops; any other key stops it too and is handed to the after-message menu (so `7` during the
 * audio deletes at once, as in mod_voicemail). mod_voicemail's pause/restart keys are shadowed by repeat/previous
 * there; here no key has two meanings.
 *
 * A message whose file is missing, empty or not a WAV is skipped with a prompt and reported (log + audit), never
 * replayed in a loop (mod_voicemail's 0-byte-file loop, FreeSWITCH issue 2876). The first time a message is heard
 * it is marked heard (it stays new) and the lamp is refreshed with READ.
 */
export async function playMessage(
  session: OwnerSession,
  message: Message,
  position: number,
): Promise<PlayOutcome> {
  const { call, deps } = session
  const path = deps.files.fromStored(message.file)
  const info = message.missing ? undefined : await deps.files.inspect(path).catch(() => undefined)
  if (info === undefined || info.dataBytes === 0) return unreadable(session, message, info === undefined)

  await envelope(session, message, position)

  const step = SKIP_SECONDS * info.sampleRate
  const totalSamples = Math.floor(info.dataBytes / Math.max(1, (info.bitsPerSample / 8) * info.channels))
  let start = 0
  let key: string | undefined
  for (;;) {
    const result = await call.play(path, { terminators: ANY_KEY, startSample: start })
    if (!result.played) return unreadable(session, message, false)
    key = result.terminator
    // playback_last_offset_pos is where the file handle stopped, counted from the start of the file.
    if (key === '4') start = Math.max(0, result.offsetSamples - step)
    else if (key === '6') start = result.offsetSamples + step
    else break
    if (start >= totalSamples) {
      key = undefined
      break
    }
  }
  if (message.heardAt === undefined) {
    await deps.store.messages.markHeard(message.rowId)
    message.heardAt = deps.clock.now()
    await refreshLamp(session, 'READ')
  }
  return key === undefined || key === '#' || key === '*' ? { readable: true } : { readable: true, key }
}

/**
 * "Message number N, received <date and time in the box's timezone>, from <caller number>, <duration>". The
 * `timezone` channel variable (set at login) makes mod_say's date use the box's zone. The caller number is said
 * digit by digit from its digits only: caller data never reaches an app argument as is.
 */
async function envelope(session: OwnerSession, message: Message, position: number): Promise<void> {
  const { call, deps } = session
  const { prompts } = deps
  const skip = '*'
  const steps: Array<() => Promise<{ terminator?: string }>> = []
  if (message.urgent) steps.push(() => call.play(prompts.std('urgent'), { terminators: skip }))
  steps.push(
    () => call.play(prompts.std('messageNumber'), { terminators: skip }),
    () => call.say({ type: 'number', method: 'pronounced', text: String(position + 1), terminators: skip }),
    () =>
      call.say({
        type: 'short_date_time',
        method: 'pronounced',
        text: String(Math.floor(message.receivedAt / 1000)),
        terminators: skip,
      }),
  )
  const digits = message.callerIdNumber.replace(/[^0-9]/g, '').slice(0, 20)
  if (digits === '') {
    steps.push(() =>
      call.play([prompts.std('messageFrom'), prompts.std('anonymousCaller')], { terminators: skip }),
    )
  } else {
    steps.push(
      () => call.play(prompts.std('messageFrom'), { terminators: skip }),
      () => call.say({ type: 'name_spelled', method: 'iterated', text: digits, terminators: skip }),
    )
  }
  steps.push(() =>
    call.say({
      type: 'time_measurement',
      method: 'pronounced',
      text: String(Math.max(1, Math.round(message.durationMs / 1000))),
      terminators: skip,
    }),
  )
  for (const step of steps) {
    if ((await step()).terminator === skip) return
  }
}

async function unreadable(session: OwnerSession, message: Message, gone: boolean): Promise<PlayOutcome> {
  const { deps, log } = session
  log.warn(
    { messageUuid: message.uuid, file: message.file, missing: gone },
    'message audio unreadable; skipped',
  )
  if (gone && !message.missing) {
    const exists = await deps.files.exists(deps.files.fromStored(message.file))
    if (!exists) await deps.store.messages.setMissing(message.rowId, true)
  }
  await deps.store.audit
    .append({
      mailboxRowId: message.mailboxRowId,
      actor: session.actor,
      action: 'message.unreadable',
      detail: { uuid: message.uuid, file: message.file },
    })
    .catch((err: unknown) => log.warn({ err }, 'audit entry failed'))
  await session.call.play(deps.prompts.own('unreadableMessage'))
  return { readable: false }
}
