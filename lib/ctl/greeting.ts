import { randomUUID } from 'node:crypto'
import { copyFile, open } from 'node:fs/promises'
import { basename } from 'node:path'
import type { GreetingKind } from '../store/types.js'
import { isVoicemailFormat, readWavHeader, WavFormatError, type WavInfo } from '../store/wav.js'
import { boxId, domainOf, oneOf, requireBox } from './args.js'
import type { Command } from './command.js'
import type { CtlContext } from './context.js'
import { NotFoundError, RefusedError, UsageError } from './errors.js'
import { table } from './output.js'

const KINDS: readonly GreetingKind[] = ['unavailable', 'busy', 'temporary', 'name']
const domainOption = {
  domain: { type: 'string', short: 'd', value: 'DOMAIN', help: "the box's domain (default: defaultDomain)" },
} as const

/** The command that converts `file` to the voicemail format; we print it, we never run it. */
export function soxHint(file: string): string {
  const quoted = `'${file.replace(/'/g, `'\\''`)}'`
  const out = `'${basename(file)
    .replace(/\.[^.]*$/, '')
    .replace(/'/g, `'\\''`)}-8k.wav'`
  return `sox ${quoted} -r 8000 -b 16 -c 1 -e signed-integer ${out}`
}

/** Reads and checks the WAV header of `path`; RefusedError with the exact reason and the sox command otherwise. */
async function checkWav(ctx: CtlContext, path: string): Promise<WavInfo & { sizeBytes: number }> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new NotFoundError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}`)
  }
  let info: WavInfo
  let size: number
  try {
    size = (await handle.stat()).size
    const head = Buffer.alloc(Math.min(size, 4096))
    await handle.read(head, 0, head.length, 0)
    info = readWavHeader(head, size)
  } catch (err) {
    if (!(err instanceof WavFormatError)) throw err
    throw new RefusedError(
      `${path} is not a usable WAV file: ${err.message}`,
      ['greetings must be PCM WAV, 8000 Hz, 16-bit, mono. Convert it with:', soxHint(path)],
      'bad-wav',
    )
  } finally {
    await handle.close()
  }
  if (!isVoicemailFormat(info)) {
    throw new RefusedError(
      `${path} is ${info.sampleRate} Hz, ${info.bitsPerSample}-bit, ${info.channels} channel${info.channels === 1 ? '' : 's'}: greetings must be PCM 8000 Hz, 16-bit, mono`,
      ['nothing was converted; convert it yourself with:', soxHint(path)],
      'bad-wav-format',
    )
  }
  const max = ctx.config.recording.maxGreetingSeconds
  if (info.durationMs > max * 1000) {
    throw new RefusedError(
      `${path} lasts ${(info.durationMs / 1000).toFixed(1)} s; greetings may last at most ${max} s (recording.maxGreetingSeconds)`,
      [],
      'too-long',
    )
  }
  if (info.durationMs === 0) throw new RefusedError(`${path} contains no audio`, [], 'bad-wav')
  return { ...info, sizeBytes: size }
}

/** The `greeting` command group. */
export const greetingCommands: Command[] = [
  {
    name: 'greeting import',
    summary: "Install a WAV file (PCM 8 kHz 16-bit mono, checked, never converted) as a box's greeting.",
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
      const info = await checkWav(ctx, file)

      const target = ctx.files.greetingPath(domain, id, kind, randomUUID())
      await ctx.files.prepare(target)
      await copyFile(file, target)
      let committed
      try {
        committed = await ctx.files.commit(target) // fsync + re-check what landed on disk
      } catch (err) {
        await ctx.files.remove(target)
        throw err
      }
      const previous = await store.greetings.set(box.rowId, kind, {
        file: ctx.files.toStored(target),
        sizeBytes: committed.sizeBytes,
        durationMs: committed.durationMs,
      })
      if (previous !== undefined) await ctx.files.remove(ctx.files.fromStored(previous))
      if (activate) await store.mailboxes.setActiveGreeting(box.rowId, kind)
      await store.audit.append({
        mailboxRowId: box.rowId,
        actor: 'voicemailctl',
        action: 'greeting.imported',
        detail: { box: `${id}@${domain}`, kind },
      })
      ctx.out.result(
        {
          mailbox: { id, domain },
          greeting: {
            kind,
            durationMs: info.durationMs,
            sizeBytes: committed.sizeBytes,
            active: activate,
            replaced: previous !== undefined,
          },
        },
        () =>
          `${kind} greeting of ${id}@${domain} imported (${(info.durationMs / 1000).toFixed(1)} s)${previous === undefined ? '' : ', previous one replaced'}${activate ? ', now active' : ''}`,
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
