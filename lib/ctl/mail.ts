import type { Store } from '../store/index.js'
import { OutboxRepo, type OutboxEntry, type OutboxStatus } from '../store/outbox.js'
import { oneOf, str } from './args.js'
import type { Command } from './command.js'
import { askDaemon } from './daemon.js'
import { NotFoundError, RefusedError, UsageError } from './errors.js'
import { formatTime, table } from './output.js'

const STATUSES: readonly OutboxStatus[] = ['pending', 'sent', 'failed']

/** The box a mail is about, as `voicemailctl message list` names it; null for a box removed since. */
type BoxRef = { id: string; domain: string } | null

/** Each mail's box, looking every box up once. */
async function boxesOf(store: Store, entries: readonly OutboxEntry[]): Promise<Map<number, BoxRef>> {
  const boxes = new Map<number, BoxRef>()
  for (const { mailboxRowId } of entries) {
    if (mailboxRowId === undefined || boxes.has(mailboxRowId)) continue
    const box = await store.mailboxes.findByRowId(mailboxRowId)
    boxes.set(mailboxRowId, box === undefined ? null : { id: box.id, domain: box.domain })
  }
  return boxes
}

function boxOf(boxes: Map<number, BoxRef>, e: OutboxEntry): BoxRef {
  return e.mailboxRowId === undefined ? null : (boxes.get(e.mailboxRowId) ?? null)
}

function view(e: OutboxEntry, mailbox: BoxRef): Record<string, unknown> {
  return {
    id: e.id,
    kind: e.kind,
    mailbox,
    status: e.status,
    recipients: e.recipients,
    attempts: e.attempts,
    createdAt: e.createdAt,
    nextAttemptAt: e.status === 'pending' ? e.nextAttemptAt : null,
    sentAt: e.sentAt ?? null,
    lastError: e.lastError ?? null,
  }
}

/** The `mail` command group. */
export const mailCommands: Command[] = [
  {
    name: 'mail list',
    summary: 'List queued, sent and failed mail, newest first.',
    args: [],
    options: {
      status: { type: 'string', value: 'pending|sent|failed', help: 'only mail in this state' },
      limit: { type: 'string', value: 'N', help: 'at most N rows (default 50)' },
    },
    async run(ctx, { values }) {
      const statusText = str(values, 'status')
      const status = statusText === undefined ? undefined : oneOf(statusText, STATUSES, '--status')
      const limitText = str(values, 'limit') ?? '50'
      if (!/^[0-9]+$/.test(limitText) || Number(limitText) < 1)
        throw new UsageError('--limit must be a positive number')
      const store = await ctx.store()
      const outbox = new OutboxRepo(store.db)
      const entries = await outbox.list({
        ...(status === undefined ? {} : { status }),
        limit: Number(limitText),
      })
      const counts = await outbox.counts()
      const boxes = await boxesOf(store, entries)
      ctx.out.result({ counts, mail: entries.map((e) => view(e, boxOf(boxes, e))) }, () => {
        const head = `${counts.pending} pending, ${counts.sent} sent, ${counts.failed} failed`
        if (entries.length === 0) return head
        return `${head}\n\n${table(
          ['ID', 'STATUS', 'KIND', 'BOX', 'TO', 'TRIES', 'CREATED', 'NEXT TRY', 'LAST ERROR'],
          entries.map((e) => {
            const box = boxOf(boxes, e)
            return [
              e.id,
              e.status,
              e.kind,
              box === null ? '-' : `${box.id}@${box.domain}`,
              e.recipients,
              e.attempts,
              formatTime(e.createdAt),
              e.status === 'pending' ? formatTime(e.nextAttemptAt) : '-',
              e.lastError,
            ]
          }),
        )}\n(times in UTC)`
      })
    },
  },
  {
    name: 'mail retry',
    summary: 'Queue a failed (or waiting) mail again, due now; or every failed mail with --all-failed.',
    args: ['ID?'],
    options: { 'all-failed': { type: 'boolean', help: 'retry every failed mail' } },
    notes:
      'The running daemon is asked to send it at once (else its outbox job sends it within 30 s of its start);\n' +
      'without a running daemon: voicemailctl job run outbox',
    async run(ctx, { values, positionals }) {
      const all = values['all-failed'] === true
      const idText = positionals[0]
      if (all === (idText !== undefined)) throw new UsageError('give either a mail ID or --all-failed')
      const outbox = new OutboxRepo((await ctx.store()).db)
      const now = ctx.clock.now()
      let ids: number[]
      if (all) {
        ids = (await outbox.list({ status: 'failed', limit: 1_000_000 })).map((e) => e.id)
      } else {
        if (!/^[0-9]+$/.test(idText ?? ''))
          throw new UsageError(`mail ID must be a number, got ${JSON.stringify(idText)}`)
        ids = [Number(idText)]
      }
      const retried: number[] = []
      for (const id of ids) if (await outbox.retry(id, now)) retried.push(id)
      if (!all && retried.length === 0) {
        const entry = await outbox.get(ids[0] as number)
        if (entry === undefined) throw new NotFoundError(`no mail ${idText}`)
        throw new RefusedError(`mail ${idText} was already sent`, [], 'already-sent')
      }
      if (retried.length > 0) {
        await askDaemon(
          ctx,
          { op: 'mail.send' },
          'the mail goes out once it runs, or run: voicemailctl job run outbox',
        )
      }
      ctx.out.result({ retried }, () =>
        retried.length === 0
          ? 'no failed mail to retry'
          : `queued again: ${retried.length} mail${retried.length === 1 ? '' : 's'} (${retried.join(', ')})`,
      )
    },
  },
]
