import type { Clock } from '../clock.js'
import type { HttpConfig } from '../config/types.js'
import type { ServiceDeps } from '../contracts/service-deps.js'
import type { Logger } from '../log.js'
import type { BoxEventHub } from './box-events.js'
import type { HealthSources } from './health.js'
import type { VoicemailMetrics } from './metrics.js'
import type { SessionStore } from './session-store.js'

/** What every route of the voicemail page works with; built once by `WebServer`. */
export interface WebContext {
  /** The daemon's services: the same store, files, lamps and mail the phone menus use. */
  readonly deps: ServiceDeps
  /** The `http` section as the listener was started with (a change needs a restart, like `listen`). */
  readonly http: HttpConfig
  readonly sessions: SessionStore
  readonly hub: BoxEventHub
  readonly metrics: VoicemailMetrics
  readonly health: HealthSources
  readonly clock: Clock
  readonly log: Logger
}
