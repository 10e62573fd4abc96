import type { Dirent } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { isBoxNumber, isSafeDomain } from '../mailbox-values.js'

const MESSAGE_FILE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.wav$/
const GREETING_FILE =
  /^(unavailable|busy|temporary|name)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.wav$/

/** One audio file found under `<stateDir>/recordings/<domain>/<box>/`. */
export interface FoundFile {
  domain: string
  box: string
  /** `message` = `<uuid>.wav`; `greeting` = `greetings/<kind>-<uuid>.wav`; `other` = anything else there. */
  type: 'message' | 'greeting' | 'other'
  /** File name (`<uuid>.wav`, `busy-<uuid>.wav`, …). */
  name: string
  path: string
}

/** Folders under recordings/ whose name is not a domain or box number: reported, never touched. */
export interface ScanResult {
  files: FoundFile[]
  strayEntries: string[]
}

/**
 * Walk the recordings tree. Only names the daemon itself could have built are classified; nothing is read or
 * changed here. A missing recordings folder is an empty tree.
 */
export async function scanRecordings(root: string): Promise<ScanResult> {
  const result: ScanResult = { files: [], strayEntries: [] }
  for (const domain of await dirs(root)) {
    if (!isSafeDomain(domain)) {
      result.strayEntries.push(domain)
      continue
    }
    for (const box of await dirs(join(root, domain))) {
      if (!isBoxNumber(box)) {
        result.strayEntries.push(`${domain}/${box}`)
        continue
      }
      const boxDir = join(root, domain, box)
      for (const entry of await entries(boxDir)) {
        if (entry.isFile()) {
          const type = MESSAGE_FILE.test(entry.name) ? 'message' : 'other'
          result.files.push({ domain, box, type, name: entry.name, path: join(boxDir, entry.name) })
        } else if (entry.isDirectory() && entry.name === 'greetings') {
          for (const g of await entries(join(boxDir, 'greetings'))) {
            if (!g.isFile()) continue
            const type = GREETING_FILE.test(g.name) ? 'greeting' : 'other'
            result.files.push({ domain, box, type, name: g.name, path: join(boxDir, 'greetings', g.name) })
          }
        }
      }
    }
  }
  return result
}

async function dirs(path: string): Promise<string[]> {
  return (await entries(path)).filter((e) => e.isDirectory()).map((e) => e.name)
}

/** A folder's entries; a folder removed meanwhile (`voicemailctl mailbox remove`) is empty, not an error. */
async function entries(path: string): Promise<Dirent[]> {
  try {
    return await readdir(path, { withFileTypes: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}
