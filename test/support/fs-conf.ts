/**
 * Loads the shipped FreeSWITCH snippets under `freeswitch-xml/` for the tests in `test/xml/`.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseXml, type XmlElement } from './xml.js'

/** Absolute path of the repository root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Absolute path of `freeswitch-xml/`. */
export const confRoot = join(repoRoot, 'freeswitch-xml')

/** Every file under `freeswitch-xml/` meant to be XML (`*.xml` and `*.xml.noload`), relative, sorted. */
export function listConfFiles(): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.xml(\.noload)?$/.test(entry.name)) out.push(relative(confRoot, path))
    }
  }
  walk(confRoot)
  return out.sort()
}

/** Parses `freeswitch-xml/<rel>`; throws `XmlSyntaxError` when it is not well-formed. */
export function loadConf(rel: string): XmlElement {
  return parseXml(readFileSync(join(confRoot, rel), 'utf8'))
}

/** The `<extension>` children of a dialplan snippet (`<include>` root), in order. */
export function extensionsOf(rel: string): XmlElement[] {
  const root = loadConf(rel)
  if (root.name !== 'include') throw new Error(`${rel}: root is <${root.name}>, expected <include>`)
  return root.children.filter((c) => c.name === 'extension')
}

/** The extension named `name` in `list`; throws when absent so a rename fails loudly. */
export function extensionNamed(list: readonly XmlElement[], name: string): XmlElement {
  const ext = list.find((e) => e.attributes.name === name)
  if (ext === undefined) throw new Error(`no extension "${name}"`)
  return ext
}
