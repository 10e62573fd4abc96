import { resolve } from 'node:path'
import { Checker, isMapping, type Section } from './check.js'
import { defaults, smtpDefaults } from './defaults.js'
import { ConfigError } from './errors.js'
import { maxQuotaBytes, minQuotaBytes, parseDomainsAndMailboxes } from './parse-mailboxes.js'
import { packagePromptsDir } from './paths.js'
import { readSecretOverrides, type SecretOverrides } from './secrets.js'
import type { Config, FreeswitchNode, MailConfig, SmtpConfig } from './types.js'
import * as is from './values.js'

export interface ParseOptions {
  /** Folder relative paths resolve against: the config file's folder, or the working directory without a file. */
  baseDir: string
  /** `$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=`), read for `freeswitch-password`, `smtp-user`, `smtp-password`. */
  credentialsDir?: string
  /** The file `raw` came from, recorded in `config.source`. */
  file?: string
  /** Extra notes for `config.source.notes` (loadConfig's "no config file" note). */
  notes?: readonly string[]
}

const topKeys = [
  'stateDir', 'listen', 'freeswitch', 'smtp', 'mail', 'defaultDomain', 'domains', 'mailboxes', 'defaultQuotaBytes',
  'retention', 'recording', 'menus', 'security', 'prompts', 'jobs', 'callback', 'http', 'drainSeconds', 'logLevel',
] as const // prettier-ignore
const logLevels = ['debug', 'info', 'warn', 'error'] as const
const port = [1, 65535] as const

/**
 * Turns a parsed YAML document (`undefined` = no file: the embedded defaults) plus the environment into a frozen,
 * fully defaulted Config. Secrets from systemd credentials, then the environment, override the file.
 * Throws ConfigError listing every problem found (with its path in the file) when there is any.
 */
export function parseConfig(
  raw: unknown,
  env: Record<string, string | undefined>,
  options: ParseOptions,
): Config {
  const checker = new Checker()
  const root = checker.section(raw, [], topKeys)
  const secrets = readSecretOverrides(env, options.credentialsDir, checker)
  const notes = [...(options.notes ?? [])]
  const path = (key: string, fallback: string): string =>
    resolve(options.baseDir, root.str(key, fallback, is.nonEmpty))

  const listen = root.child('listen', ['host', 'port', 'allowFrom'])
  const defaultDomain = root.str('defaultDomain', defaults.defaultDomain, is.domainName)
  const { domains, mailboxes } = parseDomainsAndMailboxes(root, defaultDomain)
  const smtp = parseSmtp(root, secrets, notes)
  const config: Config = {
    // Under systemd, StateDirectory= exports STATE_DIRECTORY: the natural default there.
    stateDir: path('stateDir', env.STATE_DIRECTORY ?? defaults.stateDir),
    listen: {
      host: listen.str('host', defaults.listen.host, is.hostname),
      port: listen.int('port', ...port, defaults.listen.port),
      allowFrom: listen.optStrings('allowFrom', is.ipAddress) ?? [],
    },
    freeswitch: parseFreeswitch(root, secrets, notes),
    mail: parseMail(root, options.baseDir),
    defaultDomain,
    domains,
    mailboxes,
    defaultQuotaBytes: root.int(
      'defaultQuotaBytes',
      minQuotaBytes,
      maxQuotaBytes,
      defaults.defaultQuotaBytes,
    ),
    retention: parseRetention(root),
    recording: parseRecording(root),
    menus: parseMenus(root),
    security: parseSecurity(root),
    prompts: parsePrompts(root, options.baseDir),
    jobs: parseJobs(root),
    callback: parseCallback(root),
    http: parseHttp(root),
    drainSeconds: root.int('drainSeconds', 0, 3600, defaults.drainSeconds),
    logLevel: root.oneOf('logLevel', logLevels, defaults.logLevel),
    source:
      options.file === undefined
        ? { defaultsOnly: true, notes }
        : { file: options.file, defaultsOnly: false, notes },
  }
  if (smtp !== undefined) config.smtp = smtp
  // SPEC §1's example puts the sender under smtp; Config keeps it in mail.from, where spooled mail needs it too.
  const smtpFrom = field(root.get('smtp'), 'from')
  if (typeof smtpFrom === 'string' && is.mailbox(smtpFrom) === undefined) {
    const mailFrom = field(root.get('mail'), 'from')
    if (mailFrom !== undefined && mailFrom !== null && mailFrom !== smtpFrom) {
      checker.problem(['smtp', 'from'], 'conflicts with mail.from; set only one of them')
    }
    config.mail = { ...config.mail, from: smtpFrom }
  }

  const logLevel = env.VOICEMAILD_LOG_LEVEL
  if (logLevel !== undefined && logLevel !== '') {
    if ((logLevels as readonly string[]).includes(logLevel)) config.logLevel = logLevel as Config['logLevel']
    else
      checker.problem(
        [],
        `VOICEMAILD_LOG_LEVEL (environment): must be one of ${logLevels.join(', ')} (got ${JSON.stringify(logLevel)})`,
      )
  }

  if (checker.issues.length > 0) throw new ConfigError(checker.issues, options.file)
  return deepFreeze(config)
}

function parseFreeswitch(root: Section, secrets: SecretOverrides, notes: string[]): FreeswitchNode[] {
  const fallback = defaults.freeswitch[0] ?? { host: '127.0.0.1', port: 8021, password: 'ClueCon' }
  const items = root.has('freeswitch') ? root.list('freeswitch') : [{}]
  if (Array.isArray(root.get('freeswitch')) && items.length === 0) {
    root.checker.problem(root.at('freeswitch'), 'must list at least one FreeSWITCH node')
  }
  const seen = new Map<string, number>()
  const nodes = items.map((item, index): FreeswitchNode => {
    const s = root.checker.section(item, ['freeswitch', index], ['host', 'port', 'password'])
    const node = {
      host: s.str('host', fallback.host, is.hostname),
      port: s.int('port', ...port, fallback.port),
      password: s.str('password', fallback.password, is.nonEmpty, true),
    }
    const key = `${node.host}:${node.port}`
    const first = seen.get(key)
    if (first !== undefined)
      root.checker.problem(['freeswitch', index], `duplicate of freeswitch[${first}] (${key})`)
    seen.set(key, index)
    return node
  })
  const override = secrets.freeswitchPassword
  if (override === undefined) return nodes
  notes.push(`FreeSWITCH ESL password from ${override.from}`)
  return nodes.map((node) => ({ ...node, password: override.value }))
}

function parseSmtp(root: Section, secrets: SecretOverrides, notes: string[]): SmtpConfig | undefined {
  const keys = ['host', 'port', 'secure', 'requireTls', 'rejectUnauthorized', 'user', 'password', 'from']
  const s = root.child('smtp', keys)
  if (!root.has('smtp')) {
    if (secrets.smtpUser !== undefined || secrets.smtpPassword !== undefined) {
      notes.push('SMTP credentials given but no smtp section: mail goes to the spool folder')
    }
    return undefined
  }
  const host = s.optStr('host', is.hostname)
  if (!s.has('host'))
    s.checker.problem(s.at('host'), 'required when smtp is set (remove smtp to spool mail to files)')
  const secure = s.bool('secure', smtpDefaults.secure)
  const smtp: SmtpConfig = {
    host: host ?? '',
    port: s.int('port', ...port, secure ? smtpDefaults.securePort : smtpDefaults.port),
    secure,
    requireTls: s.bool('requireTls', smtpDefaults.requireTls),
    rejectUnauthorized: s.bool('rejectUnauthorized', smtpDefaults.rejectUnauthorized),
  }
  s.optStr('from', is.mailbox) // validated here, mapped to mail.from by the caller
  const fileUser = s.optStr('user', is.nonEmpty)
  const filePassword = s.optStr('password', is.nonEmpty, true)
  const user = secrets.smtpUser?.value ?? fileUser
  const password = secrets.smtpPassword?.value ?? filePassword
  if (secrets.smtpUser !== undefined) notes.push(`SMTP user from ${secrets.smtpUser.from}`)
  if (secrets.smtpPassword !== undefined) notes.push(`SMTP password from ${secrets.smtpPassword.from}`)
  if (user !== undefined) smtp.user = user
  if (password !== undefined) smtp.password = password
  // Presence, not validity: a wrongly typed password was reported already and is not also "missing".
  const hasUser = secrets.smtpUser !== undefined || s.has('user')
  const hasPassword = secrets.smtpPassword !== undefined || s.has('password')
  if (hasUser !== hasPassword) {
    s.checker.problem(
      s.at(hasUser ? 'password' : 'user'),
      'required with smtp.user/smtp.password (both or neither)',
    )
  }
  return smtp
}

function parseMail(root: Section, baseDir: string): MailConfig {
  const s = root.child('mail', [
    'from',
    'templatesDir',
    'giveUpHours',
    'initialBackoffSeconds',
    'maxBackoffSeconds',
  ])
  const d = defaults.mail
  const mail: MailConfig = {
    from: s.str('from', d.from, is.mailbox),
    giveUpHours: s.int('giveUpHours', 1, 720, d.giveUpHours),
    initialBackoffSeconds: s.int('initialBackoffSeconds', 1, 86400, d.initialBackoffSeconds),
    maxBackoffSeconds: s.int('maxBackoffSeconds', 1, 86400, d.maxBackoffSeconds),
  }
  const templatesDir = s.optStr('templatesDir', is.nonEmpty)
  if (templatesDir !== undefined) mail.templatesDir = resolve(baseDir, templatesDir)
  if (mail.maxBackoffSeconds < mail.initialBackoffSeconds) {
    s.checker.problem(
      s.at('maxBackoffSeconds'),
      `must be at least initialBackoffSeconds (${mail.initialBackoffSeconds})`,
    )
  }
  return mail
}

function parseRetention(root: Section): Config['retention'] {
  const s = root.child('retention', ['savedDays', 'newDays'])
  return {
    savedDays: s.int('savedDays', 0, 36500, defaults.retention.savedDays),
    newDays: s.int('newDays', 0, 36500, defaults.retention.newDays),
  }
}

function parseRecording(root: Section): Config['recording'] {
  const d = defaults.recording
  const s = root.child('recording', Object.keys(d))
  const recording = {
    maxMessageSeconds: s.int('maxMessageSeconds', 1, 3600, d.maxMessageSeconds),
    minMessageSeconds: s.int('minMessageSeconds', 0, 60, d.minMessageSeconds),
    silenceThreshold: s.int('silenceThreshold', 0, 10000, d.silenceThreshold),
    silenceSeconds: s.int('silenceSeconds', 1, 60, d.silenceSeconds),
    maxGreetingSeconds: s.int('maxGreetingSeconds', 1, 600, d.maxGreetingSeconds),
    maxTooShortRetries: s.int('maxTooShortRetries', 0, 10, d.maxTooShortRetries),
  }
  if (recording.minMessageSeconds >= recording.maxMessageSeconds) {
    s.checker.problem(
      s.at('minMessageSeconds'),
      `must be less than maxMessageSeconds (${recording.maxMessageSeconds})`,
    )
  }
  return recording
}

function parseMenus(root: Section): Config['menus'] {
  const s = root.child('menus', ['retries', 'digitTimeoutMs'])
  return {
    retries: s.int('retries', 1, 10, defaults.menus.retries),
    digitTimeoutMs: s.int('digitTimeoutMs', 1000, 60000, defaults.menus.digitTimeoutMs),
  }
}

function parseSecurity(root: Section): Config['security'] {
  const d = defaults.security
  const s = root.child('security', Object.keys(d))
  return {
    pinTriesPerCall: s.int('pinTriesPerCall', 1, 10, d.pinTriesPerCall),
    lockoutFailures: s.int('lockoutFailures', 1, 1000, d.lockoutFailures),
    failureWindowMinutes: s.int('failureWindowMinutes', 1, 10080, d.failureWindowMinutes),
    lockoutMinutes: s.int('lockoutMinutes', 1, 10080, d.lockoutMinutes),
  }
}

function parsePrompts(root: Section, baseDir: string): Config['prompts'] {
  const s = root.child('prompts', ['soundPrefix', 'language', 'customDir'])
  const customDir = s.optStr('customDir', is.nonEmpty)
  return {
    soundPrefix:
      s.get('soundPrefix') === '' ? '' : s.str('soundPrefix', defaults.prompts.soundPrefix, is.absolutePath),
    language: s.str('language', defaults.prompts.language, is.language),
    customDir: customDir === undefined ? packagePromptsDir() : resolve(baseDir, customDir),
  }
}

function parseJobs(root: Section): Config['jobs'] {
  const d = defaults.jobs
  const s = root.child('jobs', Object.keys(d))
  return {
    cleanup: s.str('cleanup', d.cleanup, is.cronExpression),
    reconcile: s.str('reconcile', d.reconcile, is.cronExpression),
    mwiResync: s.str('mwiResync', d.mwiResync, is.cronExpression),
    outbox: s.str('outbox', d.outbox, is.cronExpression),
    dbMaintenance: s.str('dbMaintenance', d.dbMaintenance, is.cronExpression),
  }
}

function parseCallback(root: Section): Config['callback'] {
  const s = root.child('callback', ['enabled', 'context', 'dialplan'])
  const context = s.optStr('context', is.dialplanName)
  const callback: Config['callback'] = {
    // A configured context has always turned key 5 on; `enabled` turns it on without fixing a context.
    enabled: s.bool('enabled', context !== undefined || defaults.callback.enabled),
    dialplan: s.str('dialplan', defaults.callback.dialplan, is.dialplanName),
  }
  if (context !== undefined) callback.context = context
  return callback
}

function parseHttp(root: Section): Config['http'] {
  const d = defaults.http
  const s = root.child('http', Object.keys(d))
  const health = s.child('health', Object.keys(d.health))
  const http: Config['http'] = {
    enabled: s.bool('enabled', d.enabled),
    host: s.str('host', d.host, is.hostname),
    port: s.int('port', ...port, d.port),
    trustedProxies: s.optStrings('trustedProxies', is.ipOrRange) ?? [...d.trustedProxies],
    operatorAllowFrom: s.optStrings('operatorAllowFrom', is.ipOrRange) ?? [...d.operatorAllowFrom],
    sessionIdleMinutes: s.int('sessionIdleMinutes', 1, 10080, d.sessionIdleMinutes),
    sessionMaxHours: s.int('sessionMaxHours', 1, 720, d.sessionMaxHours),
    // Below 64 KiB no real greeting fits; above 256 MiB one upload could take the daemon's memory.
    maxUploadBytes: s.int('maxUploadBytes', 65536, 256 * 1024 * 1024, d.maxUploadBytes),
    health: {
      minFreeDiskMiB: health.int('minFreeDiskMiB', 0, 1048576, d.health.minFreeDiskMiB),
      maxOutboxAgeMinutes: health.int('maxOutboxAgeMinutes', 1, 43200, d.health.maxOutboxAgeMinutes),
    },
  }
  const listenPort = field(root.get('listen'), 'port') ?? defaults.listen.port
  if (http.enabled && http.port === listenPort) {
    s.checker.problem(s.at('port'), `must differ from listen.port (${String(listenPort)})`)
  }
  if (http.sessionIdleMinutes > http.sessionMaxHours * 60) {
    s.checker.problem(
      s.at('sessionIdleMinutes'),
      `must not exceed sessionMaxHours (${http.sessionMaxHours} h = ${http.sessionMaxHours * 60} min)`,
    )
  }
  return http
}

function field(value: unknown, key: string): unknown {
  return isMapping(value) ? value[key] : undefined
}

/** Freezes the whole tree: a component cannot change the configuration another one sees. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
