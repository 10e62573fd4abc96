import { closeSync, openSync } from 'node:fs'
import { basename, dirname } from 'node:path'

/**
 * Unix socket paths are limited to 107 bytes (`sun_path`); a state directory deep in a file system (a test's
 * temporary directory, a long mount point) goes past that, and bind/connect fail. Past the limit the socket is
 * reached through its directory opened as a file descriptor: `/proc/self/fd/N/control.sock` names the same file
 * (Linux). `use` gets the path to bind or connect to; the descriptor is closed when the promise it returns settles
 * (bind and connect resolve the path at once).
 */
export async function withSocketPath<T>(path: string, use: (usable: string) => Promise<T>): Promise<T> {
  if (Buffer.byteLength(path) <= 100) return use(path)
  const fd = openSync(dirname(path), 'r')
  try {
    return await use(`/proc/self/fd/${fd}/${basename(path)}`)
  } finally {
    closeSync(fd)
  }
}
