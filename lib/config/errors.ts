import { VoicemailError } from '../errors.js'

/** One segment of a path in the config file: a mapping key or a list index. */
export type PathSegment = string | number

/**
 * One problem found in the configuration. `path` locates it in the YAML document (empty for problems that come
 * from the environment, credentials or the file as a whole); `line` is filled in by `loadConfig` when it can map
 * the path back to the file.
 */
export interface ConfigIssue {
  readonly path: readonly PathSegment[]
  readonly message: string
  readonly line?: number
}

/**
 * The configuration is unusable. Carries *every* problem found, each already rendered as one line
 * (`listen.port: must be an integer 1-65535 (got "abc")`), so the daemon can print them all and refuse to start.
 */
export class ConfigError extends VoicemailError {
  /** One line per problem, in file order of discovery. */
  readonly problems: readonly string[]

  constructor(
    readonly issues: readonly ConfigIssue[],
    /** The file the problems are in, when there is one. */
    readonly file?: string,
  ) {
    const problems = issues.map(renderIssue)
    super(
      `${problems.length} configuration problem${problems.length === 1 ? '' : 's'}` +
        `${file === undefined ? '' : ` in ${file}`}: ${problems.join('; ')}`,
    )
    this.problems = problems
  }
}

/** `mailboxes[2].pin`, `domains["pbx.example.com"].mode`: how a path is written in problems and docs. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out
}

/** `listen.port (line 3): must be …`; a path-less issue is just its message. */
export function renderIssue(issue: ConfigIssue): string {
  const where = formatPath(issue.path)
  const line = issue.line === undefined ? '' : ` (line ${issue.line})`
  if (where === '') return line === '' ? issue.message : `line ${issue.line}: ${issue.message}`
  return `${where}${line}: ${issue.message}`
}
