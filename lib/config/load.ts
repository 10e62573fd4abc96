import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml'
import { ConfigError, type ConfigIssue, type PathSegment } from './errors.js'
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
  // `merge`: operators who keep many boxes write `<<: *sales` to share settings between them.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true })
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e): ConfigIssue => {
      const { line, col } = lineCounter.linePos(e.pos[0])
      // yaml's own wording for this one addresses programmers (`use YAML.parseAllDocuments()`).
      const what =
        e.code === 'MULTIPLE_DOCS' ? 'the file must hold a single YAML document' : firstLine(e.message)
      return { path: [], message: `YAML syntax error at line ${line}, column ${col}: ${what}` }
    })
    throw new ConfigError(issues, file)
  }

  let tree: unknown
  try {
    tree = doc.toJS({ maxAliasCount: 100 })
  } catch (err) {
    // Found by fuzzing (test/fuzz/config-loader.fuzz.test.ts): yaml throws plain Errors while building the value,
    // e.g. `<<: 5` ("Merge sources must be maps or map aliases") or an alias bomb ("Excessive alias count").
    const what = err instanceof Error ? firstLine(err.message) : String(err)
    throw new ConfigError([{ path: [], message: `YAML error: ${what}` }], file)
  }
  try {
    return parseConfig(tree, env, { ...common, baseDir: dirname(file), file })
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    throw new ConfigError(withLines(err.issues, doc, lineCounter), file)
  }
}

/** Adds the line of the nearest key or item that exists on each issue's path, then orders issues as the file does. */
function withLines(issues: readonly ConfigIssue[], doc: Document, lineCounter: LineCounter): ConfigIssue[] {
  const located = issues.map((issue, order) => {
    const offset = offsetOf(doc, issue.path)
    return {
      issue: offset === undefined ? issue : { ...issue, line: lineCounter.linePos(offset).line },
      order,
    }
  })
  // Path-less issues (environment, credentials) first, then by line; ties keep discovery order.
  located.sort((a, b) => (a.issue.line ?? 0) - (b.issue.line ?? 0) || a.order - b.order)
  return located.map((l) => l.issue)
}

/**
 * Where `path` starts in the source: the *key* of a mapping entry (so a missing key points at its section's
 * line, not at the first child), the item of a list; the nearest ancestor when the path does not exist.
 */
function offsetOf(doc: Document, path: readonly PathSegment[]): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const parent: unknown = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true)
    const segment = path[n - 1]
    let node: unknown
    if (isMap(parent)) {
      const pair = parent.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === segment)
      node = pair === undefined ? undefined : isNode(pair.key) ? pair.key : pair.value
    } else if (isSeq(parent) && typeof segment === 'number') {
      node = parent.items[segment]
    }
    if (isNode(node) && node.range) return node.range[0]
  }
  return undefined
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message
}
