/**
 * Duplicate keys in one JSON text. `JSON.parse` keeps the last of two equal keys without a word, so a log line
 * such as `{"domain":"a","domain":"a"}` parses fine while log tools (jq's `--stream`, Loki, Elasticsearch ingest)
 * choke on it or keep the wrong one. This walks the text itself.
 */

/** Every key that occurs twice in the same object, as a path (`domain`, `err.code`). Throws on invalid JSON. */
export function duplicateKeys(text: string): string[] {
  const scanner = new Scanner(text)
  const found: string[] = []
  scanner.value('', found)
  scanner.skipSpace()
  if (!scanner.atEnd()) throw new SyntaxError(`trailing text at ${scanner.pos}`)
  return found
}

class Scanner {
  pos = 0

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length
  }

  skipSpace(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos++
  }

  value(path: string, found: string[]): void {
    this.skipSpace()
    const c = this.text[this.pos]
    if (c === '{') this.object(path, found)
    else if (c === '[') this.array(path, found)
    else if (c === '"') this.string()
    else this.literal()
  }

  private object(path: string, found: string[]): void {
    this.pos++ // {
    const keys = new Set<string>()
    this.skipSpace()
    if (this.text[this.pos] === '}') {
      this.pos++
      return
    }
    for (;;) {
      this.skipSpace()
      const key = this.string()
      const keyPath = path === '' ? key : `${path}.${key}`
      if (keys.has(key)) found.push(keyPath)
      keys.add(key)
      this.skipSpace()
      this.expect(':')
      this.value(keyPath, found)
      this.skipSpace()
      if (this.text[this.pos] === ',') {
        this.pos++
        continue
      }
      this.expect('}')
      return
    }
  }

  private array(path: string, found: string[]): void {
    this.pos++ // [
    this.skipSpace()
    if (this.text[this.pos] === ']') {
      this.pos++
      return
    }
    for (let i = 0; ; i++) {
      this.value(`${path}[${i}]`, found)
      this.skipSpace()
      if (this.text[this.pos] === ',') {
        this.pos++
        continue
      }
      this.expect(']')
      return
    }
  }

  /** A string token, decoded by JSON.parse (escapes included). */
  private string(): string {
    const start = this.pos
    this.expect('"')
    while (this.pos < this.text.length && this.text[this.pos] !== '"') {
      this.pos += this.text[this.pos] === '\\' ? 2 : 1
    }
    this.expect('"')
    return JSON.parse(this.text.slice(start, this.pos)) as string
  }

  private literal(): void {
    const match = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.pos))
    if (match === null) throw new SyntaxError(`unexpected token at ${this.pos}`)
    this.pos += match[0].length
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) throw new SyntaxError(`expected ${c} at ${this.pos}`)
    this.pos++
  }
}
