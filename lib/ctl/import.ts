import { access, realpath } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultDomainSettings } from '../config/defaults.js'
import { voicemailConverter } from '../import/audio-converter.js'
import { ImportSourceError } from '../import/errors.js'
import { applyImport } from '../import/mod-voicemail/apply.js'
import {
  readDirectoryFiles,
  usersFromDirectoryXml,
  type DirectoryRead,
} from '../import/mod-voicemail/directory.js'
import { planImport, type TargetView } from '../import/mod-voicemail/plan.js'
import { storeView } from '../import/mod-voicemail/target-view.js'
import { planJson, planText, summarize } from '../import/mod-voicemail/report.js'
import { readSourceDb } from '../import/mod-voicemail/source-db.js'
import { isSafeDomain } from '../mailbox-values.js'
import { Db } from '../store/db.js'
import { Store } from '../store/index.js'
import { str } from './args.js'
import type { Command } from './command.js'
import type { CtlContext } from './context.js'
import { CtlError, EXIT, UsageError } from './errors.js'
import { connectFreeswitch, type CtlLink } from './freeswitch.js'
import { refreshLamps } from './lamps.js'
import { connectTimeoutMs } from './mwi.js'

/** How long `xml_locate directory` may take (a large directory is one big reply). */
const DIRECTORY_TIMEOUT_MS = 30_000

/** Where the mod_voicemail data is, as given or as the running FreeSWITCH says. */
interface Sources {
  db: string
  storage: string
  directory: DirectoryRead
  /** Whether mod_voicemail is still loaded (unknown without FreeSWITCH). */
  modVoicemailLoaded?: boolean
}

/** The `import` command group. */
export const importCommands: Command[] = [
  {
    name: 'import mod-voicemail',
    summary:
      "Bring mod_voicemail's boxes over: directory settings and PINs, greetings, recorded names and messages. Safe to run again.",
    args: [],
    options: {
      'dry-run': {
        type: 'boolean',
        help: 'print what would be created, changed or skipped; change nothing',
      },
      db: {
        type: 'string',
        value: 'PATH',
        help: "mod_voicemail's database (default: FreeSWITCH's db_dir/voicemail_<profile>.db)",
      },
      storage: {
        type: 'string',
        value: 'DIR',
        help: "mod_voicemail's audio folder; files outside it are not read (default: FreeSWITCH's storage_dir)",
      },
      profile: { type: 'string', value: 'NAME', help: 'the mod_voicemail profile (default: default)' },
      directory: {
        type: 'string',
        value: 'PATH',
        help: 'read users from directory XML files instead of asking FreeSWITCH (xml_locate directory)',
      },
      domain: {
        type: 'string',
        short: 'd',
        value: 'DOMAIN',
        help: 'only this domain (and the domain of directory files outside a <domain>)',
      },
      timeout: { type: 'string', value: 'SECONDS', help: 'how long to wait for FreeSWITCH (default 5)' },
    },
    notes: [
      'Copies files (the source is never changed), keeps received times, new/saved, urgent; weak PINs come over as temporary.',
      'Run it before and again after unloading mod_voicemail: a rerun imports only what is new. docs/operator-guide.md, "Switching over from mod_voicemail".',
      'example: voicemailctl import mod-voicemail --dry-run',
    ].join('\n'),
    async run(ctx, { values }) {
      const dryRun = values['dry-run'] === true
      const profile = str(values, 'profile') ?? 'default'
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(profile))
        throw new UsageError(`invalid --profile ${JSON.stringify(profile)}`)
      const domain = str(values, 'domain')?.toLowerCase()
      if (domain !== undefined && !isSafeDomain(domain))
        throw new UsageError(`invalid domain ${JSON.stringify(domain)}`)
      const sources = await locateSources(
        ctx,
        profile,
        domain,
        connectTimeoutMs(str(values, 'timeout')),
        values,
      )
      for (const note of sources.directory.notes) ctx.out.note(note)

      let source
      try {
        source = await readSourceDb(sources.db)
      } catch (err) {
        throw sourceFailure(err)
      }
      const storageRoot = await realpath(sources.storage).catch(() => {
        throw new CtlError(
          `mod_voicemail's storage folder ${sources.storage} does not exist`,
          EXIT.failed,
          'import-source',
          ['give it with --storage (FreeSWITCH storage_dir, where voicemail/<profile>/<domain>/<box>/ are)'],
        )
      })

      const view = dryRun ? await readOnlyView(ctx) : undefined
      try {
        const store = dryRun ? undefined : await ctx.store()
        const target: TargetView = view?.target ?? storeView(store as Store)
        const plan = await planImport({
          source,
          users: sources.directory.users,
          ...(domain === undefined ? {} : { domain }),
          storageRoot,
          target,
          now: ctx.clock.now(),
        })
        let lamps: boolean | undefined
        if (store !== undefined) {
          const boxes = await applyImport(plan, {
            store,
            files: ctx.files,
            converter: voicemailConverter,
            domainSettings: (d) => ctx.config.domains[d] ?? defaultDomainSettings,
            log: ctx.log,
          })
          lamps = await refreshLamps(ctx, boxes, 'NEW')
        }
        if (sources.modVoicemailLoaded === true) {
          ctx.out.note(
            'mod_voicemail is still loaded: switch the dialplan to voicemaild, unload it, then run this import again for what arrived meanwhile',
          )
        }
        const summary = summarize(plan)
        ctx.out.result(
          {
            dryRun,
            source: { db: sources.db, storage: storageRoot },
            ...planJson(plan),
            summary,
            ...(lamps === undefined ? {} : { lampsAnnounced: lamps }),
          },
          () => planText(plan, dryRun),
        )
        return summary.problems > 0 ? EXIT.failed : EXIT.ok
      } finally {
        await view?.close()
      }
    },
  },
]

/** The db, storage folder and directory: from the options, else from the running FreeSWITCH. */
async function locateSources(
  ctx: CtlContext,
  profile: string,
  domain: string | undefined,
  timeoutMs: number,
  values: Readonly<Record<string, string | boolean | undefined>>,
): Promise<Sources> {
  const dbOption = str(values, 'db')
  const storageOption = str(values, 'storage')
  const directoryOption = str(values, 'directory')
  let link: CtlLink | undefined
  if (dbOption === undefined || storageOption === undefined || directoryOption === undefined) {
    link = await connectFreeswitch(ctx, timeoutMs)
    if (link === undefined) {
      const nodes = ctx.config.freeswitch.map((n) => `${n.host}:${n.port}`).join(', ')
      throw new CtlError(
        `cannot connect to FreeSWITCH (${nodes}) to find mod_voicemail's data`,
        EXIT.failed,
        'freeswitch-unreachable',
        [
          'without FreeSWITCH give all three: --db PATH --storage DIR --directory PATH (e.g. its conf/directory folder)',
        ],
      )
    }
  }
  try {
    const ask = async (command: string, timeout = 5000): Promise<string> => {
      const reply = (await (link as CtlLink).link.api(command, timeout)).trim()
      if (reply.startsWith('-ERR'))
        throw new CtlError(`FreeSWITCH refused "${command}": ${reply}`, EXIT.failed, 'freeswitch')
      return reply
    }
    const db = dbOption ?? join(await ask('global_getvar db_dir'), `voicemail_${profile}.db`)
    const storage = storageOption ?? (await ask('global_getvar storage_dir'))
    let directory: DirectoryRead
    try {
      directory =
        directoryOption === undefined
          ? usersFromDirectoryXml(await ask('xml_locate directory', DIRECTORY_TIMEOUT_MS), domain)
          : await readDirectoryFiles(directoryOption, domain ?? ctx.config.defaultDomain)
    } catch (err) {
      throw sourceFailure(err)
    }
    const loaded = link === undefined ? undefined : (await ask('module_exists mod_voicemail')) === 'true'
    return { db, storage, directory, ...(loaded === undefined ? {} : { modVoicemailLoaded: loaded }) }
  } finally {
    await link?.close()
  }
}

function sourceFailure(err: unknown): unknown {
  return err instanceof ImportSourceError
    ? new CtlError(err.message, EXIT.failed, 'import-source', err.details, { cause: err })
    : err
}

/**
 * A dry run reads voicemaild's database read-only (no migration, no WAL file created) and treats a missing one as
 * empty: a dry run changes nothing, not even by opening.
 */
async function readOnlyView(ctx: CtlContext): Promise<{ target: TargetView; close(): Promise<void> }> {
  const missing = await access(ctx.dbPath).then(
    () => false,
    () => true,
  )
  if (missing) {
    return {
      target: {
        findBox: () => Promise.resolve(undefined),
        findMessage: () => Promise.resolve(undefined),
        greeting: () => Promise.resolve(undefined),
        lastPinAction: () => Promise.resolve(undefined),
      },
      close: () => Promise.resolve(),
    }
  }
  const store = new Store(await Db.openReadOnly(ctx.dbPath), ctx.clock)
  return { target: storeView(store), close: () => store.close() }
}
