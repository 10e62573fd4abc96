import { basename, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The absolute path of the repository's `prompts/` folder (our own prompts for weak-PIN reasons and lockout),
 * found from this module's location: `lib/config/` when run from source (tap, ts loaders) and
 * `dist/lib/config/` when run from the build, which keeps `prompts/` at the package root, not under `dist/`.
 */
export function packagePromptsDir(moduleUrl: string = import.meta.url): string {
  const libDir = resolve(dirname(fileURLToPath(moduleUrl)), '..')
  const above = dirname(libDir)
  const root = basename(above) === 'dist' ? dirname(above) : above
  return resolve(root, 'prompts')
}
