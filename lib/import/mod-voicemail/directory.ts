import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parseXml, type XmlElement } from '../../ctl/mini-xml.js'
import { ImportSourceError } from '../errors.js'

/**
 * A FreeSWITCH directory user as mod_voicemail sees it (`switch_xml_locate_user_merged`): the domain's params and
 * variables, then its group's, then the user's own, later ones winning. Names are lower-cased (mod_voicemail
 * compares them with strcasecmp).
 */
export interface DirectoryUser {
  id: string
  /** Lower-cased. */
  domain: string
  params: ReadonlyMap<string, string>
  variables: ReadonlyMap<string, string>
}

export interface DirectoryRead {
  users: DirectoryUser[]
  /** Things the operator should know (unresolved `$${...}` values, users outside any domain). */
  notes: string[]
}

/**
 * The users of a directory document: what `xml_locate directory` prints (the whole section, every domain) or one
 * of the operator's directory files. Users outside any `<domain>` element (the files of `directory/default/`, which
 * vanilla includes into `$${domain}`) and domains named by an unresolved `$${...}` variable belong to
 * `defaultDomain`. Group pointers (`type="pointer"`) are skipped; a user met twice keeps its first entry.
 */
export function usersFromDirectoryXml(xml: string, defaultDomain: string | undefined): DirectoryRead {
  const notes = new Set<string>()
  const users: DirectoryUser[] = []
  const seen = new Set<string>()
  const add = (user: DirectoryUser): void => {
    const key = `${user.id}@${user.domain}`
    if (seen.has(key)) return
    seen.add(key)
    users.push(user)
  }
  const resolveDomain = (name: string | undefined): string | undefined => {
    if (name !== undefined && name !== '' && !name.includes('$${')) return name.toLowerCase()
    if (defaultDomain === undefined) {
      notes.add('users outside a <domain> with a literal name were skipped: give --domain for them')
      return undefined
    }
    return defaultDomain.toLowerCase()
  }

  const walk = (
    elements: readonly XmlElement[],
    domain: string | undefined,
    params: Map<string, string>,
    variables: Map<string, string>,
  ): void => {
    for (const e of elements) {
      if (e.name === 'domain') {
        const name = resolveDomain(e.attrs.name)
        if (name === undefined) continue
        walk(
          e.children,
          name,
          merged(params, e, 'params', 'param', notes),
          merged(variables, e, 'variables', 'variable', notes),
        )
      } else if (e.name === 'group') {
        walk(
          e.children,
          domain,
          merged(params, e, 'params', 'param', notes),
          merged(variables, e, 'variables', 'variable', notes),
        )
      } else if (e.name === 'user') {
        if (e.attrs.type === 'pointer') continue
        const id = e.attrs.id
        if (id === undefined || id === '') continue
        if (id.includes('$${')) {
          notes.add(`user ${id}: unresolved id skipped`)
          continue
        }
        const userDomain = domain ?? resolveDomain(undefined)
        if (userDomain === undefined) continue
        add({
          id,
          domain: userDomain,
          params: merged(params, e, 'params', 'param', notes),
          variables: merged(variables, e, 'variables', 'variable', notes),
        })
      } else if (e.name !== 'params' && e.name !== 'variables' && e.name !== 'gateways') {
        walk(e.children, domain, params, variables)
      }
    }
  }
  walk(parseXml(xml), undefined, new Map(), new Map())
  return { users, notes: [...notes] }
}

/** `inherited` plus the `<list><item name value>` children of `element`, the element's winning. */
function merged(
  inherited: ReadonlyMap<string, string>,
  element: XmlElement,
  list: string,
  item: string,
  notes: Set<string>,
): Map<string, string> {
  const result = new Map(inherited)
  for (const container of element.children.filter((c) => c.name === list)) {
    for (const entry of container.children.filter((c) => c.name === item)) {
      const name = entry.attrs.name?.toLowerCase()
      const value = entry.attrs.value
      if (name === undefined || name === '' || value === undefined) continue
      // A file read from disk still has the preprocessor's $${...} (FreeSWITCH expands them when it loads the
      // file): such a value is unknown here, and mod_voicemail ignores empty values, so treat it as absent.
      if (value.includes('$${')) {
        if (name.startsWith('vm-'))
          notes.add(
            `${name}: "${value}" is a preprocessor variable, ignored (ask FreeSWITCH instead of reading files)`,
          )
        result.delete(name)
        continue
      }
      if (value === '') result.delete(name)
      else result.set(name, value)
    }
  }
  return result
}

/**
 * Read directory XML from a file, or from every `*.xml` below a folder (sorted, so the result does not depend on
 * the file system's order). Rejects with ImportSourceError when nothing can be read.
 */
export async function readDirectoryFiles(
  path: string,
  defaultDomain: string | undefined,
): Promise<DirectoryRead> {
  const info = await stat(path).catch(() => undefined)
  if (info === undefined) throw new ImportSourceError(`no directory file or folder at ${path}`)
  const files = info.isDirectory() ? await xmlFilesBelow(path) : [path]
  const users: DirectoryUser[] = []
  const notes = new Set<string>()
  const seen = new Set<string>()
  for (const file of files) {
    const read = usersFromDirectoryXml(await readFile(file, 'utf8'), defaultDomain)
    for (const n of read.notes) notes.add(n)
    for (const u of read.users) {
      if (seen.has(`${u.id}@${u.domain}`)) continue
      seen.add(`${u.id}@${u.domain}`)
      users.push(u)
    }
  }
  return { users, notes: [...notes] }
}

async function xmlFilesBelow(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await xmlFilesBelow(path)))
    else if (entry.isFile() && entry.name.endsWith('.xml')) found.push(path)
  }
  return found
}
