import { VoicemailError } from '../errors.js'

/** Exit codes of voicemailctl (documented in docs/operator-guide.md, "voicemailctl"). */
export const EXIT = {
  ok: 0,
  /** The command ran and failed or was refused: unknown box, weak PIN, bad WAV, doctor found a failure. */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing argument. */
  usage: 2,
  /** voicemailctl cannot run here: invalid config, database cannot be opened, wrong user. */
  environment: 3,
} as const

/** An error voicemailctl reports to the operator as it is, with an exit code and a stable code for `--json`. */
export class CtlError extends VoicemailError {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly code: string,
    /** Extra lines printed after the message (reasons, the command that would fix it). */
    readonly details: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Bad command line. */
export class UsageError extends CtlError {
  constructor(message: string, details: readonly string[] = []) {
    super(message, EXIT.usage, 'usage', details)
  }
}

/** The box, message, mail or domain named does not exist. */
export class NotFoundError extends CtlError {
  constructor(message: string) {
    super(message, EXIT.failed, 'not-found')
  }
}

/** The request was understood and refused (weak PIN, bad WAV, missing --yes). */
export class RefusedError extends CtlError {
  constructor(message: string, details: readonly string[] = [], code = 'refused') {
    super(message, EXIT.failed, code, details)
  }
}

/** voicemailctl cannot work here (database, permissions). */
export class EnvironmentError extends CtlError {
  constructor(message: string, details: readonly string[] = [], options?: { cause?: unknown }) {
    super(message, EXIT.environment, 'environment', details, options)
  }
}
