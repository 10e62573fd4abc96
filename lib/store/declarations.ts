import { defaultDomainSettings } from '../config/defaults.js'
import type { Config, DomainConfig, MailboxDeclaration } from '../config/types.js'
import { StoreConflictError } from './errors.js'
import type { Store } from './index.js'
import type { MailboxSettings } from './mailboxes.js'
import { defaultScryptParams, hashPin, type ScryptParams } from './pin.js'
import type { Domain, Mailbox } from './types.js'

/** What applying the config's declarations changed: domain names and `id@domain` box keys. */
export interface DeclarationSummary {
  created: string[]
  updated: string[]
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

function domainDiffers(current: Domain, wanted: DomainConfig): boolean {
  return (
    current.mode !== wanted.mode ||
    current.unifiedMailbox !== wanted.unifiedMailbox ||
    current.operator !== wanted.operator ||
    current.autoProvision !== wanted.autoProvision ||
    current.timezone !== wanted.timezone
  )
}

/** The declared settings that differ from the box; keys the declaration leaves out are not touched. */
function settingsToApply(box: Mailbox, decl: MailboxDeclaration): MailboxSettings {
  const changes: MailboxSettings = {}
  if (box.kind !== decl.kind) changes.kind = decl.kind
  if (decl.name !== undefined && box.name !== decl.name) changes.name = decl.name
  if (decl.email !== undefined && !sameList(box.email, decl.email)) changes.email = decl.email
  if (decl.attachAudio !== undefined && box.attachAudio !== decl.attachAudio)
    changes.attachAudio = decl.attachAudio
  if (decl.keepAfterEmail !== undefined && box.keepAfterEmail !== decl.keepAfterEmail) {
    changes.keepAfterEmail = decl.keepAfterEmail
  }
  if (decl.notifyFull !== undefined && box.notifyFull !== decl.notifyFull)
    changes.notifyFull = decl.notifyFull
  if (decl.mwiAccounts !== undefined && !sameList(box.mwiAccounts, decl.mwiAccounts)) {
    changes.mwiAccounts = decl.mwiAccounts
  }
  if (decl.quotaBytes !== undefined && box.quotaBytes !== decl.quotaBytes)
    changes.quotaBytes = decl.quotaBytes
  if (decl.timezone !== undefined && box.timezone !== decl.timezone) changes.timezone = decl.timezone
  if (decl.enabled !== undefined && box.enabled !== decl.enabled) changes.enabled = decl.enabled
  return changes
}

/**
 * Make the store match the config file's `domains:` and `mailboxes:` (SPEC §7), on start and on every reload:
 * declared domains are created or get their declared settings; a domain only named by a declared box is created
 * with the defaults; declared boxes are created when missing and get their declared settings (keys a declaration
 * leaves out keep whatever the owner or voicemailctl set). A declared PIN becomes the *temporary* PIN of a box
 * this call creates, and is never applied to an existing box. Nothing is ever deleted. Resolves to what changed;
 * rejects with StoreConflictError for an invalid box id or kind, or StoreError.
 */
export async function applyDeclarations(
  store: Store,
  config: Pick<Config, 'domains' | 'mailboxes'>,
  options: { actor?: string; scrypt?: ScryptParams } = {},
): Promise<DeclarationSummary> {
  const actor = options.actor ?? 'config'
  const summary: DeclarationSummary = { created: [], updated: [] }

  for (const [name, wanted] of Object.entries(config.domains)) {
    const current = await store.domains.get(name)
    if (current !== undefined && !domainDiffers(current, wanted)) continue
    await store.domains.upsert({ name, ...wanted })
    ;(current === undefined ? summary.created : summary.updated).push(name)
  }

  for (const decl of config.mailboxes) {
    const key = `${decl.id}@${decl.domain}`
    if ((await store.domains.get(decl.domain)) === undefined) {
      await store.domains.ensure(decl.domain, defaultDomainSettings)
      summary.created.push(decl.domain)
    }
    let box = await store.mailboxes.find(decl.domain, decl.id)
    if (box === undefined) {
      // Hash outside any transaction: scrypt takes ~0.1 s and must not hold the statement queue.
      const pinHash =
        decl.pin === undefined ? undefined : await hashPin(decl.pin, options.scrypt ?? defaultScryptParams)
      try {
        box = await store.mailboxes.create({
          ...decl,
          ...(pinHash === undefined ? {} : { pinHash, pinTemporary: true }),
        })
        await store.audit.append({
          mailboxRowId: box.rowId,
          actor,
          action: 'box.created',
          detail: { box: key },
        })
        summary.created.push(key)
        continue
      } catch (err) {
        // Created meanwhile (voicemailctl, auto-provisioning): fall through and apply the settings, not the PIN.
        if (!(err instanceof StoreConflictError)) throw err
        box = await store.mailboxes.find(decl.domain, decl.id)
        if (box === undefined) throw err
      }
    }
    const changes = settingsToApply(box, decl)
    if (Object.keys(changes).length === 0) continue
    await store.mailboxes.update(box.rowId, changes)
    await store.audit.append({
      mailboxRowId: box.rowId,
      actor,
      action: 'box.updated',
      detail: { box: key, settings: Object.keys(changes) },
    })
    summary.updated.push(key)
  }
  return summary
}
