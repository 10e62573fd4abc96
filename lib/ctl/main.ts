import { parseArgs } from 'node:util'
import { systemClock } from '../clock.js'
import { ConfigError } from '../config/errors.js'
import { formatConfigError } from '../config/format.js'
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.js'
import type { Config } from '../config/types.js'
import { createLogger } from '../log.js'
import { StoreConflictError, StoreError } from '../store/errors.js'
import { commandHelp, usageLine, type Command } from './command.js'
import { CtlContext, type CtlIo } from './context.js'
import { doctorCommands, report } from './doctor.js'
import { domainCommands } from './domain.js'
import { CtlError, EXIT } from './errors.js'
import { greetingCommands } from './greeting.js'
import { importCommands } from './import.js'
import { jobCommands } from './job.js'
import { mailCommands } from './mail.js'
import { mailboxCommands } from './mailbox.js'
import { messageCommands } from './message.js'
import { mwiCommands } from './mwi.js'
import { Output } from './output.js'
import { pinCommands } from './pin.js'

/** Every command, in the order `voicemailctl --help` lists them. */
export const commands: readonly Command[] = [
  ...mailboxCommands,
  ...pinCommands,
  ...domainCommands,
  ...greetingCommands,
  ...messageCommands,
  ...mailCommands,
  ...mwiCommands,
  ...jobCommands,
  ...importCommands,
  ...doctorCommands,
]

const globalOptions = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    'usage: voicemailctl [--config PATH] [--json] COMMAND [ARGS] [OPTIONS]',
    '',
    'Administers voicemaild: works directly on its database and state directory (safe while it runs).',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary.split('. ')[0]?.replace(/\.$/, '')}`),
    '',
    "voicemailctl COMMAND --help shows a command's arguments and options.",
    `config: --config PATH, else $VOICEMAILD_CONFIG, else ${DEFAULT_CONFIG_PATH} (embedded defaults when absent).`,
    'exit codes: 0 ok, 1 failed or refused, 2 bad command line, 3 cannot run here (config, database, user).',
  ].join('\n')
}

/**
 * Every spelling of an option that takes a value (`--domain`, `-d`, `--config`, …), over all commands: an option
 * may come before the command name (`voicemailctl -d pbx.test mailbox list`), and its value is not a word of the
 * command. No option name takes a value in one command and none in another, so this is unambiguous.
 */
const valueOptions: ReadonlySet<string> = new Set(
  [...commands.flatMap((c) => Object.entries(c.options ?? {})), ...Object.entries(globalOptions)]
    .filter(([, o]) => o.type === 'string')
    .flatMap(([name, o]) => [`--${name}`, ...('short' in o && o.short !== undefined ? [`-${o.short}`] : [])]),
)

/** The words that are not options or option values: the command's name and its arguments. */
function words(argv: readonly string[]): string[] {
  const found: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (valueOptions.has(a)) i++
    else if (!a.startsWith('-')) found.push(a)
  }
  return found
}

function findCommand(argv: readonly string[]): { command?: Command; group: string[] } {
  const w = words(argv)
  const two = commands.find((c) => c.name === `${w[0]} ${w[1]}`)
  if (two !== undefined) return { command: two, group: [] }
  const one = commands.find((c) => c.name === w[0])
  if (one !== undefined) return { command: one, group: [] }
  return {
    group: w[0] === undefined ? [] : commands.filter((c) => c.name.startsWith(`${w[0]} `)).map(usageLine),
  }
}

/**
 * Run one voicemailctl command line (without the program name). Resolves to the exit code (see EXIT); never
 * rejects: every failure is printed (text on stderr, or a JSON document on stdout with --json).
 */
export async function runCtl(argv: readonly string[], io: CtlIo): Promise<number> {
  const json = argv.includes('--json')
  const out = new Output(json, io.stdout, io.stderr)
  const { command, group } = findCommand(argv)
  if (command === undefined) {
    const w = words(argv)
    if (w.length === 0 || w[0] === 'help') {
      out.help(overview())
      return argv.includes('--help') || argv.includes('-h') || w[0] === 'help' ? EXIT.ok : EXIT.usage
    }
    if (group.length > 0) {
      const asked = argv.includes('--help') || argv.includes('-h')
      if (asked || w.length === 1) {
        out.help(
          [
            `${w[0]} commands:`,
            ...group.map((g) => `  ${g}`),
            '',
            'add --help to one of them for its options',
          ].join('\n'),
        )
        return asked ? EXIT.ok : EXIT.usage
      }
    }
    out.error('usage', `unknown command "${w.join(' ')}" (voicemailctl --help lists them)`, [])
    return EXIT.usage
  }

  let parsed: ReturnType<typeof parseArgs>
  try {
    const options = Object.fromEntries(
      Object.entries(command.options ?? {}).map(([name, o]) => [
        name,
        { type: o.type, ...(o.short === undefined ? {} : { short: o.short }) },
      ]),
    )
    parsed = parseArgs({
      args: [...argv],
      options: { ...options, ...globalOptions },
      allowPositionals: true,
      strict: true,
    })
  } catch (err) {
    out.error('usage', err instanceof Error ? err.message : String(err), [`usage: ${usageLine(command)}`])
    return EXIT.usage
  }
  const values = parsed.values as Record<string, string | boolean | undefined>
  if (values.help === true) {
    out.help(commandHelp(command))
    return EXIT.ok
  }
  const positionals = parsed.positionals.slice(command.name.split(' ').length)
  const required = command.args.filter((a) => !a.endsWith('?')).length
  if (positionals.length < required || positionals.length > command.args.length) {
    const missing =
      positionals.length < required
        ? `missing ${command.args.slice(positionals.length, required).join(' ')}`
        : `unexpected argument "${positionals[command.args.length] ?? ''}"`
    out.error('usage', missing, [`usage: ${usageLine(command)}`])
    return EXIT.usage
  }

  const configPath =
    (typeof values.config === 'string' ? values.config : undefined) ??
    io.env.VOICEMAILD_CONFIG ??
    io.defaultConfigPath ??
    DEFAULT_CONFIG_PATH
  let config: Config
  try {
    config = await loadConfig(configPath, io.env, {
      cwd: io.cwd,
      defaultPath: io.defaultConfigPath ?? DEFAULT_CONFIG_PATH,
      ...(io.env.CREDENTIALS_DIRECTORY === undefined ? {} : { credentialsDir: io.env.CREDENTIALS_DIRECTORY }),
    })
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    if (command.name === 'doctor')
      return report(out, [{ check: 'config', status: 'fail', detail: err.problems.join('; ') }])
    if (json) out.error('config', err.message, err.problems)
    else io.stderr.write(`${formatConfigError(err, configPath, 'voicemailctl')}\n`)
    return EXIT.environment
  }

  // Components voicemailctl starts (the FreeSWITCH link, the mail worker) log errors as JSON lines on stderr;
  // their warnings (each reconnect attempt) would drown the one-line message the command itself prints.
  const log = createLogger('error', { write: (line: string) => io.stderr.write(line) })
  const ctx = new CtlContext(config, io, out, io.clock ?? systemClock, log)
  try {
    return (await command.run(ctx, { values, positionals })) ?? EXIT.ok
  } catch (err) {
    return failure(out, err)
  } finally {
    await ctx.close()
  }
}

function failure(out: Output, err: unknown): number {
  if (err instanceof CtlError) {
    out.error(err.code, err.message, err.details)
    return err.exitCode
  }
  if (err instanceof StoreConflictError) {
    out.error('conflict', err.message, [])
    return EXIT.failed
  }
  if (err instanceof StoreError) {
    const busy = /SQLITE_BUSY|database is locked/.test(err.message)
    out.error(
      'database',
      err.message,
      busy ? ['the daemon held the database longer than 10 s; try again'] : [],
    )
    return EXIT.failed
  }
  out.error('internal', err instanceof Error ? (err.stack ?? err.message) : String(err), [])
  return EXIT.failed
}
