import { VoicemailError } from '../errors.js'

/** Why an audio file was refused; stable codes for the page, voicemailctl `--json` and tests. */
export type AudioProblem = 'not-audio' | 'unsupported' | 'corrupt' | 'too-long' | 'too-short' | 'timeout'

/**
 * An uploaded or imported file that cannot become a greeting. `message` is a sentence for the person who sent the
 * file (shown on the page, printed by voicemailctl); it never contains the file's bytes.
 */
export class AudioConversionError extends VoicemailError {
  constructor(
    readonly problem: AudioProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
