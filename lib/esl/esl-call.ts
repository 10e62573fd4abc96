import type {
  Call,
  CallInfo,
  CollectOptions,
  PlayOptions,
  PlayResult,
  RecordOptions,
  RecordResult,
  SayOptions,
} from './call.js'
import { matchesPattern, noInjection, word } from './app-args.js'
import { HangupError } from './errors.js'
import { header, variablesOf } from './event-headers.js'
import { entryFromDtmf, playResult, recordResult } from './media-results.js'
import { silenceHits } from './silence-hits.js'
import type { EslSession } from './esl-session.js'
import type { EslEvent } from './modesl-patched.js'

/** Timeouts of one call's commands. Every wait has one (FreeSWITCH may never complete an app, §1.3). */
export interface EslCallOptions {
  /** Language module for `say` when the flow gives none (config `prompts.language`). */
  language: string
  /** Quick commands and apps: answer, set, flush_dtmf, hangup, transfer, exit. */
  commandTimeoutMs: number
  /** playback / say / play_and_get_digits (plus their own digit timeouts); long messages play for minutes. */
  mediaTimeoutMs: number
  /** Added to `maxSeconds` of a record (FreeSWITCH overruns its limit by up to 1 s; silence detection, I/O). */
  recordMarginMs: number
  /** How long a record interrupted by hangup still waits for its RECORD_STOP / EXECUTE_COMPLETE (`record_ms`). */
  hangupGraceMs: number
}

export const defaultEslCallOptions: EslCallOptions = {
  language: 'en',
  commandTimeoutMs: 10_000,
  mediaTimeoutMs: 15 * 60_000,
  recordMarginMs: 30_000,
  hangupGraceMs: 3_000,
}

/**
 * `Call` over one FreeSWITCH outbound-socket connection (see `EslSession` for the transport).
 *
 * Argument safety: FreeSWITCH expands `${…}` in every app argument and splits it on spaces. Paths and prompt
 * names come from our own config and file layout; digits, terminators and regexes from flow code. Values that
 * could break an argument (whitespace where one word is expected, CR/LF, `${`) are refused with EslCommandError.
 * Never pass caller-controlled text (caller-id name, …) here.
 */
export class EslCall implements Call {
  readonly info: CallInfo
  /** The flow transferred the call: the runner must not hang it up at the end. */
  transferred = false
  private readonly vars: Map<string, string>
  /** Channel variables this call has set, with the value each had before its first change (undefined: unset). */
  private readonly changed = new Map<string, string | undefined>()
  private collectSeq = 0
  /** `digits_dialed_filter` is set (before the first secret entry of the call). */
  private dtmfLogMasked = false

  constructor(
    private readonly session: EslSession,
    info: CallInfo,
    private readonly options: EslCallOptions = defaultEslCallOptions,
  ) {
    this.info = info
    this.vars = new Map(info.variables)
  }

  get hungUp(): boolean {
    return this.session.hungUp
  }

  get ended(): Promise<void> {
    return this.session.ended
  }

  variable(name: string): string | undefined {
    return this.vars.get(name)
  }

  async answer(): Promise<void> {
    await this.run('answer', '', this.options.commandTimeoutMs)
  }

  async setVariable(name: string, value: string): Promise<void> {
    word(name, 'set')
    noInjection(value, 'set')
    this.remember(name)
    await this.run('set', `${name}=${value}`, this.options.commandTimeoutMs)
  }

  /**
   * Put back what this call set on the channel (SPEC §8), before a transfer or the final `exit` of a call still up:
   * each variable gets its value from before our first change, or is unset when it had none (FreeSWITCH's own
   * default, e.g. `*` for `playback_terminators`, applies again). Variables already back at that value cost no
   * command. A value that cannot be passed back safely (CR/LF or `${` in it) is left as ours.
   */
  async restoreChannel(): Promise<void> {
    const changes = [...this.changed]
    this.changed.clear()
    for (const [name, original] of changes) {
      if (this.vars.get(name) === original) continue
      if (original === undefined) {
        await this.run('unset', name, this.options.commandTimeoutMs)
      } else if (!/[\r\n]/.test(original) && !original.includes('${')) {
        await this.run('set', `${name}=${original}`, this.options.commandTimeoutMs)
      }
    }
  }

  async play(file: string | readonly string[], options: PlayOptions = {}): Promise<PlayResult> {
    const files = typeof file === 'string' ? [file] : [...file]
    if (files.length === 0) return { played: true, offsetSamples: 0 }
    files.forEach((f) => word(f, 'playback'))
    if (options.startSample !== undefined && options.startSample > 0) {
      files[0] = `${files[0] ?? ''}@@${Math.floor(options.startSample)}`
    }
    const target = files.length === 1 ? (files[0] ?? '') : `file_string://${files.join('!')}`
    const event = await this.withTerminators(options.terminators ?? '', () =>
      this.run('playback', target, this.options.mediaTimeoutMs),
    )
    return playResult(event, options.terminators ?? '')
  }

  async say(options: SayOptions): Promise<PlayResult> {
    const language = options.language ?? this.options.language
    ;[language, options.type, options.method].forEach((w) => word(w, 'say'))
    noInjection(options.text, 'say')
    const event = await this.withTerminators(options.terminators ?? '', () =>
      this.run(
        'say',
        `${language} ${options.type} ${options.method} ${options.text}`,
        this.options.mediaTimeoutMs,
      ),
    )
    return playResult(event, options.terminators ?? '')
  }

  /**
   * `play_and_get_digits` (esl-protocol.md §4). Accept the entry only if our variable is present and
   * `read_result` is not `failure` (`timeout` after ≥ min digits is a valid entry), and re-check its length.
   * Each collect uses a fresh variable name, so a value left by an earlier collect can never be mistaken for
   * this one's (FreeSWITCH also leaves `read_terminator_used` stale).
   *
   * A secret entry (a PIN) is stored in no variable: FreeSWITCH keeps every variable on the channel, and every
   * later event, `uuid_dump` and CDR carries it (seen on real FreeSWITCH: `variable_vmd_digits_2: 7315`), while
   * unsetting it afterwards would still leave it in this app's own CHANNEL_EXECUTE_COMPLETE. With `''` as the
   * variable name FreeSWITCH stores nothing (`switch_channel_set_variable` ignores an empty name), and with `''`
   * as the regex it neither checks nor logs the entry (its "Test Regex [digits]" debug line); the digits come from
   * the DTMF events FreeSWITCH fires for each digit it takes (EslSession `dtmf`).
   *
   * FreeSWITCH also logs every digit a channel dequeues and, at hangup, writes them all into `digits_dialed`
   * (CHANNEL_HANGUP_COMPLETE and every CDR; seen on real FreeSWITCH 1.11: `variable_digits_dialed:
   * 6180427395#5937261804#…`). Before the first secret entry of a call we set `digits_dialed_filter=.+`, which
   * makes FreeSWITCH mask the whole string with X (switch_channel.c, the `digits_dialed` of
   * switch_channel_set_timestamps). (`sensitive_dtmf=true` would hide the digits from the log too, but also
   * from the DTMF events this reads them from.)
   */
  async collect(options: CollectOptions): Promise<string> {
    const prompts = typeof options.prompt === 'string' ? [options.prompt] : [...options.prompt]
    prompts.forEach((p) => word(p, 'play_and_get_digits'))
    const prompt = prompts.length === 1 ? (prompts[0] ?? '') : `file_string://${prompts.join('!')}`
    const invalid = options.invalidPrompt ?? 'silence_stream://250'
    word(invalid, 'play_and_get_digits')
    const terminators =
      options.terminators === undefined || options.terminators === '' ? '#' : options.terminators
    const pattern = options.pattern ?? '^[0-9*#]+$'
    ;[terminators, pattern].forEach((w) => word(w, 'play_and_get_digits'))
    const secret = options.secret === true
    const tries = secret ? 1 : Math.max(1, options.tries ?? 1)
    const digitTimeout = options.digitTimeoutMs ?? options.timeoutMs
    // `''`: an empty argument to FreeSWITCH's argument splitter (switch_separate_string strips the quotes).
    const variable = secret ? "''" : `vmd_digits_${++this.collectSeq}`
    const arg = [
      options.min,
      options.max,
      tries,
      options.timeoutMs,
      terminators,
      prompt,
      invalid,
      variable,
      secret ? "''" : pattern,
      digitTimeout,
    ].join(' ')
    const budget = this.options.mediaTimeoutMs + tries * (options.timeoutMs + options.max * digitTimeout)
    if (secret && !this.dtmfLogMasked) {
      await this.run('set', 'digits_dialed_filter=.+', this.options.commandTimeoutMs)
      this.dtmfLogMasked = true
    }
    const typed: string[] = []
    const onDtmf = secret ? (d: string): number => typed.push(d) : undefined
    const event = await this.run('play_and_get_digits', arg, budget, undefined, false, onDtmf)
    const digits = secret
      ? entryFromDtmf(typed, terminators, options.max)
      : header(event, `variable_${variable}`)
    if (digits === undefined || header(event, 'variable_read_result') === 'failure') return ''
    if (digits.length < options.min || digits.length > options.max) return ''
    return matchesPattern(pattern, digits) ? digits : ''
  }

  /**
   * `record <path> <limit> <thresh> <hits>`. Resolves on hangup too: after CHANNEL_HANGUP it still waits
   * `hangupGraceMs` for its RECORD_STOP / EXECUTE_COMPLETE to learn `record_ms` (they arrive thanks to `linger`).
   * Sets nothing on the channel but `playback_terminators` (no `record_*` variables that could redirect the file).
   * The silence is given to FreeSWITCH in hits scaled to the call's read rate (silence-hits.ts), so it lasts
   * `silenceSeconds` on Opus and wideband calls too.
   */
  async record(path: string, options: RecordOptions): Promise<RecordResult> {
    word(path, 'record')
    if (this.session.hungUp) return { durationMs: 0, silenceEnded: false, hungUp: true }
    const terminators = options.terminators ?? '#'
    let stop: EslEvent | undefined
    const off = this.session.on('RECORD_STOP', (event) => (stop = event))
    const hits = silenceHits(
      options.silenceSeconds,
      this.vars.get('read_rate'),
      this.vars.get('record_sample_rate'),
    )
    const arg = `${path} ${Math.ceil(options.maxSeconds)} ${options.silenceThreshold} ${hits}`
    const timeout = options.maxSeconds * 1000 + this.options.recordMarginMs
    try {
      const done = await this.withTerminators(terminators, () =>
        this.run('record', arg, timeout, this.options.hangupGraceMs),
      )
      return recordResult(done, terminators, this.session.hungUp)
    } catch (err) {
      if (!(err instanceof HangupError)) throw err
      return stop === undefined
        ? { durationMs: 0, silenceEnded: false, hungUp: true }
        : recordResult(stop, terminators, true)
    } finally {
      off()
    }
  }

  /**
   * FreeSWITCH `uuid_break` on this call's own socket. Seen on real FreeSWITCH 1.11 over `async full`: a running
   * `record` ends within tens of ms, its completion carries the `record_ms` of what was written and the WAV is
   * complete; the next playback plays in full; a break while nothing runs changes nothing. (The `break`
   * application, queued with sendmsg, ends a `record` the same way but only where the running app reads its
   * queued messages.)
   */
  async breakMedia(): Promise<void> {
    if (this.session.hungUp) return
    word(this.info.uuid, 'uuid_break')
    try {
      // `-ERR No such channel!` only means the call ended meanwhile.
      await this.session.api(`uuid_break ${this.info.uuid}`, this.options.commandTimeoutMs)
    } catch (err) {
      if (!(err instanceof HangupError)) throw err
    }
  }

  async flushDtmf(): Promise<void> {
    await this.run('flush_dtmf', '', this.options.commandTimeoutMs)
  }

  async sleep(ms: number): Promise<void> {
    await this.run('sleep', String(Math.max(0, Math.floor(ms))), ms + this.options.commandTimeoutMs)
  }

  async transfer(extension: string, dialplan?: string, context?: string): Promise<void> {
    const words = [extension, ...(dialplan === undefined ? [] : [dialplan, context ?? this.info.context])]
    words.forEach((w) => word(w, 'transfer'))
    await this.restoreChannel()
    await this.run('transfer', words.join(' '), this.options.commandTimeoutMs)
    this.transferred = true
  }

  /**
   * `sendmsg` with `call-command: hangup` (no app needed), then wait for CHANNEL_HANGUP or the socket closing.
   * A no-op when the caller is already gone.
   */
  async hangup(cause = 'NORMAL_CLEARING'): Promise<void> {
    if (this.session.hungUp) return
    word(cause, 'hangup')
    try {
      await this.session.command(
        'sendmsg',
        { 'call-command': 'hangup', 'hangup-cause': cause },
        this.options.commandTimeoutMs,
      )
    } catch (err) {
      if (err instanceof HangupError) return
      throw err
    }
    await Promise.race([this.session.ended, delay(this.options.commandTimeoutMs)])
  }

  /** Note the value `name` has before this call first changes it (for `restoreChannel`). */
  private remember(name: string): void {
    if (!this.changed.has(name)) this.changed.set(name, this.vars.get(name))
  }

  /** Execute one app and fold its completion's channel variables into `variable()`. */
  private async run(
    app: string,
    arg: string,
    timeoutMs: number,
    hangupGraceMs?: number,
    lock = false,
    dtmf?: (digit: string) => void,
  ): Promise<EslEvent> {
    const event = await this.session.execute(app, arg, {
      timeoutMs,
      lock,
      ...(hangupGraceMs === undefined ? {} : { hangupGraceMs }),
      ...(dtmf === undefined ? {} : { dtmf }),
    })
    // EXECUTE_COMPLETE carries every channel variable (§1.3): it replaces our view, so deleted ones disappear.
    const vars = variablesOf(event)
    if (vars.size > 0) {
      this.vars.clear()
      for (const [k, v] of vars) this.vars.set(k, v)
    }
    return event
  }

  /**
   * Set `playback_terminators` and run the media app. Both messages are queued at once (one round trip instead of
   * two, so a digit is less likely to fall into the parked gap between them, §1.4). `event-lock` on the `set`
   * keeps the pair in order; the media app itself is not locked, so a hangup message can still reach it.
   * `none` when no digit may stop the media. Skipped when the channel already has that value.
   */
  private async withTerminators(terminators: string, media: () => Promise<EslEvent>): Promise<EslEvent> {
    const value = terminators === '' ? 'none' : terminators
    word(value, 'set')
    // Every completion reports the channel's variables: when the terminators are already right (the common case
    // in a menu loop), the `set` and its two events are saved.
    if (this.vars.get('playback_terminators') === value) return media()
    this.remember('playback_terminators')
    const set = this.run(
      'set',
      `playback_terminators=${value}`,
      this.options.commandTimeoutMs,
      undefined,
      true,
    )
    const played = media()
    const [, event] = await Promise.all([set, played])
    return event
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}
