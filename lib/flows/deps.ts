import type { ServiceDeps } from '../contracts/service-deps.js'
import type { UserDirectory } from '../contracts/user-directory.js'
import type { Prompts } from './prompts.js'

/**
 * Everything a call flow uses, passed in: flows hold no ESL strings, no SQL, no singletons. The daemon's shared
 * services (store, files, mail, lamps, clock, config, log, events) plus what only a call needs: the prompts and
 * FreeSWITCH's user directory (auto-provisioning).
 */
export interface FlowDeps extends ServiceDeps {
  directory: UserDirectory
  prompts: Prompts
}
