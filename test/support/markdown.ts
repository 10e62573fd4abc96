/**
 * Just enough Markdown for the documentation tests: which files are the docs, their headings as GitHub anchors, and
 * their links with line numbers. Fenced code blocks and inline code never hold a heading or a link.
 */
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { repoRoot } from './fs-conf.js'

/** The documentation, relative to the repository root: README.md, BENCHMARKS.md, freeswitch-xml/README.md, docs/**. */
export function listDocs(): string[] {
  const out = ['README.md', 'BENCHMARKS.md', 'freeswitch-xml/README.md']
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.md')) out.push(relative(repoRoot, path))
    }
  }
  walk(join(repoRoot, 'docs'))
  return out.sort()
}

/** The text with fenced blocks and inline code spans blanked out (same length, same line breaks). */
export function proseOnly(text: string): string {
  const blank = (s: string): string => s.replace(/[^\n]/g, ' ')
  const lines = text.split('\n')
  let fence: string | undefined
  const kept = lines.map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1]
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined
      return blank(line)
    }
    if (marker !== undefined) {
      fence = marker
      return blank(line)
    }
    return line
  })
  return kept.join('\n').replace(/(`+)[\s\S]*?\1/g, (span) => blank(span))
}

/**
 * The anchor GitHub gives a heading: the rendered text in lower case, without punctuation other than `-` and `_`,
 * spaces made `-` (github-slugger's rule). Links and code marks in the heading count by their text.
 */
export function githubSlug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]*>/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-')
}

/** Every heading's anchor, in order; a repeated one gets `-1`, `-2`, … as on GitHub. */
export function headingAnchors(text: string): string[] {
  const prose = proseOnly(text).split('\n')
  const raw = text.split('\n')
  const seen = new Map<string, number>()
  const anchors: string[] = []
  prose.forEach((line, i) => {
    if (!/^#{1,6}\s/.test(line)) return
    const heading = (raw[i] ?? '').replace(/^#{1,6}\s+/, '').replace(/\s+#*\s*$/, '')
    const base = githubSlug(heading)
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    anchors.push(n === 0 ? base : `${base}-${n}`)
  })
  return anchors
}

/** One link of a Markdown file: its 1-based line and target as written. */
export interface DocLink {
  line: number
  target: string
}

/** Inline links and images (`[text](target "title")`, labels over several lines) and reference definitions. */
export function links(text: string): DocLink[] {
  const prose = proseOnly(text)
  const lineOf = (offset: number): number => prose.slice(0, offset).split('\n').length
  const out: DocLink[] = []
  const inline = /\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g
  for (const m of prose.matchAll(inline)) out.push({ line: lineOf(m.index), target: m[1] ?? '' })
  for (const m of prose.matchAll(/^ {0,3}\[[^\]]+\]:\s+<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)) {
    out.push({ line: lineOf(m.index), target: m[1] ?? '' })
  }
  return out.sort((a, b) => a.line - b.line)
}
