import { pino, type DestinationStream } from 'pino'

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
  return destination === undefined ? pino(options) : pino(options, destination)
}

/** A logger that drops everything: for tests and tools that do not want output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
