import modesl from 'modesl'
import { installParserGuard } from './parser-guard.js'

/**
 * The one entry point to modesl for the rest of `lib/esl/`: importing it installs the parser guard before any
 * Connection exists. Never import 'modesl' directly elsewhere.
 */
installParserGuard()

export const { Connection, Event } = modesl
export type Connection = InstanceType<typeof modesl.Connection>
export type EslEvent = InstanceType<typeof modesl.Event>
export type RawHeaders = Record<string, string | string[] | number | undefined>
