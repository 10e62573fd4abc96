import { open } from 'node:fs/promises'

/** fsync a folder, so the entries made in it (a new recording, a renamed file) survive a power loss. */
export async function fsyncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
