import type { Config, FreeswitchNode } from '../config/types.js'
import type { Check } from './doctor.js'
import { findShadowedCodes, findVoicemailApps } from './doctor-dialplan.js'
import { compareDomains, directoryDomains } from './doctor-domains.js'
import { EslProbe, EslProbeError } from './doctor-esl.js'

const PROBE_TIMEOUT_MS = 3000

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** What the FreeSWITCH checks compare against. */
export interface FreeswitchCheckOptions {
  /** The dialplan context the phones use (`--context`). */
  context: string
  /** The domains voicemaild keeps boxes in (`servedDomains`). */
  ours: readonly string[]
  config: Config
}

/**
 * Every check of one FreeSWITCH node over a one-shot inbound connection: reachable and authenticated,
 * mod_voicemail not loaded, feature codes not shadowed, no route left to mod_voicemail's `voicemail` application,
 * domains shared with voicemaild. Never rejects: a failure is a FAIL line.
 */
export async function freeswitchChecks(
  node: FreeswitchNode,
  options: FreeswitchCheckOptions,
): Promise<Check[]> {
  const name = `freeswitch ${node.host}:${node.port}`
  let probe: EslProbe
  try {
    probe = await EslProbe.open(node, PROBE_TIMEOUT_MS)
  } catch (err) {
    const hint =
      err instanceof EslProbeError && err.kind === 'auth'
        ? ' (freeswitch[].password vs event_socket.conf.xml)'
        : ''
    return [{ check: name, status: 'fail', detail: `${describe(err)}${hint}` }]
  }
  const checks: Check[] = []
  try {
    const status = await probe.api('status')
    const version = /FreeSWITCH \(Version ([^)]*)\)/.exec(status)?.[1]
    checks.push({
      check: name,
      status: 'ok',
      detail: `reachable, authenticated${version === undefined ? '' : `, FreeSWITCH ${version.split(' ')[0]}`}`,
    })
    checks.push(modVoicemailCheck(name, (await probe.api('module_exists mod_voicemail')).trim()))
    const dialplan = await probe.api('xml_locate dialplan')
    checks.push(featureCodeCheck(dialplan, name, options.context))
    checks.push(voicemailAppCheck(dialplan, name))
    checks.push(await domainCheck(probe, name, options))
  } catch (err) {
    checks.push({ check: name, status: 'fail', detail: `authenticated, then: ${describe(err)}` })
  } finally {
    probe.close()
  }
  return checks
}

function modVoicemailCheck(name: string, loaded: string): Check {
  const check = `${name} mod_voicemail`
  if (loaded === 'true')
    return {
      check,
      status: 'fail',
      detail:
        'mod_voicemail is loaded: it answers MESSAGE_QUERY with "no" and races voicemaild. Run `unload mod_voicemail` in fs_cli and remove it from modules.conf.xml',
    }
  if (loaded === 'false') return { check, status: 'ok', detail: 'not loaded' }
  return {
    check,
    status: 'warn',
    detail: `cannot tell (module_exists answered ${JSON.stringify(loaded.slice(0, 80))})`,
  }
}

/** `xml_locate` answers "can't find anything" or `-ERR …` instead of XML. */
function notXml(reply: string): boolean {
  return !reply.includes('<')
}

function featureCodeCheck(xml: string, name: string, context: string): Check {
  const check = `${name} feature codes`
  if (notXml(xml))
    return {
      check,
      status: 'warn',
      detail: `cannot read the dialplan (xml_locate: ${xml.trim().slice(0, 80)}); check by hand that 5000/5001 reach voicemaild`,
    }
  const { context: found, findings } = findShadowedCodes(xml, context)
  if (!found) return { check, status: 'warn', detail: `no dialplan context "${context}" (use --context)` }
  const shadowed = findings.filter((f) => f.status === 'shadowed')
  if (shadowed.length > 0) {
    const list = shadowed.map((f) => `${f.code} goes to "${f.winner}" before "${f.ours}"`).join('; ')
    return {
      check,
      status: 'fail',
      detail: `${list}: remove those extensions from dialplan/default.xml or include voicemaild's snippets before them (docs/operator-guide.md, "FreeSWITCH integration step by step")`,
    }
  }
  const ours = findings.filter((f) => f.ours !== undefined)
  if (ours.length === 0)
    return {
      check,
      status: 'warn',
      detail: `no extension in context "${context}" hands calls to voicemaild: copy freeswitch-xml/dialplan/default/*.xml`,
    }
  const foreign = findings.filter((f) => f.status === 'not-ours')
  const note =
    foreign.length > 0
      ? `; ${foreign.map((f) => `${f.code} is "${f.winner}"`).join(', ')} (fine if you renumbered)`
      : ''
  return {
    check,
    status: foreign.length > 0 ? 'warn' : 'ok',
    detail: `${ours.map((f) => f.code).join(', ')} reach voicemaild${note}`,
  }
}

/** Extensions (any context) still routed to mod_voicemail: their calls fail once it is unloaded. */
function voicemailAppCheck(xml: string, name: string): Check {
  const check = `${name} mod_voicemail routes`
  if (notXml(xml)) return { check, status: 'warn', detail: 'cannot read the dialplan (see feature codes)' }
  const uses = findVoicemailApps(xml)
  if (uses.length === 0)
    return { check, status: 'ok', detail: "no extension runs mod_voicemail's voicemail application" }
  const list = uses
    .map(
      (u) =>
        `${u.context}/${u.extension} (${u.via === 'voicemail' ? 'voicemail' : 'loopback/app=voicemail'})`,
    )
    .join(', ')
  return {
    check,
    status: 'fail',
    detail: `${list} still run mod_voicemail's voicemail application: those calls fail without mod_voicemail. Hand them to voicemaild (freeswitch-xml/README.md, "Vanilla conflicts") and reloadxml`,
  }
}

/** FreeSWITCH's domains (directory and global `domain`) against voicemaild's. */
async function domainCheck(probe: EslProbe, name: string, options: FreeswitchCheckOptions): Promise<Check> {
  const check = `${name} domains`
  const directory = await probe.api('xml_locate directory')
  const global = (await probe.api('global_getvar domain')).trim()
  const theirs = [
    ...new Set([
      ...(notXml(directory) ? [] : directoryDomains(directory)),
      ...(global === '' || global.startsWith('-ERR') ? [] : [global.toLowerCase()]),
    ]),
  ]
  if (theirs.length === 0)
    return {
      check,
      status: 'warn',
      detail: `cannot read FreeSWITCH's domains (xml_locate directory: ${directory.trim().slice(0, 80)}); check that vm_domain matches defaultDomain`,
    }
  const { status, detail } = compareDomains(theirs, options.ours, options.config.defaultDomain)
  return { check, status, detail }
}
