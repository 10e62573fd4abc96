import type { ConfigError } from './errors.js'

/**
 * Renders a ConfigError for the terminal: a headline naming the file, then one indented line per problem.
 * `voicemaild: 3 problems in /etc/voicemaild/voicemaild.yaml:\n  - listen.port (line 2): …`
 * The file is the one recorded in the error (loadConfig sets it), else `file`; `program` names the tool.
 */
export function formatConfigError(err: ConfigError, file?: string, program = 'voicemaild'): string {
  const count = err.problems.length
  const path = err.file ?? file
  const where = path === undefined ? 'in the configuration' : `in ${path}`
  const head = `${program}: ${count} problem${count === 1 ? '' : 's'} ${where}:`
  return [head, ...err.problems.map((p) => `  - ${p}`)].join('\n')
}
