import type { ConfigError } from './errors.js'

/**
 * Renders a ConfigError for the terminal: a headline naming the file, then one indented line per problem.
 * `voicemaild: 3 problems in /etc/voicemaild/voicemaild.yaml:\n  - listen.port (line 2): …`
 */
export function formatConfigError(err: ConfigError, program = 'voicemaild'): string {
  const count = err.problems.length
  const where = err.file === undefined ? 'in the configuration' : `in ${err.file}`
  const head = `${program}: ${count} problem${count === 1 ? '' : 's'} ${where}:`
  return [head, ...err.problems.map((p) => `  - ${p}`)].join('\n')
}
