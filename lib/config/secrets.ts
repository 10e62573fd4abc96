import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Checker } from './check.js'

/** Where a secret's effective value came from; logged instead of the value. */
export type SecretSource = 'file' | 'environment' | 'credentials'

export interface Secret {
  value: string
  from: SecretSource
}

export interface SecretOverrides {
  freeswitchPassword?: Secret
  smtpUser?: Secret
  smtpPassword?: Secret
}

/** Environment variable and systemd credential file (`LoadCredential=`) for each overridable secret. */
const sources = {
  freeswitchPassword: { env: 'VOICEMAILD_FREESWITCH_PASSWORD', credential: 'freeswitch-password' },
  smtpUser: { env: 'VOICEMAILD_SMTP_USER', credential: 'smtp-user' },
  smtpPassword: { env: 'VOICEMAILD_SMTP_PASSWORD', credential: 'smtp-password' },
} as const

/**
 * Secrets that override the file. A systemd credential wins over the environment: it is the channel built for
 * secrets (not inherited by children, not visible in /proc/PID/environ), so when a unit sets both, the credential
 * is the deliberate one. An empty environment variable counts as unset. Unreadable or empty credential files are
 * reported as problems rather than silently falling back to a weaker source.
 */
export function readSecretOverrides(
  env: Record<string, string | undefined>,
  credentialsDir: string | undefined,
  checker: Checker,
): SecretOverrides {
  const out: SecretOverrides = {}
  for (const key of Object.keys(sources) as (keyof typeof sources)[]) {
    const { env: name, credential } = sources[key]
    const fromCredentials =
      credentialsDir === undefined ? undefined : readCredential(credentialsDir, credential, checker)
    const fromEnv = env[name]
    if (fromCredentials !== undefined) out[key] = { value: fromCredentials, from: 'credentials' }
    else if (fromEnv !== undefined && fromEnv !== '') out[key] = { value: fromEnv, from: 'environment' }
  }
  return out
}

function readCredential(dir: string, name: string, checker: Checker): string | undefined {
  let text: string
  try {
    text = readFileSync(join(dir, name), 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    checker.problem([], `credential ${name} in ${dir}: cannot be read (${code ?? 'error'})`)
    return undefined
  }
  // `systemd-creds encrypt` and `echo secret > file` both leave one trailing newline that is not part of it.
  const value = text.replace(/\r?\n$/, '')
  if (value === '') {
    checker.problem([], `credential ${name} in ${dir}: is empty`)
    return undefined
  }
  return value
}
