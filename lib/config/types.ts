/**
 * The validated, frozen configuration every component receives. `parse.ts` builds it from YAML + environment and
 * `defaults.ts` holds every default in one place; this file is only the shape. Keys are the operator contract of
 * SPEC §1 and are documented one by one in docs/configuration.md.
 */

export type DomainMode = 'dual' | 'unified'
export type MailboxKind = 'personal' | 'general'

export interface ListenConfig {
  host: string
  port: number
  /** Peer addresses allowed to connect to the outbound-socket listener; empty = anyone who can reach it. */
  allowFrom: readonly string[]
}

export interface FreeswitchNode {
  host: string
  port: number
  password: string
}

export interface SmtpConfig {
  host: string
  port: number
  /** true = implicit TLS (port 465); false = plain, upgraded with STARTTLS when offered. */
  secure: boolean
  /** Refuse to send unless STARTTLS succeeded. */
  requireTls: boolean
  /** Verify the server certificate (turn off only for self-signed test relays). */
  rejectUnauthorized: boolean
  user?: string
  password?: string
}

export interface MailConfig {
  /** From: header of every mail the daemon sends. */
  from: string
  /** Folder with operator templates overriding the shipped ones (`new-message.subject.txt`, …). */
  templatesDir?: string
  /** Give up retrying a temporarily failing mail after this long. */
  giveUpHours: number
  /** First retry delay; doubles each attempt up to `maxBackoffSeconds`. */
  initialBackoffSeconds: number
  maxBackoffSeconds: number
}

export interface DomainConfig {
  mode: DomainMode
  /** The general box every phone's Message button opens in unified mode. */
  unifiedMailbox?: string
  /** Extension `0` transfers to during a greeting; unset = `0` does nothing. */
  operator?: string
  /** Create a personal box the first time an extension FreeSWITCH knows (`user_exists`) is reached. */
  autoProvision: boolean
  /** IANA zone for dates spoken and mailed; boxes may override. */
  timezone: string
}

/** A mailbox declared in the config file (SPEC §7): created when missing, settings applied on start/reload. */
export interface MailboxDeclaration {
  id: string
  domain: string
  kind: MailboxKind
  name?: string
  /** Initial (temporary) PIN of a newly created box only; never reapplied over one the owner set. */
  pin?: string
  email?: readonly string[]
  attachAudio?: boolean
  keepAfterEmail?: boolean
  notifyFull?: boolean
  mwiAccounts?: readonly string[]
  quotaBytes?: number
  timezone?: string
  enabled?: boolean
}

export interface RecordingConfig {
  maxMessageSeconds: number
  minMessageSeconds: number
  silenceThreshold: number
  silenceSeconds: number
  maxGreetingSeconds: number
  /** Re-record attempts offered to a caller whose message was too short. */
  maxTooShortRetries: number
}

export interface MenuConfig {
  /** Tries on no or invalid input before goodbye. */
  retries: number
  digitTimeoutMs: number
}

export interface SecurityConfig {
  pinTriesPerCall: number
  /** Failures within `failureWindowMinutes` (across calls) that lock the box. */
  lockoutFailures: number
  failureWindowMinutes: number
  lockoutMinutes: number
}

export interface PromptConfig {
  /** Where FreeSWITCH finds its sound pack; empty = FreeSWITCH's own `sound_prefix`. */
  soundPrefix: string
  /** Language for `say` (module `en`, `de`, …). */
  language: string
  /** Our own prompts (weak-PIN reasons, lockout); absolute path as FreeSWITCH sees it. */
  customDir: string
}

export interface JobSchedules {
  cleanup: string
  reconcile: string
  mwiResync: string
  outbox: string
  dbMaintenance: string
}

export interface RetentionConfig {
  /** Saved messages older than this are deleted by cleanup; 0 = never. */
  savedDays: number
  /** New (unheard) messages older than this are deleted by cleanup; 0 = never. */
  newDays: number
}

export interface CallbackConfig {
  /** Key 5 "call the sender back" is offered (true as soon as `context` is set). */
  enabled: boolean
  /**
   * A fixed dialplan context for the callback; unset = the call's own context (`Caller-Context`), which is what a
   * multi-tenant dialplan (one context per domain) needs.
   */
  context?: string
  dialplan: string
}

/** The voicemail page and the operators' endpoints (SPEC §10): one HTTP listener inside the daemon. */
export interface HttpConfig {
  /** false = no listener at all (no page, no /healthz, no /metrics). */
  enabled: boolean
  host: string
  port: number
  /**
   * Reverse proxies (IP addresses or CIDR ranges) whose `X-Forwarded-For/-Proto/-Host` headers are believed. Empty =
   * none: the page then sees the proxy's own address and plain HTTP.
   */
  trustedProxies: readonly string[]
  /** Client addresses (after proxy resolution) allowed to read /healthz and /metrics; IPs or CIDR ranges. */
  operatorAllowFrom: readonly string[]
  /** A session ends after this long without a request... */
  sessionIdleMinutes: number
  /** ...and in any case this long after the login. */
  sessionMaxHours: number
  /** Largest greeting upload accepted (the file as sent, before conversion). */
  maxUploadBytes: number
  health: HealthConfig
}

/** When /healthz answers 503. */
export interface HealthConfig {
  /** Free space under the state directory below this is a failure (recordings would fail). */
  minFreeDiskMiB: number
  /** A mail still unsent this long after it was queued is a failure (the relay is down or refusing). */
  maxOutboxAgeMinutes: number
}

export interface Config {
  stateDir: string
  listen: ListenConfig
  freeswitch: readonly FreeswitchNode[]
  smtp?: SmtpConfig
  mail: MailConfig
  defaultDomain: string
  domains: Readonly<Record<string, DomainConfig>>
  mailboxes: readonly MailboxDeclaration[]
  /** Default quota of a box that sets none. */
  defaultQuotaBytes: number
  retention: RetentionConfig
  recording: RecordingConfig
  menus: MenuConfig
  security: SecurityConfig
  prompts: PromptConfig
  jobs: JobSchedules
  callback: CallbackConfig
  http: HttpConfig
  /** SIGTERM waits this long for live calls before hanging them up. */
  drainSeconds: number
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  /** Where this configuration came from, for the daemon's start-up log; absent on hand-built configs. */
  source?: ConfigSource
}

/** Facts about how a Config was built, safe to log (never a secret's value). */
export interface ConfigSource {
  /** The YAML file read, if any. */
  file?: string
  /** No file was read: the daemon runs on the embedded defaults (and env/credential overrides). */
  defaultsOnly: boolean
  /** Human-readable notes worth logging at start (`no config file at …, using defaults`, secret sources). */
  notes: readonly string[]
}
