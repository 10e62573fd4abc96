import modesl from 'modesl'
import { installFastPath } from './modesl-fast-path.js'
import { installParserGuard } from './parser-guard.js'

/**
 * The one entry point to modesl for the rest of `lib/esl/`: importing it installs the parser guard and the fast
 * path before any Connection exists. Never import 'modesl' directly elsewhere.
 */
installParserGuard()
installFastPath()

export const { Connection, Event } = modesl
export type Connection = InstanceType<typeof modesl.Connection>
export type EslEvent = InstanceType<typeof modesl.Event>
export type RawHeaders = Record<string, string | string[] | number | undefined>
