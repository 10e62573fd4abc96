/**
 * Shared set-up for the owner-side tests (test/flows/owner-*.test.ts): a domain with personal boxes 100 and 101
 * and general box 800, PINs stored as the owner's own (not temporary), messages planted as real WAV files.
 */
import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { hashPin } from '../../lib/store/pin.js'
import type { Message } from '../../lib/store/types.js'
import type { Harness } from '../support/daemon-harness.js'
import type { CallerAction, OutboundTranscript } from '../support/freeswitch/index.js'
import { buildWav } from '../support/freeswitch/wav.js'

export const PIN = '4821'
export const DOMAIN = 'pbx.test'

export function ownerConfig(
  extra: Record<string, unknown> = {},
  mode: 'dual' | 'unified' = 'dual',
): Record<string, unknown> {
  return {
    domains: { [DOMAIN]: { mode, unifiedMailbox: '800', timezone: 'America/Chicago' } },
    mailboxes: [
      { id: '100', domain: DOMAIN, kind: 'personal', name: 'Alice', email: ['alice@example.com'] },
      { id: '101', domain: DOMAIN, kind: 'personal', name: 'Bob', email: ['bob@example.com'] },
      {
        id: '800',
        domain: DOMAIN,
        kind: 'general',
        name: 'Sales',
        email: ['sales@example.com'],
        mwiAccounts: ['102@pbx.test'],
      },
    ],
    ...extra,
  }
}

/** Channel variables of 5001 pressed on the phone of `user` (FreeSWITCH authenticated it as that directory user). */
export function check(user: string): Record<string, string> {
  return { vm_action: 'check', domain_name: DOMAIN, user_name: user, sip_from_user: user }
}
export const menu5000 = { vm_action: 'menu', domain_name: DOMAIN }
export function login(box: string): Record<string, string> {
  return { vm_action: 'login', vm_mailbox: box, domain_name: DOMAIN }
}

/** Give box `id` the owner's own PIN (or a temporary one). */
export async function setPin(h: Harness, id: string, pin = PIN, temporary = false): Promise<void> {
  const box = await h.box(id)
  await h.app.store.mailboxes.setPin(box.rowId, await hashPin(pin), temporary)
}

export interface PlantOptions {
  urgent?: boolean
  /** Minutes before the harness clock's now. Default 60. */
  minutesAgo?: number
  callerIdNumber?: string
  speechMs?: number
  /** Write a 0-byte file instead of audio. */
  empty?: boolean
  folder?: 'new' | 'saved'
}

/** A message in box `id`, with a real WAV on disk, as if a caller had left it. */
export async function plant(h: Harness, id: string, options: PlantOptions = {}): Promise<Message> {
  const box = await h.box(id)
  const uuid = randomUUID()
  const path = h.app.deps.files.messagePath(DOMAIN, id, uuid)
  await h.app.deps.files.prepare(path)
  const wav = options.empty === true ? Buffer.alloc(0) : buildWav(options.speechMs ?? 8000, 0)
  await writeFile(path, wav)
  const message = await h.app.store.messages.insert({
    uuid,
    mailboxRowId: box.rowId,
    callerIdName: 'Caller',
    callerIdNumber: options.callerIdNumber ?? '5551234',
    urgent: options.urgent ?? false,
    receivedAt: h.clock.now() - (options.minutesAgo ?? 60) * 60_000,
    durationMs: options.speechMs ?? 8000,
    sizeBytes: wav.length,
    file: h.app.deps.files.toStored(path),
  })
  if (options.folder === 'saved') await h.app.store.messages.save(message.rowId)
  return message
}

/** Arguments of every `playback` the daemon asked for, in order. */
export function playbacks(transcript: OutboundTranscript): string[] {
  return transcript.executes.filter((e) => e.app === 'playback').map((e) => e.arg)
}

/** Arguments of every `say`, in order. */
export function says(transcript: OutboundTranscript): string[] {
  return transcript.executes.filter((e) => e.app === 'say').map((e) => e.arg)
}

/** Index of the first playback whose argument matches, or -1. */
export function playedAt(transcript: OutboundTranscript, pattern: RegExp): number {
  return playbacks(transcript).findIndex((arg) => pattern.test(arg))
}

/** Update-Reason of every MESSAGE_WAITING the daemon sent for `account`, in order. */
export function lampReasons(h: Harness, account: string): string[] {
  return h.fs.sentEvents
    .filter((e) => e.name === 'MESSAGE_WAITING')
    .filter((e) => e.headers.some(([k, v]) => k === 'MWI-Message-Account' && v === `sip:${account}`))
    .map((e) => e.headers.find(([k]) => k === 'Update-Reason')?.[1] ?? '')
}

/** Main-menu prompt (matched on its first file). */
export const MAIN_MENU = /vm-listen_new\.wav!.*vm-listen_saved/
/** The after-message menu. */
export const AFTER_MESSAGE = /previous-message\.wav/
/** Messages the daemon played as audio (paths under recordings/), in order. */
export function messageAudio(transcript: OutboundTranscript): string[] {
  return playbacks(transcript).filter(
    (arg) => /\/recordings\/.*\/[0-9a-f-]{36}\.wav/.test(arg) && !arg.includes('!'),
  )
}

/** One caller action per occurrence of a prompt: the nth match presses `keys[n-1]` (`''` = press nothing). */
export function onEach(pattern: RegExp, keys: readonly string[], afterMs = 0): CallerAction[] {
  return keys.flatMap((press, i) =>
    press === '' ? [] : [{ when: { onPlayback: pattern, nth: i + 1, afterMs }, press }],
  )
}

/** The audio file of `message` as the daemon plays it (with or without a start sample). */
export function audioOf(h: Harness, message: Message): RegExp {
  return new RegExp(`${h.app.deps.files.fromStored(message.file).replace(/[.]/g, '\\.')}(@@\\d+)?$`)
}
