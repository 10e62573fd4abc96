import { isEmailAddress, isTimezone } from '../../mailbox-values.js'
import { BYTES_PER_SECOND } from '../../quota/audio-format.js'
import { checkPin, PIN_MAX_LENGTH, type PinProblem } from '../../store/pin.js'
import type { DirectoryUser } from './directory.js'
import type { SourcePrefs } from './source-db.js'

// mod_voicemail's `vm-disk-quota` counts seconds of messages: BYTES_PER_SECOND of the voicemail format each.

/**
 * A box's settings as mod_voicemail had them. A field is present only when the directory set the param
 * (an existing box is changed only there); `create()` fills in mod_voicemail's defaults for a new box.
 */
export interface ImportedSettings {
  name?: string
  email?: string[]
  attachAudio?: boolean
  keepAfterEmail?: boolean
  quotaBytes?: number
  timezone?: string
  enabled?: boolean
  /** The user's `mwi-account` param (FreeSWITCH keeps applying it: informational). */
  mwiAccount?: string
  notes: string[]
}

/** The settings a new box gets: the directory's, else mod_voicemail's defaults (mail only when asked, no attachment). */
export function withModVoicemailDefaults(
  s: ImportedSettings,
): Required<Pick<ImportedSettings, 'email' | 'attachAudio' | 'keepAfterEmail' | 'enabled'>> {
  return {
    email: s.email ?? [],
    attachAudio: s.attachAudio ?? false,
    keepAfterEmail: s.keepAfterEmail ?? true,
    enabled: s.enabled ?? true,
  }
}

/** FreeSWITCH's switch_true(): yes/on/true/t/enabled/active/allow or a non-zero number. */
export function switchTrue(value: string | undefined): boolean {
  if (value === undefined) return false
  const v = value.trim().toLowerCase()
  if (['yes', 'on', 'true', 't', 'enabled', 'active', 'allow'].includes(v)) return true
  return /^-?[0-9]+$/.test(v) && Number(v) !== 0
}

/** FreeSWITCH's switch_false(): no/off/false/f/disabled/inactive/disallow or the number 0. */
export function switchFalse(value: string | undefined): boolean {
  if (value === undefined) return false
  const v = value.trim().toLowerCase()
  if (['no', 'off', 'false', 'f', 'disabled', 'inactive', 'disallow'].includes(v)) return true
  return /^-?[0-9]+$/.test(v) && Number(v) === 0
}

/**
 * The directory params mod_voicemail reads (mod_voicemail.c `deliver_vm` and `voicemail_leave_main`), mapped:
 * - `vm-email-all-messages` true → every new message is mailed to `vm-mailto` (a comma-separated list, as sendmail
 *   takes it). Without it mod_voicemail mailed nothing by itself (`vm-mailto` only served key 4, "email it"), so
 *   the box gets no recipients. `vm-notify-email-all-messages` adds `vm-notify-mailto` (or `vm-mailto`).
 * - `vm-attach-file` (default off), `vm-keep-local-after-email` (default on), `vm-enabled` (default on).
 * - `vm-disk-quota`: seconds of messages → bytes at 16,000 B/s.
 * - variables `effective_caller_id_name` → the box's name, `timezone` → its time zone.
 */
export function settingsFromDirectory(user: DirectoryUser): ImportedSettings {
  const p = user.params
  const notes: string[] = []
  const s: ImportedSettings = { notes }

  const name = user.variables.get('effective_caller_id_name')
  if (name !== undefined && !/[\u0000-\u001f\u007f]/.test(name)) s.name = name.slice(0, 100)

  const mailto = p.get('vm-mailto')
  const notifyTo = p.get('vm-notify-mailto') ?? mailto
  const mailAll = switchTrue(p.get('vm-email-all-messages'))
  const notifyAll = switchTrue(p.get('vm-notify-email-all-messages'))
  if (mailto !== undefined || p.has('vm-email-all-messages') || notifyAll) {
    const wanted = [...(mailAll ? addresses(mailto) : []), ...(notifyAll ? addresses(notifyTo) : [])]
    const bad = wanted.filter((a) => !isEmailAddress(a))
    if (bad.length > 0) notes.push(`not an email address, left out: ${bad.join(', ')}`)
    s.email = [...new Set(wanted.filter(isEmailAddress))]
    if (!mailAll && !notifyAll && mailto !== undefined) {
      notes.push(
        'vm-mailto without vm-email-all-messages: mod_voicemail mailed only on request, so no recipients',
      )
    }
    if (mailAll && notifyAll) notes.push('vm-notify-mailto now gets the same mail as vm-mailto')
  }
  if (p.has('vm-attach-file')) s.attachAudio = switchTrue(p.get('vm-attach-file'))
  if (p.has('vm-keep-local-after-email')) s.keepAfterEmail = switchTrue(p.get('vm-keep-local-after-email'))
  if (p.has('vm-enabled')) s.enabled = !switchFalse(p.get('vm-enabled'))

  const quota = p.get('vm-disk-quota')
  if (quota !== undefined) {
    const seconds = /^\s*[0-9]+/.exec(quota) === null ? 0 : parseInt(quota, 10)
    if (seconds > 0 && Number.isSafeInteger(seconds * BYTES_PER_SECOND))
      s.quotaBytes = seconds * BYTES_PER_SECOND
    else notes.push(`vm-disk-quota "${quota}" is not a number of seconds: the default quota applies`)
  }
  const zone = user.variables.get('timezone')
  if (zone !== undefined) {
    if (isTimezone(zone)) s.timezone = zone
    else notes.push(`timezone "${zone}" is not an IANA zone: the domain's applies`)
  }
  const mwi = p.get('mwi-account')
  if (mwi !== undefined) s.mwiAccount = mwi
  return s
}

function addresses(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '')
}

/** Where a box's PIN comes from, and whether the owner must change it at first login. Never holds the PIN in text. */
export type PinChoice =
  | {
      kind: 'pin'
      /** The PIN itself (hashed before it is stored; never printed or logged). */
      pin: string
      source: 'phone' | 'directory' | 'sip-password'
      temporary: boolean
      /** Why it is temporary, when the policy refused it. */
      weak?: PinProblem
    }
  | { kind: 'none'; reason: string }

/**
 * The PIN mod_voicemail accepted, in its order (mod_voicemail.c `voicemail_check_main`): the one set by phone
 * (`voicemail_prefs.password`) wins; else the directory's `vm-password` (`user-choose` = none yet: the owner chooses
 * at first login); else the SIP `password`, which mod_voicemail also took as the voicemail password. A PIN our
 * policy refuses (SPEC §3), and always the SIP password, comes over as temporary: the owner logs in with it once and
 * must choose a new one. Values the phone cannot type (not digits, too long) cannot be kept.
 */
export function choosePin(
  boxId: string,
  user: DirectoryUser | undefined,
  prefs: SourcePrefs | undefined,
): PinChoice {
  const phone = prefs?.password.trim() ?? ''
  if (phone !== '') return typeable(boxId, phone, 'phone')
  const vmPassword = user?.params.get('vm-password')
  if (vmPassword !== undefined) {
    if (vmPassword.toLowerCase() === 'user-choose')
      return { kind: 'none', reason: 'vm-password is user-choose: the owner chooses at first login' }
    return typeable(boxId, vmPassword, 'directory')
  }
  if (user?.params.has('vm-a1-hash') === true || user?.params.has('a1-hash') === true) {
    return {
      kind: 'none',
      reason: 'only a hashed password (a1-hash) in the directory: it cannot be converted',
    }
  }
  const sip = user?.params.get('password')
  if (sip !== undefined && /^[0-9]{1,10}$/.test(sip)) {
    const choice = typeable(boxId, sip, 'sip-password')
    return choice.kind === 'pin' ? { ...choice, temporary: true } : choice
  }
  return {
    kind: 'none',
    reason: 'no voicemail password in mod_voicemail: the owner chooses one at first login',
  }
}

function typeable(boxId: string, pin: string, source: 'phone' | 'directory' | 'sip-password'): PinChoice {
  if (!/^[0-9]+$/.test(pin) || pin.length > PIN_MAX_LENGTH) {
    return {
      kind: 'none',
      reason: `the ${source === 'phone' ? 'PIN set by phone' : source} is not 1-${PIN_MAX_LENGTH} digits: it cannot be typed here (voicemailctl pin reset gives one)`,
    }
  }
  const check = checkPin(pin, boxId)
  return check.ok
    ? { kind: 'pin', pin, source, temporary: false }
    : { kind: 'pin', pin, source, temporary: true, weak: check.problem }
}
