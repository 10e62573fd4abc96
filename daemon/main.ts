#!/usr/bin/env node
// First: libuv sizes its thread pool on first use, so this must run before any other import does I/O.
import './threadpool.js'
import { parseArgs } from 'node:util'
import { ConfigError } from '../lib/config/errors.js'
import { formatConfigError } from '../lib/config/format.js'
import { DEFAULT_CONFIG_PATH, loadConfig } from '../lib/config/load.js'
import type { Config } from '../lib/config/types.js'
import { createLogger, type Logger } from '../lib/log.js'
import { startApp, type App } from './app.js'
import { StartupError } from './errors.js'

/**
 * `voicemaild [--config PATH]`: the process entry. The only place that reads argv/env and decides exit codes:
 * 0 after a clean SIGTERM/SIGINT, 1 when it cannot start (bad config, port in use, unwritable state) with the
 * reason on stderr, 1 on a fatal error (systemd restarts us).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  })
  if (values.help === true) {
    process.stdout.write(
      `usage: voicemaild [--config PATH]\n  default config: ${DEFAULT_CONFIG_PATH} (embedded defaults when absent)\n`,
    )
    return
  }
  const configPath = values.config ?? process.env.VOICEMAILD_CONFIG ?? DEFAULT_CONFIG_PATH
  // A missing default file means "embedded defaults"; a missing file the operator named is an error.
  const load = (): Promise<Config> =>
    loadConfig(configPath, process.env, { credentialsDir: process.env.CREDENTIALS_DIRECTORY })

  let config: Config
  try {
    config = await load()
  } catch (err) {
    fail(err, configPath)
    return
  }
  const log = createLogger(config.logLevel)
  log.info({ configPath, stateDir: config.stateDir, notes: config.source?.notes ?? [] }, 'starting')

  // Listened for before the start: systemd or a supervisor may stop the daemon while it is still starting, and
  // the signal's default action would kill it half-started. A stop asked for then happens once it has started.
  const running: { app?: App; stopping?: string } = {}
  const stopApp = (app: App, signal: string): void => {
    log.info({ signal }, 'stopping: draining live calls')
    void app.stop().then(() => process.exit(process.exitCode ?? 0))
  }
  const stop = (signal: string): void => {
    if (running.stopping !== undefined) return
    running.stopping = signal
    if (running.app === undefined)
      log.info({ signal }, 'stop requested while starting: stopping once started')
    else stopApp(running.app, signal)
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))

  let started: App
  try {
    started = await startApp(config, log)
  } catch (err) {
    log.fatal({ err }, 'cannot start')
    fail(err, configPath)
    process.exit()
  }
  running.app = started
  if (running.stopping !== undefined) {
    stopApp(started, running.stopping)
    return
  }
  process.on('SIGHUP', () => {
    load()
      .then((next) => started.reload(next))
      .catch((err: unknown) => logReloadFailure(log, err))
  })
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection')
    process.exit(1)
  })
  // From here on SIGHUP reloads; before it, its default action would end the process.
  log.info({ pid: process.pid }, 'ready')
}

function logReloadFailure(log: Logger, err: unknown): void {
  // A bad edit must not take a running PBX's voicemail down: keep the old configuration.
  if (err instanceof ConfigError)
    log.error({ problems: err.problems }, 'reload refused: configuration has problems')
  else log.error({ err }, 'reload failed')
}

function fail(err: unknown, configPath: string | undefined): void {
  if (err instanceof ConfigError) {
    process.stderr.write(formatConfigError(err, configPath) + '\n')
  } else if (err instanceof StartupError) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : ''
    const problems = (err.cause as { problems?: unknown } | undefined)?.problems
    const list = Array.isArray(problems) ? problems.map((p) => `\n  - ${String(p)}`).join('') : ''
    process.stderr.write(`voicemaild: ${err.message}${cause}${list}\n`)
  } else {
    process.stderr.write(`voicemaild: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  }
  process.exitCode = 1
}

await main()
