import { Readable } from 'node:stream'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Test } from 'tap'
import { systemClock } from '../../lib/clock.js'
import { runCtl } from '../../lib/ctl/main.js'
import { AudioFiles } from '../../lib/store/audio-files.js'
import { openStore, type Store } from '../../lib/store/index.js'

export interface CtlRun {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed, when it is JSON. */
  json: Record<string, unknown>
}

export interface CtlRunOptions {
  stdin?: string
  env?: Record<string, string>
  /** The audio file layer the command uses (CtlIo.files), e.g. one whose unlinks fail. */
  files?: (stateDir: string) => AudioFiles
}

export interface CtlFixture {
  dir: string
  stateDir: string
  configPath: string
  files: AudioFiles
  /** Run a voicemailctl command line as a function, with `--config` added. */
  run(argv: string[], options?: CtlRunOptions): Promise<CtlRun>
  /** The same database, opened by the test as the daemon would (for setup and assertions). */
  store(): Promise<Store>
}

/** A state directory and a config file in the test's directory; `extraYaml` is appended to the config. */
export async function ctlFixture(t: Test, extraYaml = ''): Promise<CtlFixture> {
  const dir = t.testdir()
  const stateDir = join(dir, 'state')
  await mkdir(stateDir, { recursive: true })
  const configPath = join(dir, 'voicemaild.yaml')
  const yaml = [
    extraYaml.includes('stateDir:') ? '' : `stateDir: ${JSON.stringify(stateDir)}`,
    extraYaml.includes('defaultDomain:') ? '' : 'defaultDomain: example.com',
    extraYaml.includes('freeswitch:') ? '' : 'freeswitch: [{ host: 127.0.0.1, port: 1, password: ClueCon }]',
    extraYaml,
  ].join('\n')
  await writeFile(configPath, yaml)
  let opened: Promise<Store> | undefined
  t.teardown(async () => {
    if (opened !== undefined) await (await opened).close()
  })
  return {
    dir,
    stateDir,
    configPath,
    files: new AudioFiles(stateDir),
    async run(argv, options = {}) {
      let stdout = ''
      let stderr = ''
      const stdin = options.stdin
      const code = await runCtl(['--config', configPath, ...argv], {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        ...(stdin === undefined ? {} : { stdin: Readable.from([stdin]) }),
        env: options.env ?? {},
        cwd: dir,
        clock: systemClock,
        defaultConfigPath: join(dir, 'absent.yaml'),
        ...(options.files === undefined ? {} : { files: options.files }),
      })
      let json: Record<string, unknown> = {}
      try {
        json = JSON.parse(stdout) as Record<string, unknown>
      } catch {
        // text output
      }
      return { code, stdout, stderr, json }
    },
    store() {
      opened ??= openStore(join(stateDir, 'voicemail.db'), systemClock)
      return opened
    },
  }
}
