import type { Logger } from '../log.js'
import { domainSettings } from '../store/domain-settings.js'
import type { Mailbox } from '../store/types.js'
import type { FlowDeps } from './deps.js'

/**
 * The personal box `(domain, id)`, created on the spot when the domain auto-provisions and FreeSWITCH's directory
 * knows the extension (`user_exists`). FreeSWITCH being unreachable means "not known": no box is invented.
 * Resolves undefined when no box may be created. Two first callers at once both get the one box.
 */
export async function provisionPersonalBox(
  domain: string,
  id: string,
  deps: FlowDeps,
  log: Logger,
): Promise<Mailbox | undefined> {
  const settings = await domainSettings(domain, deps)
  if (!settings.autoProvision) return undefined
  const known = await deps.directory.userExists(id, domain).catch((err: unknown) => {
    log.warn({ err }, 'user_exists failed; not auto-provisioning')
    return false
  })
  if (!known) return undefined
  await deps.store.domains.ensure(domain, settings)
  try {
    const box = await deps.store.mailboxes.create({ domain, id, kind: 'personal' })
    log.info({ mailbox: id }, 'mailbox auto-provisioned')
    await deps.store.audit.append({
      mailboxRowId: box.rowId,
      actor: 'daemon',
      action: 'auto-provision',
      detail: {},
    })
    return box
  } catch (err) {
    const raced = await deps.store.mailboxes.find(domain, id)
    if (raced !== undefined) return raced
    throw err
  }
}
