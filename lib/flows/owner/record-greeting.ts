import { randomUUID } from 'node:crypto'
import { HangupError } from '../../esl/errors.js'
import { setGreeting } from '../../lifecycle/greetings.js'
import { SAMPLE_RATE } from '../../quota/audio-format.js'
import type { GreetingKind } from '../../store/types.js'
import { reviewRecording } from '../menu.js'
import type { OwnerSession } from './session.js'

/** A greeting or name shorter than this is "too short" (a name alone is about a second long). */
export const MIN_GREETING_MS = 1000

/**
 * Record a greeting or the name (options `1`–`4`, first login): instructions, beep, record (`#`, silence or
 * `recording.maxGreetingSeconds` end it), then `1` listen, `2` save, `3` re-record; no answer saves, as after a
 * message. A too-short take is discarded and re-recorded (up to `menus.retries` times). The new file replaces the
 * old one (whose file is removed after the row changed). A hangup before "save" discards the take: a greeting the
 * owner never confirmed should not go live. Resolves true when a recording was stored.
 */
export async function recordGreeting(session: OwnerSession, kind: GreetingKind): Promise<boolean> {
  const { call, deps, log, box } = session
  const { prompts, config, files } = deps
  const instructions = kind === 'name' ? prompts.own('recordNameNow') : prompts.std('recordGreeting')
  await call.setVariable('record_sample_rate', String(SAMPLE_RATE))
  let tooShort = 0
  for (;;) {
    const path = files.greetingPath(box.domain, box.id, kind, randomUUID())
    await files.prepare(path)
    try {
      await call.flushDtmf()
      await call.play([instructions, prompts.std('beep')])
      const take = await call.record(path, {
        maxSeconds: config.recording.maxGreetingSeconds,
        silenceThreshold: config.recording.silenceThreshold,
        silenceSeconds: config.recording.silenceSeconds,
        terminators: '#',
      })
      if (take.hungUp || call.hungUp) {
        await files.remove(path)
        return false
      }
      const info = await files.commit(path).catch((err: unknown) => {
        log.warn({ err, kind }, 'greeting recording unreadable')
        return undefined
      })
      if (info === undefined || info.durationMs < MIN_GREETING_MS) {
        await files.remove(path)
        if (++tooShort > config.menus.retries) return false
        await call.play(prompts.std('tooSmall'))
        continue
      }
      const verdict = await reviewRecording(session.call, session.deps, path)
      if (verdict === 'rerecord') {
        await files.remove(path)
        continue
      }
      await setGreeting(box, kind, { path, ...info }, deps, {
        actor: session.actor,
        action: 'greeting.recorded',
      })
      log.info({ kind, durationMs: info.durationMs }, 'greeting recorded')
      await call.play(prompts.own('greetingSaved'))
      return true
    } catch (err) {
      if (err instanceof HangupError) await files.remove(path)
      throw err
    }
  }
}
