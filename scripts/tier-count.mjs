#!/usr/bin/env node
// Counts the assertions of the real-FreeSWITCH tier (test/integration/) from tap's saved results
// (.tap/test-results/), so CI prints the tier's own line beside the closing one. Leaf assertions only, as tap's
// own "total" counts them: a subtest's summary line is the one that carries "# time=".
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = process.argv[2] ?? '.tap/test-results/test/integration'
/** @type {string[]} */
const files = []
/** @param {string} dir */
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path)
    else if (name.endsWith('.tap')) files.push(path)
  }
}
try {
  walk(root)
} catch {
  // No results folder: the tier did not run at all (counted as 0 files below).
}
let pass = 0
let fail = 0
let skippedFiles = 0
for (const file of files) {
  const text = readFileSync(file, 'utf8')
  if (/^1\.\.0 # (skip|SKIP)/m.test(text)) skippedFiles++
  for (const line of text.split('\n')) {
    const m = /^\s*(not )?ok \d+/.exec(line)
    if (m === null || line.includes('# time=')) continue
    if (m[1] === undefined) pass++
    else if (!/# (TODO|todo)/.test(line)) fail++
  }
}
console.log(
  `real-FreeSWITCH tier: ${pass} passed, ${fail} failed (${files.length} files, ${skippedFiles} skipped)`,
)
