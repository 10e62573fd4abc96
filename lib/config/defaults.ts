import type { Config, DomainConfig, SmtpConfig } from './types.js'

/** Settings of a domain that is used (by a dialplan variable or a declared box) but not declared. */
export const defaultDomainSettings: DomainConfig = {
  mode: 'dual',
  autoProvision: true,
  timezone: 'UTC',
}

/**
 * Every default in one place. With no config file the daemon runs on exactly these: state under `./var`, mail to
 * the spool folder, FreeSWITCH on localhost.
 */
export const defaults: Config = {
  stateDir: './var',
  listen: { host: '127.0.0.1', port: 8084, allowFrom: [] },
  freeswitch: [{ host: '127.0.0.1', port: 8021, password: 'ClueCon' }],
  mail: {
    from: 'Voicemail <voicemail@localhost>',
    giveUpHours: 24,
    initialBackoffSeconds: 30,
    maxBackoffSeconds: 3600,
  },
  defaultDomain: 'localhost',
  domains: {},
  mailboxes: [],
  defaultQuotaBytes: 10 * 1024 * 1024,
  retention: { savedDays: 30, newDays: 0 },
  recording: {
    maxMessageSeconds: 300,
    minMessageSeconds: 3,
    silenceThreshold: 200,
    silenceSeconds: 3,
    maxGreetingSeconds: 90,
    maxTooShortRetries: 3,
  },
  menus: { retries: 3, digitTimeoutMs: 5000 },
  security: { pinTriesPerCall: 3, lockoutFailures: 10, failureWindowMinutes: 30, lockoutMinutes: 30 },
  prompts: { soundPrefix: '', language: 'en', customDir: '' },
  jobs: {
    cleanup: '15 3 * * *',
    reconcile: '45 3 * * *',
    mwiResync: '*/15 * * * *',
    outbox: '*/30 * * * * *',
    dbMaintenance: '30 4 * * 0',
  },
  callback: { enabled: false, dialplan: 'XML' },
  http: {
    enabled: true,
    host: '127.0.0.1',
    port: 8085,
    trustedProxies: [],
    operatorAllowFrom: ['127.0.0.1', '::1'],
    sessionIdleMinutes: 30,
    sessionMaxHours: 12,
    maxUploadBytes: 32 * 1024 * 1024,
    health: { minFreeDiskMiB: 100, maxOutboxAgeMinutes: 60 },
  },
  drainSeconds: 30,
  logLevel: 'info',
}

/**
 * Defaults for the keys of an `smtp:` section (which itself has no default: without it mail goes to the spool).
 * The port follows `secure`: 465 for implicit TLS, 587 (submission, STARTTLS when offered) otherwise.
 */
export const smtpDefaults: Omit<SmtpConfig, 'host' | 'port' | 'user' | 'password'> & {
  port: number
  securePort: number
} = {
  port: 587,
  securePort: 465,
  secure: false,
  requireTls: false,
  rejectUnauthorized: true,
}
