import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Clock } from '../clock.js'
import type { Config } from '../config/types.js'
import type { Logger } from '../log.js'
import { AudioFiles } from '../store/audio-files.js'
import { openStore, type Store } from '../store/index.js'
import { EnvironmentError } from './errors.js'
import type { Output, TextSink } from './output.js'

/** What voicemailctl gets from its process (daemon/ctl.ts), passed in so commands run as functions in tests. */
export interface CtlIo {
  stdout: TextSink
  stderr: TextSink
  /** Where `pin set` reads a PIN when `--pin` is not given (`setRawMode`: a terminal's, to turn echo off). */
  stdin?: AsyncIterable<string | Buffer> & { setRawMode?: (raw: boolean) => unknown }
  /** stdin is a terminal: `pin set` prompts for the PIN. */
  stdinIsTty?: boolean
  env: Readonly<Record<string, string | undefined>>
  cwd: string
  /** The effective user id (`process.getuid()`), for the "do not write the state as root" guard. */
  uid?: number
  clock?: Clock
  /** The config path used when neither `--config` nor VOICEMAILD_CONFIG is given (tests point it elsewhere). */
  defaultConfigPath?: string
  /** The audio file layer over `stateDir` (default); tests pass one whose unlink fails, to stand for a crash. */
  files?: (stateDir: string) => AudioFiles
}

/** How long a voicemailctl statement waits for the running daemon's write lock before giving up. */
export const CTL_BUSY_TIMEOUT_MS = 10_000

/**
 * One voicemailctl invocation: the loaded config, where to print, and the store, opened on first use (commands
 * such as `doctor` or `--help` never open it) and closed by `close()`.
 */
export class CtlContext {
  readonly files: AudioFiles
  private opened: Promise<Store> | undefined

  constructor(
    readonly config: Config,
    readonly io: CtlIo,
    readonly out: Output,
    readonly clock: Clock,
    readonly log: Logger,
  ) {
    this.files = io.files?.(config.stateDir) ?? new AudioFiles(config.stateDir)
  }

  get dbPath(): string {
    return join(this.config.stateDir, 'voicemail.db')
  }

  /**
   * The store over the daemon's database (same file, WAL, busy timeout: safe beside a running daemon). Rejects
   * with EnvironmentError when the state directory is missing, or when run as root on a state directory owned by
   * another user (files root creates there, such as the WAL, would lock the daemon out of its own database).
   */
  store(): Promise<Store> {
    this.opened ??= this.open()
    return this.opened
  }

  async close(): Promise<void> {
    if (this.opened === undefined) return
    const store = await this.opened.catch(() => undefined)
    await store?.close().catch(() => undefined)
  }

  private async open(): Promise<Store> {
    const dir = this.config.stateDir
    const info = await stat(dir).catch(() => undefined)
    if (info === undefined || !info.isDirectory()) {
      throw new EnvironmentError(`state directory ${dir} does not exist`, [
        'start voicemaild once (it creates it), or check stateDir in the config',
      ])
    }
    if (this.io.uid === 0 && info.uid !== 0) {
      throw new EnvironmentError(`refusing to work on ${dir} as root: it belongs to uid ${info.uid}`, [
        `files created as root would lock voicemaild out; run as its user, e.g. sudo -u '#${info.uid}' voicemailctl …`,
      ])
    }
    try {
      return await openStore(this.dbPath, this.clock, { busyTimeoutMs: CTL_BUSY_TIMEOUT_MS })
    } catch (err) {
      throw new EnvironmentError(`cannot open the database ${this.dbPath}`, [reason(err)], { cause: err })
    }
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
