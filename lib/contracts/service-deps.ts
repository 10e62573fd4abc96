import type { Clock } from '../clock.js'
import type { Config } from '../config/types.js'
import type { Logger } from '../log.js'
import type { AudioFiles } from '../store/audio-files.js'
import type { Store } from '../store/index.js'
import type { MailboxEvents } from './events.js'
import type { MwiRequests } from './lamps.js'
import type { MailRequests } from './mail.js'

/**
 * The daemon's services every way into a box works with: the phone's call flows (whose `FlowDeps` adds prompts and
 * FreeSWITCH's directory) and the voicemail page get the same object, so a change made on either reaches the same
 * store, lamps and mail. `config` is replaced on reload (SIGHUP); read it at use, never keep a copy.
 */
export interface ServiceDeps {
  config: Config
  store: Store
  files: AudioFiles
  mail: MailRequests
  mwi: MwiRequests
  clock: Clock
  log: Logger
  events?: MailboxEvents
}
