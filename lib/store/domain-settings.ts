import { defaultDomainSettings } from '../config/defaults.js'
import type { Config } from '../config/types.js'
import type { Store } from './index.js'
import type { Domain } from './types.js'

/**
 * A domain's settings as the store has them (voicemailctl or the config file wrote them), else as the config file
 * declares them, else the defaults. Reading the store each call makes `voicemailctl domain set` take effect at
 * once, without a reload.
 */
export async function domainSettings(
  name: string,
  deps: { store: Store; config: Pick<Config, 'domains'> },
): Promise<Domain> {
  const stored = await deps.store.domains.get(name)
  if (stored !== undefined) return stored
  const declared = deps.config.domains[name] ?? defaultDomainSettings
  return { name, ...declared }
}
