/**
 * A strict, small XML parser for the subset FreeSWITCH configuration files use: an optional `<?xml …?>`
 * declaration, comments, elements, attributes in single or double quotes, text, CDATA and the five predefined
 * entities plus numeric character references. No DTDs, no namespaces. Anything outside that subset, or anything
 * not well-formed, throws an `XmlSyntaxError` naming the line and column, so a test fails on a file FreeSWITCH
 * would refuse (its loader rejects the whole configuration on one bad file).
 */

export interface XmlElement {
  readonly name: string
  readonly attributes: Readonly<Record<string, string>>
  readonly children: readonly XmlElement[]
  /** Concatenated text and CDATA directly inside this element. */
  readonly text: string
  /** 1-based line of the start tag, for assertion messages. */
  readonly line: number
}

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError'
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at ${line}:${column}`)
  }
}

const NAME = /[A-Za-z_][\w.:-]*/y
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** Parses one document and returns its root element; throws `XmlSyntaxError` on anything not well-formed. */
export function parseXml(source: string): XmlElement {
  return new Parser(source).document()
}

/** Every descendant element (depth first, document order) named `name`. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = []
  const walk = (el: XmlElement): void => {
    for (const child of el.children) {
      if (child.name === name) out.push(child)
      walk(child)
    }
  }
  walk(root)
  return out
}

class Parser {
  private pos = 0

  constructor(private readonly src: string) {}

  document(): XmlElement {
    if (this.src.startsWith('\uFEFF')) this.pos = 1
    if (this.src.startsWith('<?xml', this.pos)) this.declaration()
    this.misc()
    if (!this.src.startsWith('<', this.pos)) this.fail('expected the root element')
    const root = this.element()
    this.misc()
    if (this.pos < this.src.length) this.fail('content after the root element')
    return root
  }

  private declaration(): void {
    const end = this.src.indexOf('?>', this.pos)
    if (end < 0) this.fail('unterminated XML declaration')
    const body = this.src.slice(this.pos + 5, end)
    if (!/^(\s+[a-z]+\s*=\s*("[^"]*"|'[^']*'))+\s*$/.test(body)) this.fail('malformed XML declaration')
    this.pos = end + 2
  }

  /** Whitespace and comments between top-level constructs. */
  private misc(): void {
    for (;;) {
      this.skipSpace()
      if (this.src.startsWith('<!--', this.pos)) this.comment()
      else return
    }
  }

  private comment(): void {
    const end = this.src.indexOf('-->', this.pos + 4)
    if (end < 0) this.fail('unterminated comment')
    const body = this.src.slice(this.pos + 4, end)
    // XML forbids "--" inside a comment, and FreeSWITCH's parser ends the comment there.
    const dashes = body.indexOf('--')
    if (dashes >= 0 || body.endsWith('-'))
      this.fail('"--" inside a comment', this.pos + 4 + Math.max(dashes, 0))
    this.pos = end + 3
  }

  private element(): XmlElement {
    const line = this.lineAt(this.pos)
    this.expect('<')
    const name = this.name()
    const attributes: Record<string, string> = {}
    for (;;) {
      const hadSpace = this.skipSpace()
      if (this.src.startsWith('/>', this.pos)) {
        this.pos += 2
        return { name, attributes, children: [], text: '', line }
      }
      if (this.src.startsWith('>', this.pos)) {
        this.pos += 1
        break
      }
      if (!hadSpace) this.fail('expected whitespace before an attribute')
      const attr = this.name()
      if (Object.hasOwn(attributes, attr)) this.fail(`duplicate attribute "${attr}"`)
      this.skipSpace()
      this.expect('=')
      this.skipSpace()
      attributes[attr] = this.quoted()
    }
    const children: XmlElement[] = []
    let text = ''
    for (;;) {
      if (this.pos >= this.src.length) this.fail(`unclosed element <${name}>`)
      if (this.src.startsWith('</', this.pos)) {
        this.pos += 2
        const closing = this.name()
        if (closing !== name) this.fail(`</${closing}> closes <${name}>`)
        this.skipSpace()
        this.expect('>')
        return { name, attributes, children, text, line }
      }
      if (this.src.startsWith('<!--', this.pos)) this.comment()
      else if (this.src.startsWith('<![CDATA[', this.pos)) {
        const end = this.src.indexOf(']]>', this.pos)
        if (end < 0) this.fail('unterminated CDATA')
        text += this.src.slice(this.pos + 9, end)
        this.pos = end + 3
      } else if (this.src.startsWith('<?', this.pos) || this.src.startsWith('<!', this.pos)) {
        this.fail('processing instructions and declarations are not allowed here')
      } else if (this.src.startsWith('<', this.pos)) children.push(this.element())
      else text += this.charData('<')
    }
  }

  private quoted(): string {
    const quote = this.src[this.pos]
    if (quote !== '"' && quote !== "'") this.fail('attribute value must be quoted')
    this.pos += 1
    const value = this.charData(quote)
    this.expect(quote)
    return value
  }

  /** Text up to `stop` with entities decoded; a raw `<` or a bare `&` is an error. */
  private charData(stop: string): string {
    let out = ''
    while (this.pos < this.src.length && this.src[this.pos] !== stop) {
      const ch = this.src[this.pos]
      if (ch === '<') this.fail('"<" in text or attribute value')
      if (ch === '&') {
        const m = /&(#x[0-9A-Fa-f]+|#[0-9]+|[a-z]+);/y
        m.lastIndex = this.pos
        const hit = m.exec(this.src)
        const ref = hit?.[1]
        if (hit === null || ref === undefined) this.fail('bare "&" (write &amp;)')
        const decoded = ref.startsWith('#x')
          ? String.fromCodePoint(parseInt(ref.slice(2), 16))
          : ref.startsWith('#')
            ? String.fromCodePoint(parseInt(ref.slice(1), 10))
            : ENTITIES[ref]
        if (decoded === undefined) this.fail(`unknown entity &${ref};`)
        out += decoded
        this.pos += hit[0].length
      } else {
        out += ch
        this.pos += 1
      }
    }
    return out
  }

  private name(): string {
    NAME.lastIndex = this.pos
    const hit = NAME.exec(this.src)
    if (hit === null) this.fail('expected a name')
    this.pos += hit[0].length
    return hit[0]
  }

  private skipSpace(): boolean {
    const start = this.pos
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? '')) this.pos += 1
    return this.pos > start
  }

  private expect(token: string): void {
    if (!this.src.startsWith(token, this.pos)) this.fail(`expected "${token}"`)
    this.pos += token.length
  }

  private lineAt(pos: number): number {
    let line = 1
    for (let i = 0; i < pos; i++) if (this.src[i] === '\n') line++
    return line
  }

  private fail(message: string, at = this.pos): never {
    const before = this.src.slice(0, at)
    const line = before.split('\n').length
    const column = at - before.lastIndexOf('\n')
    throw new XmlSyntaxError(message, line, column)
  }
}
