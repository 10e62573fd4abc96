import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { LineCounter, parseDocument, type Document } from 'yaml'
import { ConfigError, type ConfigIssue } from './errors.js'
import { parseConfig } from './parse.js'
import type { Config } from './types.js'

/** Where the daemon looks when `--config` is not given; a missing file there means "run on defaults". */
export const DEFAULT_CONFIG_PATH = '/etc/voicemaild/voicemaild.yaml'

export interface LoadOptions {
  /** `$CREDENTIALS_DIRECTORY`: systemd credentials that override secrets in the file. */
  credentialsDir?: string
  /** Base for relative paths when no file is read (default: `process.cwd()`). */
  cwd?: string
  /** The path whose absence is not an error (default DEFAULT_CONFIG_PATH); tests point it elsewhere. */
  defaultPath?: string
}

/**
 * Reads and validates the YAML configuration. `path` undefined → embedded defaults (plus env/credentials). The
 * default path missing → embedded defaults too, with `config.source.defaultsOnly` set and a note to log. Any other
 * missing or unreadable file, YAML syntax errors (with line and column) and every invalid value reject with one
 * ConfigError; problems found in the file carry their line number.
 */
export async function loadConfig(
  path: string | undefined,
  env: Record<string, string | undefined>,
  options: LoadOptions = {},
): Promise<Config> {
  const cwd = options.cwd ?? process.cwd()
  const common = options.credentialsDir === undefined ? {} : { credentialsDir: options.credentialsDir }
  if (path === undefined) return parseConfig(undefined, env, { ...common, baseDir: cwd })

  const file = resolve(cwd, path)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && file === resolve(cwd, options.defaultPath ?? DEFAULT_CONFIG_PATH)) {
      const notes = [`no config file at ${file}, using embedded defaults`]
      return parseConfig(undefined, env, { ...common, baseDir: cwd, notes })
    }
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'error')
    throw new ConfigError([{ path: [], message: `cannot read the config file (${why})` }], file)
  }

  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e): ConfigIssue => {
      const { line, col } = lineCounter.linePos(e.pos[0])
      return {
        path: [],
        message: `YAML syntax error at line ${line}, column ${col}: ${firstLine(e.message)}`,
      }
    })
    throw new ConfigError(issues, file)
  }

  try {
    return parseConfig(doc.toJS({ maxAliasCount: 100 }), env, { ...common, baseDir: dirname(file), file })
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    throw new ConfigError(withLines(err.issues, doc, lineCounter), file)
  }
}

/** Adds the line of the nearest node that exists on each issue's path, then orders issues as the file does. */
function withLines(issues: readonly ConfigIssue[], doc: Document, lineCounter: LineCounter): ConfigIssue[] {
  const located = issues.map((issue, order) => {
    for (let n = issue.path.length; n > 0; n--) {
      const node: unknown = doc.getIn(issue.path.slice(0, n), true)
      const range = (node as { range?: [number, number, number] } | undefined)?.range
      if (range !== undefined) return { issue: { ...issue, line: lineCounter.linePos(range[0]).line }, order }
    }
    return { issue, order }
  })
  // Path-less issues (environment, credentials) first, then by line; ties keep discovery order.
  located.sort((a, b) => (a.issue.line ?? 0) - (b.issue.line ?? 0) || a.order - b.order)
  return located.map((l) => l.issue)
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message
}
