#!/usr/bin/env node
// "Nothing is lost": checks that every piece of text of README.md at a git revision (each paragraph, list item,
// table row and code line; headings aside) is still somewhere in the documentation of the working tree: README.md,
// docs/**/*.md, BENCHMARKS.md, freeswitch-xml/README.md. Written for the split of README.md into docs/ by reader
// (issue 14), and for placing README lines another branch added: `node scripts/docs-moved.mjs <rev>`.
// Compared modulo whitespace and line wrapping, and links by their text only (a moved section's links point
// elsewhere). Prints what it cannot find, with its line in the old README, and exits 1 if anything is missing.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const rev = process.argv[2]
if (rev === undefined) {
  console.error('usage: node scripts/docs-moved.mjs <git revision whose README.md to look for>')
  process.exit(2)
}
const old = execFileSync('git', ['show', `${rev}:README.md`], { encoding: 'utf8' })

/** @param {string} text */
const normalize = (text) =>
  text
    .replace(/!?\[((?:[^[\]]|\[[^\]]*\])*)\]\([^)\s]*\)/g, '$1') // a link counts by its text
    .replace(/\|\s*:?-{3,}:?\s*(?=\|)/g, '|---') // table separators, whatever their width
    .replace(/\s+/g, ' ')
    .trim()

/**
 * The old README cut into units: code lines, table rows, list items, paragraphs (headings skipped).
 * @param {string} text
 * @returns {{ line: number, text: string }[]}
 */
const units = (text) => {
  /** @type {{ line: number, text: string }[]} */
  const out = []
  /** @type {{ line: number, lines: string[] } | undefined} */
  let open
  const close = () => {
    if (open !== undefined) out.push({ line: open.line, text: open.lines.join('\n') })
    open = undefined
  }
  /** @type {string | undefined} */
  let fence
  text.split('\n').forEach((line, i) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1]
    if (fence !== undefined || marker !== undefined) {
      close()
      if (fence === undefined) fence = marker
      else if (marker !== undefined && marker.startsWith(fence)) fence = undefined
      else if (line.trim() !== '') out.push({ line: i + 1, text: line })
      return
    }
    if (line.trim() === '' || /^#{1,6}\s/.test(line)) return close()
    if (/^\s*\|/.test(line)) {
      close()
      if (!/^\s*\|[\s|:-]+\|\s*$/.test(line)) out.push({ line: i + 1, text: line })
      return
    }
    if (/^\s*([-*+]|\d+\.)\s/.test(line)) close()
    if (open === undefined) open = { line: i + 1, lines: [] }
    open.lines.push(line.replace(/^\s*([-*+]|\d+\.)\s+/, ''))
  })
  close()
  return out
}

/** @type {string[]} */
const docs = ['README.md', 'BENCHMARKS.md', 'freeswitch-xml/README.md']
/** @param {string} dir */
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) walk(path)
    else if (entry.name.endsWith('.md')) docs.push(path)
  }
}
walk('docs')
const corpus = normalize(docs.map((file) => readFileSync(file, 'utf8')).join('\n\n'))

const all = units(old)
const missing = all.filter((unit) => !corpus.includes(normalize(unit.text)))
for (const unit of missing) console.log(`README.md:${unit.line} (${rev}) not found: ${normalize(unit.text)}`)
console.log(
  `${all.length - missing.length} of ${all.length} pieces of ${rev}:README.md found in ${docs.length} files`,
)
process.exit(missing.length === 0 ? 0 : 1)
