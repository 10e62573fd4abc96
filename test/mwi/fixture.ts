import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { Test } from 'tap'
import { ManualClock } from '../../lib/clock.js'
import type { FreeswitchLink, FsEvent } from '../../lib/esl/link.js'
import { EslConnectionError } from '../../lib/esl/errors.js'
import { openStore, type Store } from '../../lib/store/index.js'
import type { Mailbox } from '../../lib/store/types.js'

/** A real SQLite store in the test's directory with domain `pbx.test` (dual), closed at teardown. */
export async function mwiStore(
  t: Test,
  mode: 'dual' | 'unified' = 'dual',
  unifiedMailbox?: string,
): Promise<Store> {
  const store = await openStore(join(t.testdir(), 'voicemail.db'), new ManualClock())
  // Tolerant: a test may close the store itself to provoke store errors.
  t.teardown(() => store.close().catch(() => undefined))
  await store.domains.upsert({
    name: 'pbx.test',
    mode,
    ...(unifiedMailbox === undefined ? {} : { unifiedMailbox }),
    autoProvision: true,
    timezone: 'UTC',
  })
  return store
}

export async function addBox(
  store: Store,
  id: string,
  extra: { kind?: 'personal' | 'general'; mwiAccounts?: string[]; enabled?: boolean } = {},
): Promise<Mailbox> {
  return store.mailboxes.create({ domain: 'pbx.test', id, kind: extra.kind ?? 'personal', ...extra })
}

/** Put `n` messages in a box: new by default, or saved, urgent as asked. Resolves to their row ids. */
export async function addMessages(
  store: Store,
  box: Mailbox,
  n: number,
  opts: { urgent?: boolean; saved?: boolean } = {},
): Promise<number[]> {
  const ids: number[] = []
  for (let i = 0; i < n; i++) {
    const uuid = randomUUID()
    const msg = await store.messages.insert({
      uuid,
      mailboxRowId: box.rowId,
      callerIdName: 'Alice',
      callerIdNumber: '1001',
      urgent: opts.urgent === true,
      durationMs: 4000,
      sizeBytes: 64000,
      file: `recordings/pbx.test/${box.id}/${uuid}.wav`,
    })
    if (opts.saved === true) await store.messages.save(msg.rowId)
    ids.push(msg.rowId)
  }
  return ids
}

export interface SentEvent {
  name: string
  headers: Array<[string, string]>
  node: string | undefined
}

/**
 * FreeswitchLink in-process, for the service's own logic (coalescing, failures): records every sendEvent, lets a
 * test deliver events and connects, hold acknowledgements, or fail. The wire is tested in mwi-e2e.test.ts.
 */
export class RecordingLink implements FreeswitchLink {
  connected = true
  readonly sent: SentEvent[] = []
  failWith: Error | undefined
  private held: Array<() => void> | undefined
  private readonly eventHandlers = new Map<string, Array<(event: FsEvent, node: string) => void>>()
  private readonly connectHandlers: Array<(node: string) => void> = []

  api(): Promise<string> {
    return Promise.reject(new EslConnectionError('no api in RecordingLink'))
  }

  async sendEvent(
    name: string,
    headers: ReadonlyArray<readonly [string, string]>,
    node?: string,
  ): Promise<void> {
    this.sent.push({ name, headers: headers.map(([k, v]) => [k, v]), node })
    if (this.held !== undefined) await new Promise<void>((resolve) => this.held?.push(resolve))
    if (this.failWith !== undefined) throw this.failWith
  }

  onEvent(name: string, handler: (event: FsEvent, node: string) => void): void {
    this.eventHandlers.set(name, [...(this.eventHandlers.get(name) ?? []), handler])
  }

  onConnect(handler: (node: string) => void): void {
    this.connectHandlers.push(handler)
  }

  emit(name: string, headers: Array<[string, string]>, node = 'fs1:8021'): void {
    for (const handler of this.eventHandlers.get(name) ?? [])
      handler({ name, headers: new Map(headers) }, node)
  }

  connect(node: string): void {
    for (const handler of this.connectHandlers) handler(node)
  }

  /** From now on, acknowledgements wait for `release()`. */
  hold(): void {
    this.held = []
  }

  release(): void {
    const waiting = this.held ?? []
    this.held = undefined
    for (const resolve of waiting) resolve()
  }

  /** Resolves once `n` events were sent in total. */
  async waitForSent(n: number): Promise<void> {
    while (this.sent.length < n) await new Promise((r) => setImmediate(r))
  }
}

/** `Name: value` map of one sent event, for readable assertions. */
export function headersOf(event: SentEvent | undefined): Record<string, string> {
  return Object.fromEntries(event?.headers ?? [])
}
