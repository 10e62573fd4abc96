import { open, mkdir, rm, stat, rename } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { VoicemailError } from '../errors.js'
import { isBoxNumber, isSafeDomain } from '../mailbox-values.js'
import { fsyncFolder } from './folder-sync.js'
import { readWavHeader, type WavInfo } from './wav.js'

/** A path component that is not a validated id, domain or UUID: refused before any file is touched. */
export class UnsafePathError extends VoicemailError {}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
const GREETING = /^(unavailable|busy|temporary|name)$/

/**
 * Where audio lives: `<stateDir>/recordings/<domain>/<box>/<uuid>.wav` for messages and
 * `<stateDir>/recordings/<domain>/<box>/greetings/<kind>-<uuid>.wav` for greetings and the name. FreeSWITCH writes
 * the files itself, so the daemon and FreeSWITCH must share this filesystem. Paths are built only from validated
 * domains, box numbers and UUIDs: caller data never reaches a path.
 */
export class AudioFiles {
  readonly root: string

  constructor(stateDir: string) {
    this.root = resolve(stateDir, 'recordings')
  }

  boxDir(domain: string, box: string): string {
    if (!isSafeDomain(domain))
      throw new UnsafePathError(`unsafe domain for a path: ${JSON.stringify(domain)}`)
    if (!isBoxNumber(box))
      throw new UnsafePathError(`unsafe mailbox number for a path: ${JSON.stringify(box)}`)
    return join(this.root, domain.toLowerCase(), box)
  }

  messagePath(domain: string, box: string, uuid: string): string {
    if (!UUID.test(uuid)) throw new UnsafePathError(`unsafe uuid for a path: ${JSON.stringify(uuid)}`)
    return join(this.boxDir(domain, box), `${uuid.toLowerCase()}.wav`)
  }

  greetingPath(domain: string, box: string, kind: string, uuid: string): string {
    if (!GREETING.test(kind)) throw new UnsafePathError(`unsafe greeting kind: ${JSON.stringify(kind)}`)
    if (!UUID.test(uuid)) throw new UnsafePathError(`unsafe uuid for a path: ${JSON.stringify(uuid)}`)
    return join(this.boxDir(domain, box), 'greetings', `${kind}-${uuid.toLowerCase()}.wav`)
  }

  /** Path stored in the database: relative to the state directory, so a restored backup can move. */
  toStored(absolute: string): string {
    return relative(dirname(this.root), absolute).split(sep).join('/')
  }

  fromStored(stored: string): string {
    const absolute = resolve(dirname(this.root), stored)
    if (!absolute.startsWith(this.root + sep))
      throw new UnsafePathError(`stored path escapes recordings: ${stored}`)
    return absolute
  }

  /** Create the folder FreeSWITCH will record into (it does not create folders itself). */
  async prepare(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true, mode: 0o770 })
  }

  /**
   * Make a finished recording durable and describe it: fsync the file and its folder, then read the header and
   * check that the audio it declares is really there. Throws WavFormatError for a file that is not a playable
   * recording (0 bytes, not WAV, not PCM). A header whose sizes were never patched (writer killed) is accepted
   * with the duration the bytes on disk give.
   */
  async commit(path: string): Promise<WavInfo & { sizeBytes: number }> {
    const handle = await open(path, 'r+')
    try {
      // The file's data and its folder entry are made durable at once (each fsync waits on the disk; one after
      // the other they put both waits between the caller's hangup and the lamp). Both are done before this returns.
      const [info] = await Promise.all([
        (async () => {
          await handle.sync()
          const { size } = await handle.stat()
          const head = Buffer.alloc(Math.min(size, 4096))
          await handle.read(head, 0, head.length, 0)
          return { ...readWavHeader(head, size), sizeBytes: size }
        })(),
        fsyncFolder(dirname(path)),
      ])
      return info
    } finally {
      await handle.close()
    }
  }

  async inspect(path: string): Promise<WavInfo & { sizeBytes: number }> {
    const handle = await open(path, 'r')
    try {
      const { size } = await handle.stat()
      const head = Buffer.alloc(Math.min(size, 4096))
      await handle.read(head, 0, head.length, 0)
      return { ...readWavHeader(head, size), sizeBytes: size }
    } finally {
      await handle.close()
    }
  }

  async exists(path: string): Promise<boolean> {
    return stat(path).then(
      () => true,
      () => false,
    )
  }

  /** Remove a file; a file already gone is fine. */
  async remove(path: string): Promise<void> {
    await rm(path, { force: true })
  }

  /** Remove a box's whole folder (messages, greetings, anything left); a folder already gone is fine. */
  async removeBoxDir(domain: string, box: string): Promise<void> {
    await rm(this.boxDir(domain, box), { recursive: true, force: true })
  }

  async move(from: string, to: string): Promise<void> {
    await this.prepare(to)
    await rename(from, to)
    await fsyncFolder(dirname(to))
  }
}
