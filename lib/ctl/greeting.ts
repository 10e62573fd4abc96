import { readFile, stat } from 'node:fs/promises'
import { convertToVoicemail, describeSource, type ConvertedAudio } from '../audio/convert.js'
import { AudioConversionError } from '../audio/errors.js'
import { installGreeting } from '../lifecycle/install-greeting.js'
import type { GreetingKind } from '../store/types.js'
import { boxId, domainOf, oneOf, requireBox } from './args.js'
import type { Command } from './command.js'
import type { CtlContext } from './context.js'
import { NotFoundError, RefusedError, UsageError } from './errors.js'
import { table } from './output.js'

const KINDS: readonly GreetingKind[] = ['unavailable', 'busy', 'temporary', 'name']
const domainOption = {
  domain: { type: 'string', short: 'd', value: 'DOMAIN', help: "the box's domain (default: defaultDomain)" },
} as const
/** Far above any greeting (90 s of 48 kHz 24-bit stereo is 26 MB): a guard against pointing at the wrong file. */
const MAX_FILE_BYTES = 256 * 1024 * 1024

/**
 * Reads `path` and converts it to the voicemail format with the module the voicemail page uses (WAV of any rate,
 * width or channel count; MP3). RefusedError with the reason (and a stable `--json` code) otherwise.
 */
async function readAndConvert(ctx: CtlContext, path: string): Promise<ConvertedAudio> {
  let bytes: Buffer
  try {
    const { size } = await stat(path)
    if (size > MAX_FILE_BYTES)
      throw new RefusedError(`${path} is ${size} bytes: too big for a greeting`, [], 'too-big')
    bytes = await readFile(path)
  } catch (err) {
    if (err instanceof RefusedError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw new NotFoundError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}`)
  }
  try {
    return await convertToVoicemail(bytes, { maxSeconds: ctx.config.recording.maxGreetingSeconds })
  } catch (err) {
    if (!(err instanceof AudioConversionError)) throw err
    const hint =
      err.problem === 'too-long' ? ['the limit is recording.maxGreetingSeconds in the configuration'] : []
    throw new RefusedError(`${path}: ${err.message}`, hint, err.problem)
  }
}

/** The `greeting` command group. */
export const greetingCommands: Command[] = [
  {
    name: 'greeting import',
    summary:
      "Install an audio file (WAV of any format, or MP3; converted to 8 kHz mono) as a box's greeting.",
    args: ['ID', 'KIND', 'FILE'],
    options: {
      ...domainOption,
      activate: { type: 'boolean', help: 'also make it the greeting callers hear (unavailable or busy)' },
    },
    notes:
      'KIND: unavailable, busy, temporary (plays instead of the others while set) or name (the recorded name).\nexample: voicemailctl greeting import 800 unavailable /tmp/sales-closed.wav --domain pbx.example.com --activate',
    async run(ctx, { values, positionals }) {
      const id = boxId(positionals[0])
      const kind = oneOf(positionals[1], KINDS, 'KIND')
      const file = positionals[2]
      if (file === undefined) throw new UsageError('missing FILE')
      const domain = domainOf(ctx, values)
      const activate = values.activate === true
      if (activate && kind !== 'unavailable' && kind !== 'busy') {
        throw new UsageError(
          '--activate applies to unavailable or busy greetings (a temporary greeting is active while it exists)',
        )
      }
      const store = await ctx.store()
      const box = await requireBox(store, domain, id)
      const converted = await readAndConvert(ctx, file)
      const installed = await installGreeting({ store, files: ctx.files }, box, kind, converted.wav, {
        actor: 'voicemailctl',
        action: 'greeting.imported',
        detail: { box: `${id}@${domain}`, source: describeSource(converted.source) },
      })
      if (activate) await store.mailboxes.setActiveGreeting(box.rowId, kind)
      ctx.out.result(
        {
          mailbox: { id, domain },
          greeting: {
            kind,
            durationMs: installed.durationMs,
            sizeBytes: installed.sizeBytes,
            active: activate,
            replaced: installed.replaced,
          },
          source: converted.source,
        },
        () =>
          `${kind} greeting of ${id}@${domain} imported (${(installed.durationMs / 1000).toFixed(1)} s, 8 kHz mono) from ${describeSource(converted.source)}${installed.replaced ? ', previous one replaced' : ''}${activate ? ', now active' : ''}`,
      )
    },
  },
  {
    name: 'greeting list',
    summary: "List a box's greetings.",
    args: ['ID'],
    options: domainOption,
    async run(ctx, { values, positionals }) {
      const id = boxId(positionals[0])
      const domain = domainOf(ctx, values)
      const store = await ctx.store()
      const box = await requireBox(store, domain, id)
      const greetings = await store.greetings.list(box.rowId)
      const rows = greetings.map((g) => ({
        kind: g.kind,
        durationMs: g.durationMs,
        sizeBytes: g.sizeBytes,
        active: g.kind === box.activeGreeting,
        file: g.file,
      }))
      ctx.out.result({ mailbox: { id, domain }, activeGreeting: box.activeGreeting, greetings: rows }, () =>
        rows.length === 0
          ? `no greetings recorded for ${id}@${domain} (callers hear the standard announcement)`
          : table(
              ['KIND', 'SECONDS', 'ACTIVE', 'FILE'],
              rows.map((r) => [r.kind, (r.durationMs / 1000).toFixed(1), r.active ? 'yes' : '', r.file]),
            ),
      )
    },
  },
]
