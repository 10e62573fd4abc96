import { VoicemailError } from '../lib/errors.js'

/** The daemon cannot start; the message is for the operator, the cause for the log. */
export class StartupError extends VoicemailError {}
