import type { CtlContext } from './context.js'

/** Parsed option values by option name. */
export type OptionValues = Readonly<Record<string, string | boolean | undefined>>

/** One option of a command, as `node:util` parseArgs takes it, plus its help line and value placeholder. */
export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  help: string
  value?: string
}

/** One voicemailctl command (`mailbox add`, `doctor`, …). */
export interface Command {
  /** The words that select it: `mailbox add`. */
  name: string
  summary: string
  /** Positional arguments, shown in the usage line; a trailing `?` marks an optional one. */
  args: readonly string[]
  /** Options beyond the global ones, with one help line each. */
  options?: Readonly<Record<string, OptionSpec>>
  /** Extra help text (examples, notes). */
  notes?: string
  /** Runs the command; resolves to the exit code (0 when omitted). Throws CtlError for the expected failures. */
  run(ctx: CtlContext, args: { values: OptionValues; positionals: readonly string[] }): Promise<number | void>
}

/** `mailbox add ID [options]` */
export function usageLine(command: Command): string {
  const options = Object.keys(command.options ?? {}).length > 0 ? ' [options]' : ''
  const args = command.args.map((a) => (a.endsWith('?') ? `[${a.slice(0, -1)}]` : a)).join(' ')
  return `voicemailctl ${command.name}${args === '' ? '' : ` ${args}`}${options}`
}

/** The `--help` text of one command. */
export function commandHelp(command: Command): string {
  const lines = [`usage: ${usageLine(command)}`, '', command.summary]
  const entries = Object.entries(command.options ?? {})
  if (entries.length > 0) {
    lines.push('', 'options:')
    const shown = entries.map(([name, o]) => {
      const short = o.short === undefined ? '    ' : `-${o.short}, `
      const value = o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''
      return [`  ${short}--${name}${value}`, o.help] as const
    })
    const width = Math.max(...shown.map(([left]) => left.length))
    for (const [left, help] of shown) lines.push(`${left.padEnd(width + 2)}${help}`)
  }
  lines.push(
    '',
    'global options:',
    "  -c, --config PATH   the daemon's config file",
    '      --json          one JSON document on stdout',
    '  -h, --help          this help',
  )
  if (command.notes !== undefined) lines.push('', command.notes)
  return lines.join('\n')
}
