import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino'

/**
 * The pino-shaped logger every component receives. Messages are constant strings; variable data goes in the
 * object first (`log.info({ mailbox }, 'message stored')`), errors under `err`. PINs and passwords never go in.
 */
export interface Logger {
  child(bindings: Record<string, unknown>): Logger
  debug(obj: object, msg: string): void
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
  fatal(obj: object, msg: string): void
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

type Level = 'debug' | 'info' | 'warn' | 'error' | 'fatal'

/**
 * One JSON key per field, whatever the layers add. pino writes a child's bindings after its parent's and the
 * call's fields after both, without looking, so a call logger bound with `domain` whose flow binds `domain` again
 * printed `"domain"` twice (JSON.parse keeps the last one silently; jq streams, Loki and Elasticsearch do not).
 * Here bindings are merged as objects instead: a child's value replaces its parent's, and a field given at the
 * call replaces a bound one, so each key appears once with its most specific value.
 */
class MergingLogger implements Logger {
  constructor(
    private readonly root: PinoLogger,
    private readonly bindings: Readonly<Record<string, unknown>>,
  ) {}

  child(bindings: Record<string, unknown>): Logger {
    return new MergingLogger(this.root, { ...this.bindings, ...bindings })
  }

  debug(obj: object, msg: string): void {
    this.write('debug', obj, msg)
  }

  info(obj: object, msg: string): void {
    this.write('info', obj, msg)
  }

  warn(obj: object, msg: string): void {
    this.write('warn', obj, msg)
  }

  error(obj: object, msg: string): void {
    this.write('error', obj, msg)
  }

  fatal(obj: object, msg: string): void {
    this.write('fatal', obj, msg)
  }

  private write(level: Level, obj: object, msg: string): void {
    // The level check first: debug lines (one per ESL command) cost nothing at info.
    if (this.root.isLevelEnabled(level)) this.root[level]({ ...this.bindings, ...obj }, msg)
  }
}

/**
 * JSON lines on `destination` (stdout by default). journald adds its own timestamps, but we keep pino's `time`
 * so that logs copied off the host still carry it.
 */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'voicemaild' },
    // Belt and braces: even if a caller passes a PIN or password by mistake, it never reaches the log.
    redact: { paths: ['pin', '*.pin', 'password', '*.password', 'newPin', '*.newPin'], censor: '[redacted]' },
  }
  const root = destination === undefined ? pino(options) : pino(options, destination)
  return new MergingLogger(root, {})
}

/** A logger that drops everything: for tests and tools that do not want output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
