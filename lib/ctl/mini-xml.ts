/** An element of a parsed XML document. */
export interface XmlElement {
  name: string
  attrs: Record<string, string>
  children: XmlElement[]
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16))
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10))
    return ENTITIES[e] ?? whole
  })
}

/**
 * A small, forgiving XML reader for what FreeSWITCH's `xml_locate` prints: elements and attributes only (text,
 * comments, CDATA, processing instructions and doctypes are skipped). Unbalanced tags are closed as they come; it
 * never throws. Returns the top-level elements.
 */
export function parseXml(text: string): XmlElement[] {
  const root: XmlElement = { name: '#root', attrs: {}, children: [] }
  const stack: XmlElement[] = [root]
  let i = 0
  while (i < text.length) {
    const lt = text.indexOf('<', i)
    if (lt < 0) break
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4)
      i = end < 0 ? text.length : end + 3
      continue
    }
    if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt)
      i = end < 0 ? text.length : end + 3
      continue
    }
    const gt = findTagEnd(text, lt + 1)
    if (gt < 0) break
    const inner = text.slice(lt + 1, gt)
    i = gt + 1
    if (inner.startsWith('?') || inner.startsWith('!')) continue
    if (inner.startsWith('/')) {
      const name = inner.slice(1).trim()
      const at = stack.map((e) => e.name).lastIndexOf(name)
      if (at > 0) stack.length = at
      continue
    }
    const selfClosing = inner.endsWith('/')
    const body = selfClosing ? inner.slice(0, -1) : inner
    const nameMatch = /^\s*([^\s/>]+)/.exec(body)
    if (nameMatch === null) continue
    const element: XmlElement = { name: nameMatch[1] as string, attrs: {}, children: [] }
    for (const m of body.slice(nameMatch[0].length).matchAll(/([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
      element.attrs[m[1] as string] = decode(m[3] ?? m[4] ?? '')
    }
    ;(stack[stack.length - 1] as XmlElement).children.push(element)
    if (!selfClosing) stack.push(element)
  }
  return root.children
}

/** The first `>` that is not inside a quoted attribute value. */
function findTagEnd(text: string, from: number): number {
  let quote: string | undefined
  for (let i = from; i < text.length; i++) {
    const c = text[i]
    if (quote !== undefined) {
      if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") quote = c
    else if (c === '>') return i
  }
  return -1
}

/** Every descendant element named `name`, in document order. */
export function findAll(elements: readonly XmlElement[], name: string): XmlElement[] {
  const found: XmlElement[] = []
  const walk = (list: readonly XmlElement[]): void => {
    for (const e of list) {
      if (e.name === name) found.push(e)
      walk(e.children)
    }
  }
  walk(elements)
  return found
}
