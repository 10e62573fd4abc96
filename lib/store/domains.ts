import type { Clock } from '../clock.js'
import type { DomainConfig, DomainMode } from '../config/types.js'
import type { Db } from './db.js'
import type { Domain } from './types.js'

interface DomainRow {
  name: string
  mode: string
  unified_mailbox: string | null
  operator: string | null
  auto_provision: number
  timezone: string
}

/** The one place a `domains` row becomes a `Domain`. */
function toDomain(row: DomainRow): Domain {
  const domain: Domain = {
    name: row.name,
    mode: row.mode as DomainMode,
    autoProvision: row.auto_provision !== 0,
    timezone: row.timezone,
  }
  if (row.unified_mailbox !== null) domain.unifiedMailbox = row.unified_mailbox
  if (row.operator !== null) domain.operator = row.operator
  return domain
}

const columns = 'name, mode, unified_mailbox, operator, auto_provision, timezone'

/** Domains: per-domain settings (mode, unified box, operator, autoProvision, timezone). */
export class DomainRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Resolves to the domain, or undefined when it has no row. */
  async get(name: string): Promise<Domain | undefined> {
    const row = await this.db.get<DomainRow>(`SELECT ${columns} FROM domains WHERE name = ?`, [name])
    return row === undefined ? undefined : toDomain(row)
  }

  /** Every domain, by name. */
  async list(): Promise<Domain[]> {
    const rows = await this.db.all<DomainRow>(`SELECT ${columns} FROM domains ORDER BY name`)
    return rows.map(toDomain)
  }

  /**
   * Create the domain or replace all its settings (from the config file or `voicemailctl domain set`). Optional
   * fields left undefined are cleared. Resolves to the stored domain; rejects with StoreError on a bad mode.
   */
  async upsert(domain: Domain): Promise<Domain> {
    const now = this.clock.now()
    await this.db.run(
      `INSERT INTO domains (name, mode, unified_mailbox, operator, auto_provision, timezone, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET mode = excluded.mode, unified_mailbox = excluded.unified_mailbox,
         operator = excluded.operator, auto_provision = excluded.auto_provision, timezone = excluded.timezone,
         updated_at = excluded.updated_at`,
      [
        domain.name,
        domain.mode,
        domain.unifiedMailbox ?? null,
        domain.operator ?? null,
        domain.autoProvision ? 1 : 0,
        domain.timezone,
        now,
        now,
      ],
    )
    return (await this.get(domain.name)) as Domain
  }

  /**
   * The domain, created with `settings` when it has no row yet (existing settings are left alone). Used before
   * creating a box in a domain that was never declared (auto-provisioning, `voicemailctl mailbox add`).
   */
  async ensure(name: string, settings: DomainConfig): Promise<Domain> {
    const now = this.clock.now()
    await this.db.run(
      `INSERT INTO domains (name, mode, unified_mailbox, operator, auto_provision, timezone, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
      [
        name,
        settings.mode,
        settings.unifiedMailbox ?? null,
        settings.operator ?? null,
        settings.autoProvision ? 1 : 0,
        settings.timezone,
        now,
        now,
      ],
    )
    return (await this.get(name)) as Domain
  }
}
