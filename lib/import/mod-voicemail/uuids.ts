import { createHash } from 'node:crypto'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A lower-case RFC 4122 text UUID. */
export function isUuid(value: string): boolean {
  return UUID.test(value)
}

/**
 * A name-based UUID (version 5 layout over SHA-1 of `name`): the same name gives the same UUID on every run, which
 * is what makes a rerun of the import find what an earlier run brought over.
 */
export function derivedUuid(name: string): string {
  const hash = createHash('sha1').update(name, 'utf8').digest()
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}
