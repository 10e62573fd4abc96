import { findAll, parseXml, type XmlElement } from './mini-xml.js'

/** The feature codes vanilla FreeSWITCH's default.xml already answers before its `default/*.xml` include. */
export const VANILLA_CODES = ['5000', '5001'] as const

/** What the dialplan does with one feature code. */
export interface ShadowFinding {
  code: string
  /** The extension FreeSWITCH would run for this number (first match, in order). */
  winner?: string
  /** Our extension for the code, if any. */
  ours?: string
  status: 'ok' | 'shadowed' | 'not-ours' | 'unanswered'
}

interface Extension {
  name: string
  continues: boolean
  ours: boolean
  patterns: RegExp[]
  literalCodes: string[]
}

/** Ours: it hands the call to voicemaild (sets `vm_action` or runs `socket`). */
function isOurs(ext: XmlElement): boolean {
  return findAll(ext.children, 'action')
    .concat(findAll(ext.children, 'anti-action'))
    .some((a) => {
      const app = a.attrs.application ?? ''
      const data = a.attrs.data ?? ''
      return app === 'socket' || (app === 'set' && data.startsWith('vm_action='))
    })
}

function toExtension(ext: XmlElement): Extension {
  const patterns: RegExp[] = []
  const literalCodes: string[] = []
  for (const cond of findAll(ext.children, 'condition')) {
    const field = cond.attrs.field ?? ''
    if (field !== 'destination_number' && field !== '${destination_number}') continue
    const expression = cond.attrs.expression ?? ''
    const literal = /^\^\(?([0-9*#]+)\)?\$$/.exec(expression)
    if (literal !== null) literalCodes.push((literal[1] as string).replace(/\\/g, ''))
    try {
      patterns.push(new RegExp(expression))
    } catch {
      // A PCRE construct JavaScript does not know: this extension cannot be judged; skip it.
    }
  }
  return {
    name: ext.attrs.name ?? '(unnamed)',
    continues: ext.attrs.continue === 'true',
    ours: isOurs(ext),
    patterns,
    literalCodes,
  }
}

/**
 * Best-effort check of SPEC §2's trap: which extension of `context` FreeSWITCH picks for each of our feature codes
 * (every literal `^NNNN$` code of an extension that hands calls to voicemaild, plus 5000 and 5001). It looks at
 * `destination_number` conditions only, in document order (the order FreeSWITCH tries them), skipping extensions
 * marked `continue="true"`. Other conditions (time of day, caller) are not evaluated, so a finding is a strong
 * hint, not proof. `xml` is the output of `api xml_locate dialplan`.
 */
export function findShadowedCodes(
  xml: string,
  context = 'default',
): { context: boolean; findings: ShadowFinding[] } {
  const contexts = findAll(parseXml(xml), 'context').filter((c) => c.attrs.name === context)
  if (contexts.length === 0) return { context: false, findings: [] }
  const extensions = contexts.flatMap((c) => findAll(c.children, 'extension')).map(toExtension)
  const codes = new Set<string>(VANILLA_CODES)
  for (const ext of extensions) if (ext.ours) for (const code of ext.literalCodes) codes.add(code)

  const findings: ShadowFinding[] = []
  for (const code of codes) {
    const matching = extensions.filter((e) => e.patterns.some((p) => p.test(code)))
    const winner = matching.find((e) => !e.continues) ?? matching[0]
    const ours = matching.find((e) => e.ours)
    const finding: ShadowFinding = { code, status: 'ok' }
    if (winner !== undefined) finding.winner = winner.name
    if (ours !== undefined) finding.ours = ours.name
    if (winner === undefined) finding.status = 'unanswered'
    else if (winner.ours) finding.status = 'ok'
    else finding.status = ours === undefined ? 'not-ours' : 'shadowed'
    findings.push(finding)
  }
  return { context: true, findings }
}

/** An extension that still hands calls to mod_voicemail. */
export interface VoicemailAppUse {
  context: string
  extension: string
  /** `voicemail`: runs the application itself (vanilla's `vmain`); `loopback`: through `loopback/app=voicemail`. */
  via: 'voicemail' | 'loopback'
}

// A loopback leg that runs the voicemail app (vanilla's Local_Extension: `bridge loopback/app=voicemail:default …`).
const LOOPBACK_VOICEMAIL = /\bloopback\/app=voicemail\b/i

/**
 * Every extension of every context that still runs mod_voicemail's `voicemail` application, directly or through a
 * loopback leg, in document order. Once mod_voicemail is unloaded (it must be, SPEC §5) FreeSWITCH fails those calls
 * ("Invalid Application voicemail"), so a caller meets silence where voicemail used to answer. `xml` is the output of
 * `api xml_locate dialplan`.
 */
export function findVoicemailApps(xml: string): VoicemailAppUse[] {
  const uses: VoicemailAppUse[] = []
  for (const context of findAll(parseXml(xml), 'context')) {
    for (const ext of findAll(context.children, 'extension')) {
      const actions = findAll(ext.children, 'action').concat(findAll(ext.children, 'anti-action'))
      const direct = actions.some((a) => (a.attrs.application ?? '').toLowerCase() === 'voicemail')
      const loopback = actions.some((a) => LOOPBACK_VOICEMAIL.test(a.attrs.data ?? ''))
      if (!direct && !loopback) continue
      uses.push({
        context: context.attrs.name ?? '(unnamed)',
        extension: ext.attrs.name ?? '(unnamed)',
        via: direct ? 'voicemail' : 'loopback',
      })
    }
  }
  return uses
}
