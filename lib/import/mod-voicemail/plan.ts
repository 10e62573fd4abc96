import type { MailboxSettings } from '../../store/mailboxes.js'
import { verifyPin } from '../../store/pin.js'
import { isBoxNumber, isSafeDomain } from '../../mailbox-values.js'
import type { Folder, Greeting, GreetingKind, Mailbox, Message } from '../../store/types.js'
import {
  choosePin,
  settingsFromDirectory,
  withModVoicemailDefaults,
  type ImportedSettings,
  type PinChoice,
} from './box-settings.js'
import type { DirectoryUser } from './directory.js'
import { inspectSource, type SourceFile } from './source-files.js'
import type { SourceMessage, SourcePrefs, SourceStore } from './source-db.js'
import { derivedUuid, isUuid } from './uuids.js'
import { mapLimit } from '../map-limit.js'

/** What the planner needs to know of voicemaild's current state (read-only; a dry run may have no database). */
export interface TargetView {
  findBox(domain: string, id: string): Promise<Mailbox | undefined>
  findMessage(uuid: string): Promise<Message | undefined>
  greeting(mailboxRowId: number, kind: GreetingKind): Promise<Greeting | undefined>
  /** The latest `pin.changed`, `pin.reset` or `pin.imported` audit action of the box: who set its PIN last. */
  lastPinAction(mailboxRowId: number): Promise<string | undefined>
}

/** PIN hashes checked at once (scrypt runs on libuv's pool, 4 threads by default). */
const PIN_CONCURRENCY = 4

export interface PlanInput {
  source: SourceStore
  users: readonly DirectoryUser[]
  /** Only this domain (lower-case), when given. */
  domain?: string
  /** mod_voicemail's storage folder, resolved: audio is read only from inside it. */
  storageRoot: string
  target: TargetView
  /** "Now" in epoch ms (received times in the future are not believed). */
  now: number
}

/** What happens to one item. `import` becomes `imported` or `problem` when the plan is applied. */
export type ItemAction = 'import' | 'imported' | 'unchanged' | 'skip' | 'problem'

export interface PinPlan {
  action: 'set' | 'unchanged' | 'keep' | 'none'
  source?: 'phone' | 'directory' | 'sip-password'
  temporary?: boolean
  /** The policy rule the PIN breaks (it comes over as temporary). */
  weak?: string
  reason?: string
  /** The PIN to hash (never printed). */
  pin?: string
}

export interface GreetingPlan {
  kind: 'unavailable' | 'name'
  action: ItemAction
  reason?: string
  sourcePath: string
  uuid: string
  /** Why the audio is converted (its format), when it is. */
  convertFrom?: string
}

export interface MessagePlan {
  action: ItemAction
  reason?: string
  sourceUuid: string
  uuid: string
  folder: Folder
  urgent: boolean
  receivedAt: number
  savedAt?: number
  callerIdName: string
  callerIdNumber: string
  forwardedFrom?: string
  sourcePath: string
  convertFrom?: string
}

export interface BoxPlan {
  domain: string
  id: string
  action: 'create' | 'change' | 'unchanged'
  existing?: Mailbox
  /** A new box: every setting it gets; an existing one: only what changes (PIN apart). */
  changes: MailboxSettings
  pin: PinPlan
  greetings: GreetingPlan[]
  messages: MessagePlan[]
  notes: string[]
}

export interface ImportPlan {
  boxes: BoxPlan[]
  /** Users and rows that are not boxes here, with the reason. */
  skipped: Array<{ what: string; reason: string }>
}

interface BoxSource {
  domain: string
  id: string
  user?: DirectoryUser
  prefs?: SourcePrefs
  messages: SourceMessage[]
}

/**
 * Decide, without changing anything, what importing mod_voicemail's data would do: which boxes are created or
 * changed, which PIN, greetings and messages come over, and why anything is skipped. Reads the source audio files'
 * headers (and the greetings' bytes, for their identity); never writes.
 */
export async function planImport(input: PlanInput): Promise<ImportPlan> {
  const skipped: ImportPlan['skipped'] = []
  const sources = groupByBox(input, skipped)
  const uuidCounts = new Map<string, number>()
  for (const m of input.source.messages)
    uuidCounts.set(m.uuid.toLowerCase(), (uuidCounts.get(m.uuid.toLowerCase()) ?? 0) + 1)

  const existing = await Promise.all(sources.map((src) => input.target.findBox(src.domain, src.id)))
  const pins = await mapLimit(sources, PIN_CONCURRENCY, async (src) => {
    const box = existing[sources.indexOf(src)]
    const owner = box?.pinHash === undefined ? undefined : await input.target.lastPinAction(box.rowId)
    return planPin(box, owner, choosePin(src.id, src.user, src.prefs))
  })
  const boxes: BoxPlan[] = []
  for (const [i, src] of sources.entries()) {
    const box = existing[i]
    const pin = pins[i] as PinPlan
    const settings: ImportedSettings =
      src.user === undefined ? { notes: [] } : settingsFromDirectory(src.user)
    const notes = [...settings.notes]
    if (src.user === undefined) notes.push('not in the FreeSWITCH directory: created with default settings')
    if (settings.mwiAccount !== undefined) {
      notes.push(
        `mwi-account ${settings.mwiAccount}: FreeSWITCH keeps applying it (not copied into mwiAccounts)`,
      )
    }
    const changes = box === undefined ? newBoxSettings(settings) : changedSettings(box, settings)
    const greetings = await planGreetings(input, src, box)
    const messages: MessagePlan[] = []
    for (const m of src.messages) messages.push(await planMessage(input, src, m, box, uuidCounts, notes))
    const action =
      box === undefined
        ? 'create'
        : Object.keys(changes).length > 0 || pin.action === 'set'
          ? 'change'
          : 'unchanged'
    boxes.push({
      domain: src.domain,
      id: src.id,
      action,
      ...(box === undefined ? {} : { existing: box }),
      changes,
      pin,
      greetings,
      messages,
      notes,
    })
  }
  return { boxes, skipped }
}

/** One entry per box: directory users, then boxes only the database knows (their user was removed). */
function groupByBox(input: PlanInput, skipped: ImportPlan['skipped']): BoxSource[] {
  const byKey = new Map<string, BoxSource>()
  const refused = new Set<string>()
  const entry = (idRaw: string, domainRaw: string, what: string): BoxSource | undefined => {
    const domain = domainRaw.trim().toLowerCase()
    const id = idRaw.trim()
    if (input.domain !== undefined && domain !== input.domain) return undefined
    const key = `${id}@${domain}`
    const found = byKey.get(key)
    if (found !== undefined) return found
    if (refused.has(key)) return undefined
    const reason = !isBoxNumber(id)
      ? 'not a box number (2-10 digits)'
      : !isSafeDomain(domain)
        ? 'not a usable domain name'
        : undefined
    if (reason !== undefined) {
      refused.add(key)
      skipped.push({ what: `${what} ${printable(id)}@${printable(domain)}`, reason })
      return undefined
    }
    const created: BoxSource = { domain, id, messages: [] }
    byKey.set(key, created)
    return created
  }
  for (const user of input.users) {
    const box = entry(user.id, user.domain, 'user')
    if (box !== undefined) box.user = user
  }
  for (const prefs of input.source.prefs) {
    const box = entry(prefs.username, prefs.domain, 'box')
    if (box !== undefined && box.prefs === undefined) box.prefs = prefs
  }
  for (const m of input.source.messages) entry(m.username, m.domain, 'box')?.messages.push(m)
  return [...byKey.values()]
}

function newBoxSettings(s: ImportedSettings): MailboxSettings {
  return {
    ...(s.name === undefined ? {} : { name: s.name }),
    ...withModVoicemailDefaults(s),
    ...(s.quotaBytes === undefined ? {} : { quotaBytes: s.quotaBytes }),
    ...(s.timezone === undefined ? {} : { timezone: s.timezone }),
  }
}

/** What the directory says differently from the box as it is (an unnamed box takes the directory's name). */
function changedSettings(box: Mailbox, s: ImportedSettings): MailboxSettings {
  const c: MailboxSettings = {}
  if (s.name !== undefined && box.name === '') c.name = s.name
  if (s.email !== undefined && JSON.stringify(s.email) !== JSON.stringify(box.email)) c.email = s.email
  if (s.attachAudio !== undefined && s.attachAudio !== box.attachAudio) c.attachAudio = s.attachAudio
  if (s.keepAfterEmail !== undefined && s.keepAfterEmail !== box.keepAfterEmail)
    c.keepAfterEmail = s.keepAfterEmail
  if (s.quotaBytes !== undefined && s.quotaBytes !== box.quotaBytes) c.quotaBytes = s.quotaBytes
  if (s.timezone !== undefined && s.timezone !== box.timezone) c.timezone = s.timezone
  if (s.enabled !== undefined && s.enabled !== box.enabled) c.enabled = s.enabled
  return c
}

/**
 * Whose PIN wins on a box that exists: a PIN an earlier import set (the box's last PIN action is `pin.imported`)
 * follows mod_voicemail's (unchanged when it is the same; replaced when the owner changed it there since); a
 * temporary PIN (a config declaration's, a reset) is replaced; a PIN chosen in voicemaild is never overwritten.
 * Only the first case costs a hash comparison.
 */
async function planPin(
  box: Mailbox | undefined,
  lastPinAction: string | undefined,
  choice: PinChoice,
): Promise<PinPlan> {
  if (choice.kind === 'none') {
    return box?.pinHash !== undefined
      ? { action: 'keep', reason: 'the box keeps its PIN' }
      : { action: 'none', reason: choice.reason }
  }
  const described = {
    source: choice.source,
    temporary: choice.temporary,
    ...(choice.weak === undefined ? {} : { weak: choice.weak }),
  }
  if (box?.pinHash === undefined) return { action: 'set', pin: choice.pin, ...described }
  if (lastPinAction === 'pin.imported') {
    if (await verifyPin(choice.pin, box.pinHash))
      return { action: 'unchanged', ...described, reason: 'already this PIN' }
    return {
      action: 'set',
      pin: choice.pin,
      ...described,
      reason: 'changed in mod_voicemail since the last import',
    }
  }
  if (box.pinTemporary)
    return { action: 'set', pin: choice.pin, ...described, reason: 'replaces a temporary PIN' }
  return { action: 'keep', reason: 'the box already has a PIN chosen in voicemaild: kept' }
}

async function planGreetings(
  input: PlanInput,
  src: BoxSource,
  box: Mailbox | undefined,
): Promise<GreetingPlan[]> {
  const plans: GreetingPlan[] = []
  const wanted: Array<['unavailable' | 'name', string]> = [
    ['unavailable', src.prefs?.greetingPath ?? ''],
    ['name', src.prefs?.namePath ?? ''],
  ]
  for (const [kind, path] of wanted) {
    if (path.trim() === '') continue
    const file = await inspectSource(path, input.storageRoot, true)
    const uuid = derivedUuid(`mod_voicemail greeting ${src.domain} ${src.id} ${kind} ${file.digest ?? path}`)
    const plan: GreetingPlan = { kind, action: 'import', sourcePath: path, uuid, ...convertFrom(file) }
    if (file.problem !== undefined) Object.assign(plan, { action: 'problem', reason: file.problem })
    else if (box !== undefined) {
      const current = await input.target.greeting(box.rowId, kind)
      if (current !== undefined) {
        Object.assign(
          plan,
          current.file.includes(uuid)
            ? { action: 'unchanged', reason: 'already imported' }
            : {
                action: 'skip',
                reason: `the box already has its own ${kind === 'name' ? 'recorded name' : 'greeting'}: kept`,
              },
        )
      }
    }
    plans.push(plan)
  }
  return plans
}

async function planMessage(
  input: PlanInput,
  src: BoxSource,
  m: SourceMessage,
  box: Mailbox | undefined,
  uuidCounts: ReadonlyMap<string, number>,
  notes: string[],
): Promise<MessagePlan> {
  // mod_voicemail's uuid is the call's: copies of one call's message share it. Keep it when it names one message;
  // otherwise name the message by where it was (box and file), which is unique and the same on every run.
  const sourceUuid = m.uuid.toLowerCase()
  const uuid =
    isUuid(sourceUuid) && uuidCounts.get(sourceUuid) === 1
      ? sourceUuid
      : derivedUuid(`mod_voicemail message ${src.domain} ${src.id} ${m.uuid} ${m.filePath}`)
  const valid = (epoch: number): boolean => epoch > 0 && epoch * 1000 <= input.now + 86_400_000
  const receivedAt = valid(m.createdEpoch) ? m.createdEpoch * 1000 : input.now
  if (!valid(m.createdEpoch))
    notes.push(`message ${uuid}: no valid receive time in mod_voicemail, taken as now`)
  const folder: Folder = m.readEpoch !== 0 || m.flags.toLowerCase() === 'save' ? 'saved' : 'new'
  const plan: MessagePlan = {
    action: 'import',
    sourceUuid: printable(m.uuid),
    uuid,
    folder,
    urgent: m.readFlags.trim().toUpperCase() === 'A_URGENT',
    receivedAt,
    ...(folder === 'saved' ? { savedAt: valid(m.readEpoch) ? m.readEpoch * 1000 : receivedAt } : {}),
    callerIdName: callerText(m.cidName),
    callerIdNumber: callerText(m.cidNumber),
    ...forwarded(m.forwardedBy),
    sourcePath: m.filePath,
  }
  if (m.flags.toLowerCase() === 'delete')
    return { ...plan, action: 'skip', reason: 'deleted in mod_voicemail (not purged yet)' }
  const existing = await input.target.findMessage(uuid)
  if (existing !== undefined) {
    return existing.mailboxRowId === box?.rowId
      ? { ...plan, action: 'unchanged', reason: 'already imported' }
      : { ...plan, action: 'problem', reason: `uuid ${uuid} is already a message of another box` }
  }
  const file = await inspectSource(m.filePath, input.storageRoot, false)
  if (file.problem !== undefined) return { ...plan, action: 'problem', reason: file.problem }
  return { ...plan, ...convertFrom(file) }
}

function convertFrom(file: SourceFile): { convertFrom?: string } {
  return file.convertFrom === undefined ? {} : { convertFrom: file.convertFrom }
}

/** Caller data as stored: no control characters (CR/LF never reach a header or a terminal), at most 255 chars. */
function callerText(value: string): string {
  return value
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 255)
}

const FORWARDER = /^[A-Za-z0-9._+-]{1,64}@[A-Za-z0-9.-]{1,253}$/

/** `forwarded_by` is `user@domain` (vm-cc copies); anything else is not shown to anyone. */
function forwarded(value: string): { forwardedFrom?: string } {
  const v = value.trim()
  return FORWARDER.test(v) && isSafeDomain(v.split('@')[1] ?? '') ? { forwardedFrom: v.toLowerCase() } : {}
}

/** A value from the source for the report: control characters escaped, bounded. */
function printable(value: string): string {
  return JSON.stringify(value.slice(0, 64)).slice(1, -1)
}
