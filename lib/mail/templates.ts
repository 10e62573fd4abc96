import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { TemplateError } from './errors.js'
import { escapeHtml } from './format.js'

/** The template families; `message-copy` mails (owner pressed 4) use `new-message`. */
export type TemplateName = 'new-message' | 'mailbox-full' | 'lockout'

export interface Template {
  subject: string
  text: string
  html: string
}

export type TemplateSet = Readonly<Record<TemplateName, Template>>

const common = ['mailboxId', 'mailboxName', 'domain', 'timezone'] as const

/** The variables each family may use. Anything else in a template is refused when the templates load. */
export const templateVariables: Readonly<Record<TemplateName, readonly string[]>> = {
  'new-message': [
    ...common,
    'caller',
    'callerName',
    'callerNumber',
    'receivedAt',
    'duration',
    'urgent',
    'urgentPrefix',
    'newCount',
    'savedCount',
  ],
  'mailbox-full': [...common, 'usagePercent', 'usedMb', 'quotaMb'],
  lockout: [...common, 'lockedUntil', 'lockedAccess'],
}

const names = Object.keys(templateVariables) as TemplateName[]
const parts = [
  ['subject', 'subject.txt'],
  ['text', 'text.txt'],
  ['html', 'html'],
] as const

const VARIABLE = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g
const ANY_BRACES = /\{\{(.*?)\}\}/g

/**
 * The shipped templates: `lib/mail/templates/` beside this module when run from source (tests, ts loaders), or
 * the same folder of the package when run from `dist/lib/mail/` (tsc does not copy non-TS files, and the package
 * ships `lib/`). Resolves to the first that exists; throws TemplateError if neither does.
 */
export async function defaultTemplatesDir(): Promise<string> {
  const candidates = [
    fileURLToPath(new URL('./templates/', import.meta.url)),
    fileURLToPath(new URL('../../../lib/mail/templates/', import.meta.url)),
  ]
  for (const dir of candidates) {
    const found = await stat(join(dir, 'new-message.subject.txt')).then(
      () => true,
      () => false,
    )
    if (found) return dir
  }
  throw new TemplateError(`shipped mail templates not found (looked in ${candidates.join(', ')})`)
}

/**
 * Load every template: each file from `templatesDir` when the operator put one there, else the shipped default
 * (so an operator may override just one subject). Every problem is collected: resolves to the set, or rejects with
 * one TemplateError listing all unknown variables, malformed `{{…}}`, multi-line subjects and unreadable files.
 */
export async function loadTemplates(
  options: { templatesDir?: string; defaultsDir?: string } = {},
): Promise<TemplateSet> {
  const defaultsDir = options.defaultsDir ?? (await defaultTemplatesDir())
  const problems: string[] = []
  const set: Partial<Record<TemplateName, Template>> = {}
  for (const name of names) {
    const template: Template = { subject: '', text: '', html: '' }
    for (const [part, suffix] of parts) {
      const file = `${name}.${suffix}`
      const loaded = await readTemplate(file, options.templatesDir, defaultsDir, problems)
      if (loaded === undefined) continue
      let body = loaded.body
      if (part === 'subject') {
        body = body.replace(/\r?\n$/, '')
        if (/[\r\n]/.test(body)) problems.push(`${loaded.path}: a subject must be one line`)
      }
      problems.push(...checkVariables(body, templateVariables[name]).map((p) => `${loaded.path}: ${p}`))
      template[part] = body
    }
    set[name] = template
  }
  if (problems.length > 0) {
    throw new TemplateError(
      `mail templates have ${problems.length} problem(s):\n  ${problems.join('\n  ')}`,
      problems,
    )
  }
  return set as TemplateSet
}

async function readTemplate(
  file: string,
  overrideDir: string | undefined,
  defaultsDir: string,
  problems: string[],
): Promise<{ path: string; body: string } | undefined> {
  if (overrideDir !== undefined) {
    const path = join(overrideDir, file)
    try {
      return { path, body: await readFile(path, 'utf8') }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        problems.push(`${path}: cannot read (${(err as Error).message})`)
        return undefined
      }
    }
  }
  const path = join(defaultsDir, file)
  try {
    return { path, body: await readFile(path, 'utf8') }
  } catch (err) {
    problems.push(`${path}: cannot read (${(err as Error).message})`)
    return undefined
  }
}

/** Problems of one template body: unknown variable names and `{{…}}` that is not a variable at all. */
export function checkVariables(body: string, allowed: readonly string[]): string[] {
  const problems: string[] = []
  for (const match of body.matchAll(ANY_BRACES)) {
    const inner = (match[1] ?? '').trim()
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(inner)) {
      problems.push(`malformed placeholder ${JSON.stringify(match[0])}`)
    } else if (!allowed.includes(inner)) {
      problems.push(`unknown variable {{${inner}}} (known: ${allowed.join(', ')})`)
    }
  }
  return problems
}

/** Substitute `{{name}}` with `vars[name]` as is (subjects and plain-text bodies). */
export function renderText(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(VARIABLE, (_all, name: string) => vars[name] ?? '')
}

/** Substitute `{{name}}` with `vars[name]` HTML-escaped (HTML bodies). */
export function renderHtml(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(VARIABLE, (_all, name: string) => escapeHtml(vars[name] ?? ''))
}
