/**
 * What a call flow may do with a call. Flows are plain async functions over this interface; they never see ESL
 * frames, modesl or sockets. `EslCall` implements it over a FreeSWITCH outbound-socket connection.
 *
 * Every method throws `HangupError` when the caller is already gone (except `record`, whose whole point is the
 * file, and `hangup`, which is then a no-op), and `EslTimeoutError` / `EslCommandError` when FreeSWITCH
 * misbehaves. Expected outcomes (no digits, a terminator pressed, a missing prompt file) are values.
 *
 * @packageDocumentation
 */

/** Channel data FreeSWITCH sent with the `connect` reply (CHANNEL_DATA), decoded and frozen. */
export interface CallInfo {
  readonly uuid: string
  readonly callerIdName: string
  readonly callerIdNumber: string
  readonly destinationNumber: string
  /**
   * The dialplan context the call is in (`Caller-Context`; FreeSWITCH sends no `variable_context`). Transfers go
   * back into it, so in a multi-tenant dialplan (a context per domain) the call stays in its tenant.
   */
  readonly context: string
  /** `variable_*` headers with the prefix removed (`vm_action`, `domain_name`, `sip_from_user`, …). */
  readonly variables: ReadonlyMap<string, string>
  /**
   * The FreeSWITCH node's `Core-UUID` (new at each FreeSWITCH start): after a daemon crash, the node to ask whether
   * this call's channel still records.
   */
  readonly coreUuid?: string
}

export interface PlayOptions {
  /**
   * Digits that stop the playback (FreeSWITCH `playback_terminators`): e.g. `'#*0'`. `''` = nothing stops it.
   * Default `''`.
   */
  terminators?: string
  /** Start this many samples into the file (FreeSWITCH `file@@sample`); for rewind / fast-forward. */
  startSample?: number
}

export interface PlayResult {
  /** The terminator digit that stopped playback, if any. */
  terminator?: string
  /** false when FreeSWITCH answered FILE NOT FOUND / PLAYBACK ERROR: a missing prompt never breaks a flow. */
  played: boolean
  /** Where playback stopped, in samples from the start of the file (`playback_last_offset_pos`). */
  offsetSamples: number
}

export interface CollectOptions {
  /** Prompt(s) played while waiting; any digit interrupts them and counts as the first digit. */
  prompt: string | readonly string[]
  min: number
  max: number
  /** Prompt played after an invalid try. Default: none (silence). */
  invalidPrompt?: string
  /** How many tries FreeSWITCH itself makes. Default 1: flows usually run their own retry loop. */
  tries?: number
  /** Wait for the first digit. */
  timeoutMs: number
  /** Wait between digits. Default = timeoutMs. */
  digitTimeoutMs?: number
  /** Digits that end entry without being part of it. Default `'#'`. */
  terminators?: string
  /** Regular expression the whole entry must match (FreeSWITCH syntax). Default `\d+`-like for digits. */
  pattern?: string
  /**
   * The entry is a PIN (SPEC §4 owner 1: a PIN never stays on the channel). FreeSWITCH keeps it in no channel
   * variable, so no event, `uuid_dump` or CDR holds it; the digits are read from the DTMF events of the entry
   * instead. One try only (`tries` is ignored); the pattern is checked here, not by FreeSWITCH (whose regex
   * check logs the entry).
   */
  secret?: boolean
}

export interface RecordOptions {
  maxSeconds: number
  silenceThreshold: number
  /** Silence that ends the recording, in seconds of audio whatever the call's codec and rate. */
  silenceSeconds: number
  /** Digits that stop the recording. Default `'#'`. */
  terminators?: string
}

export interface RecordResult {
  /** Audio written, as FreeSWITCH reports it (`record_ms`), including trailing silence. 0 if unknown. */
  durationMs: number
  terminator?: string
  /** The recording ended because of silence (`silence_hits_exhausted`). */
  silenceEnded: boolean
  /** The caller hung up during (or before the end of) the recording. */
  hungUp: boolean
}

/** Arguments of FreeSWITCH's `say` application: `say <lang> <type> <method> <text>`. */
export interface SayOptions {
  /** e.g. `number`, `digits` (NAME_SPELLED, ...), `current_date_time`, `short_date_time`, `time_measurement`. */
  type: string
  /** e.g. `pronounced`, `iterated`, `counted`. */
  method: string
  text: string
  terminators?: string
  /** Language module; default: the configured prompt language. */
  language?: string
}

export interface Call {
  readonly info: CallInfo
  /** True once FreeSWITCH reported the hangup (CHANNEL_HANGUP or the socket closed). */
  readonly hungUp: boolean
  /** Resolves when the call is gone (hangup or socket closed); never rejects. */
  readonly ended: Promise<void>

  answer(): Promise<void>
  setVariable(name: string, value: string): Promise<void>
  /** Latest value FreeSWITCH reported for a channel variable (from channel data and execute completions). */
  variable(name: string): string | undefined

  /** Play one file, or several in a row (`file_string://`). Missing files are an outcome, not an error. */
  play(file: string | readonly string[], options?: PlayOptions): Promise<PlayResult>
  /** FreeSWITCH `say` (numbers, digits, dates, durations) in the configured language. */
  say(options: SayOptions): Promise<PlayResult>
  /** `play_and_get_digits`: the digits entered, `''` on timeout or invalid entry. */
  collect(options: CollectOptions): Promise<string>
  /** Record to `path` (FreeSWITCH writes the file). Resolves on hangup too: the audio is what matters. */
  record(path: string, options: RecordOptions): Promise<RecordResult>
  /**
   * End the media app running now (a `record` the quota needs to stop), as if the caller had pressed its
   * terminator. Harmless when nothing runs; a no-op when the caller is gone.
   */
  breakMedia(): Promise<void>
  /** Drop digits the caller typed ahead (FreeSWITCH `flush_dtmf`), so a stray `#` cannot end the next step. */
  flushDtmf(): Promise<void>
  sleep(ms: number): Promise<void>
  /**
   * Transfer to another extension (operator, callback); the flow should end afterwards. What the daemon set on the
   * channel (`playback_terminators`, `record_sample_rate`, `timezone`, …) is restored first, so the next
   * application is not stopped by a key press or made to record at 8 kHz.
   */
  transfer(extension: string, dialplan?: string, context?: string): Promise<void>
  /** Hang up (default NORMAL_CLEARING). A no-op when the caller is already gone. */
  hangup(cause?: string): Promise<void>
}
