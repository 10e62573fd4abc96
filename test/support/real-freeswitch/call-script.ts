/**
 * A caller following the prompts of one test call: wait until the daemon runs the app that asks (seen as
 * CHANNEL_EXECUTE on the B leg), then type the answer. Keys typed earlier would be lost as a real caller's are
 * (the daemon flushes queued DTMF before each menu), so every key waits for its prompt. Also reads back what the
 * caller heard: the prompt files of `playback` / `play_and_get_digits` and the arguments of `say`.
 */
import { basename } from 'node:path'
import type { EslClient, ReceivedEvent } from './esl-client.js'
import type { TestCall } from './test-call.js'

export interface Executed {
  app: string
  data: string
}

export class CallScript {
  /** Index in the event log after the last app this script matched: the next wait looks from there on. */
  private cursor = 0

  constructor(
    private readonly esl: EslClient,
    readonly call: TestCall,
  ) {}

  /**
   * The next app B runs (after the one matched before) named `app` whose data matches; `data` may also be a prompt
   * file's base name (`vm-enter_pass.wav`), matched against the files the app plays.
   */
  async next(app: string, data?: RegExp | string, timeoutMs = 30_000): Promise<ReceivedEvent> {
    const event = await this.esl.waitFor(
      (e) =>
        e.name === 'CHANNEL_EXECUTE' &&
        e.get('Unique-ID') === this.call.b &&
        e.get('Application') === app &&
        matches({ app, data: e.get('Application-Data') ?? '' }, data),
      timeoutMs,
      this.cursor,
    )
    this.cursor = this.esl.events.lastIndexOf(event) + 1
    return event
  }

  /** The next time B plays (or collects after) a prompt whose base name is `file`. */
  async prompt(file: string, timeoutMs = 30_000): Promise<ReceivedEvent> {
    const event = await this.esl.waitFor(
      (e) =>
        e.name === 'CHANNEL_EXECUTE' &&
        e.get('Unique-ID') === this.call.b &&
        promptFiles({ app: e.get('Application') ?? '', data: e.get('Application-Data') ?? '' }).some(
          (f) => basename(f) === file,
        ),
      timeoutMs,
      this.cursor,
    )
    this.cursor = this.esl.events.lastIndexOf(event) + 1
    return event
  }

  /** Wait for the prompt `file`, then type `keys` as the caller. */
  async answer(file: string, keys: string, timeoutMs = 30_000): Promise<void> {
    await this.prompt(file, timeoutMs)
    await this.call.dtmf(keys)
  }

  /** Every prompt file the caller heard so far (base names, in order). */
  heard(): string[] {
    return this.call.executed().flatMap((e) => promptFiles(e).map((f) => basename(f)))
  }

  /** Every `say` the caller heard so far (`en number pronounced 2` …). */
  said(): string[] {
    return this.call
      .executed()
      .filter((e) => e.app === 'say')
      .map((e) => e.data)
  }
}

function matches(executed: Executed, data: RegExp | string | undefined): boolean {
  if (data === undefined) return true
  if (typeof data !== 'string') return data.test(executed.data)
  return promptFiles(executed).some((f) => basename(f) === data)
}

/**
 * The files an app plays: `playback`'s argument (a `file_string://a!b` list is split; an `@@offset` dropped) or
 * `play_and_get_digits`'s prompt (its sixth word). Tones and silence are left out.
 */
export function promptFiles(executed: Executed): string[] {
  let target: string
  if (executed.app === 'playback') target = executed.data
  else if (executed.app === 'play_and_get_digits') target = executed.data.split(' ')[5] ?? ''
  else return []
  const files = target.startsWith('file_string://')
    ? target.slice('file_string://'.length).split('!')
    : [target]
  return files
    .map((f) => f.replace(/@@\d+$/, ''))
    .filter((f) => f !== '' && !f.startsWith('silence_stream://') && !f.startsWith('tone_stream://'))
}
