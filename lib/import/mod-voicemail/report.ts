import type { MailboxSettings } from '../../store/mailboxes.js'
import type { BoxPlan, ImportPlan, ItemAction, PinPlan } from './plan.js'

/** Counts of an import (or of what a dry run would do). */
export interface ImportSummary {
  boxes: { create: number; change: number; unchanged: number }
  messages: Record<ItemAction, number>
  greetings: Record<ItemAction, number>
  skipped: number
  problems: number
}

export function summarize(plan: ImportPlan): ImportSummary {
  const items = (): Record<ItemAction, number> => ({
    import: 0,
    imported: 0,
    unchanged: 0,
    skip: 0,
    problem: 0,
  })
  const s: ImportSummary = {
    boxes: { create: 0, change: 0, unchanged: 0 },
    messages: items(),
    greetings: items(),
    skipped: plan.skipped.length,
    problems: 0,
  }
  for (const b of plan.boxes) {
    s.boxes[b.action]++
    for (const m of b.messages) s.messages[m.action]++
    for (const g of b.greetings) s.greetings[g.action]++
  }
  s.problems = s.messages.problem + s.greetings.problem
  return s
}

/** The plan as JSON for `--json` (never the PIN). */
export function planJson(plan: ImportPlan): Record<string, unknown> {
  return {
    boxes: plan.boxes.map((b) => ({
      domain: b.domain,
      id: b.id,
      action: b.action,
      settings: b.changes,
      pin: pinJson(b.pin),
      greetings: b.greetings.map((g) => ({
        kind: g.kind,
        action: g.action,
        ...(g.reason === undefined ? {} : { reason: g.reason }),
        ...(g.convertFrom === undefined ? {} : { convertFrom: g.convertFrom }),
      })),
      messages: b.messages.map((m) => ({
        uuid: m.uuid,
        sourceUuid: m.sourceUuid,
        action: m.action,
        ...(m.reason === undefined ? {} : { reason: m.reason }),
        folder: m.folder,
        urgent: m.urgent,
        receivedAt: new Date(m.receivedAt).toISOString(),
        callerIdNumber: m.callerIdNumber,
        ...(m.forwardedFrom === undefined ? {} : { forwardedFrom: m.forwardedFrom }),
        ...(m.convertFrom === undefined ? {} : { convertFrom: m.convertFrom }),
      })),
      notes: b.notes,
    })),
    skipped: plan.skipped,
  }
}

function pinJson(p: PinPlan): Record<string, unknown> {
  const { pin: _secret, ...shown } = p
  void _secret
  return shown
}

const verbs = (dryRun: boolean): Record<ItemAction, string> => ({
  import: dryRun ? 'would import' : 'import',
  imported: 'imported',
  unchanged: 'unchanged',
  skip: 'skipped',
  problem: 'PROBLEM',
})

/** The plan (or its outcome) for people: one block per box that is not untouched, then what was skipped. */
export function planText(plan: ImportPlan, dryRun: boolean): string {
  const lines: string[] = []
  const verb = verbs(dryRun)
  for (const b of plan.boxes) {
    const busy = (a: ItemAction): boolean => a === 'import' || a === 'imported' || a === 'problem'
    const quiet =
      b.action === 'unchanged' &&
      !b.messages.some((m) => busy(m.action)) &&
      !b.greetings.some((g) => busy(g.action))
    const head = `box ${b.id}@${b.domain}: ${boxVerb(b, dryRun)}`
    if (quiet) {
      const there = b.messages.filter((m) => m.action === 'unchanged').length
      lines.push(`${head}${there > 0 ? ` (${there} messages already imported)` : ''}`)
      continue
    }
    const settings = settingsText(b.changes)
    lines.push(settings === '' ? head : `${head} (${settings})`)
    lines.push(`  PIN: ${pinText(b.pin)}`)
    for (const g of b.greetings) {
      const what = g.kind === 'name' ? 'recorded name' : 'greeting'
      lines.push(`  ${what}: ${verb[g.action]}${detail(g.reason, g.convertFrom)}`)
    }
    for (const m of b.messages) {
      const flags = [m.folder, m.urgent ? 'urgent' : ''].filter((f) => f !== '').join(' ')
      const from = m.callerIdNumber === '' ? '' : ` from ${clean(m.callerIdNumber)}`
      lines.push(
        `  message ${m.uuid}: ${verb[m.action]} ${flags}${from}, received ${new Date(m.receivedAt).toISOString()}${detail(m.reason, m.convertFrom)}`,
      )
    }
    for (const n of b.notes) lines.push(`  note: ${clean(n)}`)
  }
  for (const s of plan.skipped) lines.push(`skipped ${s.what}: ${s.reason}`)
  const sum = summarize(plan)
  const done = dryRun ? sum.messages.import : sum.messages.imported
  const greetingsDone = dryRun ? sum.greetings.import : sum.greetings.imported
  lines.push(
    `${dryRun ? 'dry run, nothing changed: would create' : 'created'} ${sum.boxes.create} boxes, ${dryRun ? 'change' : 'changed'} ${sum.boxes.change}, ${sum.boxes.unchanged} unchanged; ` +
      `messages: ${done} ${dryRun ? 'to import' : 'imported'}, ${sum.messages.unchanged} already there, ${sum.messages.skip} skipped; ` +
      `greetings and names: ${greetingsDone} ${dryRun ? 'to import' : 'imported'}; problems: ${sum.problems}`,
  )
  return lines.join('\n')
}

function boxVerb(b: BoxPlan, dryRun: boolean): string {
  if (b.action === 'create') return dryRun ? 'would create' : 'created'
  if (b.action === 'change') return dryRun ? 'would change' : 'changed'
  return 'unchanged'
}

function pinText(p: PinPlan): string {
  const from = { phone: 'the PIN set by phone', directory: 'vm-password', 'sip-password': 'the SIP password' }
  if (p.action === 'set' || p.action === 'unchanged') {
    const what = `${p.source === undefined ? '' : from[p.source]}${p.temporary === true ? `, temporary${p.weak === undefined ? '' : ` (weak: ${p.weak})`}: the owner must change it at first login` : ''}`
    return `${p.action === 'set' ? 'from ' : 'unchanged, '}${what}`
  }
  return p.reason ?? p.action
}

function settingsText(s: MailboxSettings): string {
  const parts: string[] = []
  if (s.name !== undefined) parts.push(`name ${JSON.stringify(s.name)}`)
  if (s.email !== undefined) parts.push(`mail to ${s.email.length === 0 ? 'nobody' : s.email.join(', ')}`)
  if (s.attachAudio !== undefined) parts.push(`attach audio ${s.attachAudio ? 'yes' : 'no'}`)
  if (s.keepAfterEmail !== undefined) parts.push(`keep after mail ${s.keepAfterEmail ? 'yes' : 'no'}`)
  if (s.quotaBytes !== undefined && s.quotaBytes !== null) parts.push(`quota ${s.quotaBytes} bytes`)
  if (s.timezone !== undefined && s.timezone !== null) parts.push(`time zone ${s.timezone}`)
  if (s.enabled !== undefined) parts.push(s.enabled ? 'enabled' : 'disabled')
  return parts.join(', ')
}

function detail(reason: string | undefined, convertFrom: string | undefined): string {
  const parts = [reason, convertFrom === undefined ? undefined : `converted from ${convertFrom}`].filter(
    (p): p is string => p !== undefined,
  )
  return parts.length === 0 ? '' : `: ${clean(parts.join('; '))}`
}

/** Control characters from source data shown escaped, never interpreted by the terminal. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
