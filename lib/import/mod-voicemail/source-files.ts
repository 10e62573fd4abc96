import { createHash } from 'node:crypto'
import { open, readFile, realpath } from 'node:fs/promises'
import { sep } from 'node:path'
import { isVoicemailFormat, readWavHeader, WavFormatError } from '../../store/wav.js'

/** What the planner learnt about one mod_voicemail audio file. */
export interface SourceFile {
  /** Why it cannot be imported (missing, outside the storage folder, empty). */
  problem?: string
  /** Its format, when it is not already 8 kHz mono 16-bit PCM and goes through the converter. */
  convertFrom?: string
  /** SHA-256 of the bytes (greetings: their identity across runs). */
  digest?: string
}

/**
 * Check a file mod_voicemail's database points at, reading only its header (and, with `digest`, its bytes).
 * Only files inside `storageRoot` (resolved, symlinks followed) are read: the database's paths are data, and a
 * damaged or hostile one must not make the import read `/etc/shadow`. Never throws for a bad file: `problem` says.
 */
export async function inspectSource(path: string, storageRoot: string, digest: boolean): Promise<SourceFile> {
  if (path.trim() === '' || path.includes('\0')) return { problem: 'no file path in the database' }
  let real: string
  try {
    real = await realpath(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return {
      problem:
        code === 'ENOENT' ? `file missing: ${shown(path)}` : `cannot read ${shown(path)}: ${code ?? 'error'}`,
    }
  }
  if (!real.startsWith(storageRoot.endsWith(sep) ? storageRoot : storageRoot + sep)) {
    return { problem: `${shown(path)} is outside mod_voicemail's storage folder ${storageRoot} (--storage)` }
  }
  try {
    const handle = await open(real, 'r')
    let result: SourceFile
    try {
      const { size } = await handle.stat()
      if (!(await handle.stat()).isFile()) return { problem: `${shown(path)} is not a file` }
      if (size === 0) return { problem: `empty file: ${shown(path)}` }
      const head = Buffer.alloc(Math.min(size, 4096))
      await handle.read(head, 0, head.length, 0)
      result = { ...formatOf(head, size) }
    } finally {
      await handle.close()
    }
    if (digest)
      result.digest = createHash('sha256')
        .update(await readFile(real))
        .digest('hex')
    return result
  } catch (err) {
    return { problem: `cannot read ${shown(path)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }
  }
}

function formatOf(head: Buffer, size: number): Pick<SourceFile, 'convertFrom'> {
  try {
    const info = readWavHeader(head, size)
    if (isVoicemailFormat(info)) return {}
    return {
      convertFrom: `${info.sampleRate} Hz ${info.bitsPerSample}-bit ${info.channels === 1 ? 'mono' : `${info.channels} channels`}`,
    }
  } catch (err) {
    if (!(err instanceof WavFormatError)) throw err
    // Not PCM (µ-law, float, …) or not WAV at all: the converter decides whether it can read it.
    return { convertFrom: err.message }
  }
}

function shown(path: string): string {
  return JSON.stringify(path.slice(0, 300)).slice(1, -1)
}
