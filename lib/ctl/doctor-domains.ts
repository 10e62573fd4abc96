import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { systemClock } from '../clock.js'
import type { Config } from '../config/types.js'
import { Db } from '../store/db.js'
import { DomainRepo } from '../store/domains.js'
import { findAll, parseXml } from './mini-xml.js'

/** The domains of FreeSWITCH's user directory (`<domain name="…">` in `api xml_locate directory`), lower case. */
export function directoryDomains(xml: string): string[] {
  const names = findAll(parseXml(xml), 'domain').map((d) => (d.attrs.name ?? '').trim().toLowerCase())
  return [...new Set(names.filter((n) => n !== ''))]
}

/**
 * The domains voicemaild keeps boxes in: `defaultDomain`, `domains:`, the declared boxes' domains, and every
 * domain the database already has (boxes made with voicemailctl or auto-provisioned). The database is read
 * read-only and skipped when it cannot be (doctor reports that on its own line). Never rejects.
 */
export async function servedDomains(config: Config): Promise<string[]> {
  const names = [
    config.defaultDomain,
    ...Object.keys(config.domains),
    ...config.mailboxes.map((m) => m.domain),
  ]
  const path = join(config.stateDir, 'voicemail.db')
  if ((await stat(path).catch(() => undefined)) !== undefined) {
    const db = await Db.openReadOnly(path, { busyTimeoutMs: 0 }).catch(() => undefined)
    if (db !== undefined) {
      try {
        // Read-only: the clock is never used by list().
        names.push(...(await new DomainRepo(db, systemClock).list()).map((d) => d.name))
      } catch {
        // An empty or locked database: the configured domains still say enough.
      } finally {
        await db.close().catch(() => undefined)
      }
    }
  }
  return [...new Set(names.map((n) => n.toLowerCase()))]
}

/** What doctor says about the two sets of domains. */
export interface DomainComparison {
  status: 'ok' | 'warn'
  detail: string
}

/**
 * FreeSWITCH's domains (`theirs`: its directory, plus its global `domain` variable, which vanilla's public context
 * and directory use) against voicemaild's (`ours`). Phones send `vm_domain=${domain_name}`, the directory domain
 * they registered in, so a box is only ever reached in one of FreeSWITCH's domains: when the two sets share
 * nothing, every declared box is unreachable, auto-provisioning fills FreeSWITCH's domain with bare boxes
 * instead, and lamps light accounts no phone has.
 */
export function compareDomains(
  theirs: readonly string[],
  ours: readonly string[],
  defaultDomain: string,
): DomainComparison {
  const known = new Set(theirs)
  const shared = ours.filter((d) => known.has(d))
  const list = (names: readonly string[]): string => names.join(', ')
  if (shared.length === 0)
    return {
      status: 'warn',
      detail:
        `FreeSWITCH's domains (${list(theirs)}) and voicemaild's (${list(ours)}) share nothing: phones reach boxes ` +
        `in ${list(theirs)} (vm_domain=\${domain_name}), so the boxes configured in ${list(ours)} are never reached ` +
        `and their lamps light no phone. Set defaultDomain (and domains:) to FreeSWITCH's domain, or FreeSWITCH's ` +
        `domain (vars.xml) to yours (docs/operator-guide.md, "Domains")`,
    }
  const unknown = ours.filter((d) => !known.has(d))
  const notes = [
    ...(known.has(defaultDomain.toLowerCase())
      ? []
      : [`defaultDomain ${defaultDomain} is not one of FreeSWITCH's domains`]),
    ...(unknown.length > 0 ? [`${list(unknown)} unknown to this FreeSWITCH`] : []),
  ]
  return {
    status: 'ok',
    detail: `voicemaild serves ${list(shared)}, which FreeSWITCH knows${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`,
  }
}
