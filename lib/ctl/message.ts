import { constants } from 'node:fs'
import { copyFile } from 'node:fs/promises'
import { purgeDeletedMessages } from '../lifecycle/purge-deleted.js'
import type { Store } from '../store/index.js'
import type { Message } from '../store/types.js'
import { boxId, domainOf, requireBox, str } from './args.js'
import type { Command } from './command.js'
import { NotFoundError, RefusedError, UsageError } from './errors.js'
import { refreshLamps } from './lamps.js'
import { formatTime, table } from './output.js'

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

function uuidArg(value: string | undefined): string {
  if (value === undefined) throw new UsageError('missing message UUID (see: voicemailctl message list BOX)')
  if (!UUID.test(value)) throw new UsageError(`not a message UUID: ${JSON.stringify(value)}`)
  return value.toLowerCase()
}

async function requireMessage(store: Store, uuid: string): Promise<Message> {
  const message = await store.messages.get(uuid)
  if (message === undefined) throw new NotFoundError(`no message ${uuid}`)
  return message
}

function view(m: Message): Record<string, unknown> {
  return {
    uuid: m.uuid,
    folder: m.folder,
    deleted: m.deleted,
    urgent: m.urgent,
    missing: m.missing,
    callerIdName: m.callerIdName,
    callerIdNumber: m.callerIdNumber,
    receivedAt: m.receivedAt,
    durationMs: m.durationMs,
    sizeBytes: m.sizeBytes,
    forwardedFrom: m.forwardedFrom ?? null,
  }
}

/** The `message` command group. */
export const messageCommands: Command[] = [
  {
    name: 'message list',
    summary: "List a box's messages, deleted-but-not-purged ones included, oldest first.",
    args: ['ID'],
    options: {
      domain: {
        type: 'string',
        short: 'd',
        value: 'DOMAIN',
        help: "the box's domain (default: defaultDomain)",
      },
    },
    async run(ctx, { values, positionals }) {
      const id = boxId(positionals[0])
      const domain = domainOf(ctx, values)
      const store = await ctx.store()
      const box = await requireBox(store, domain, id)
      const messages = await store.messages.listAll(box.rowId)
      const zone = box.timezone ?? (await store.domains.get(domain))?.timezone ?? 'UTC'
      ctx.out.result({ mailbox: { id, domain }, messages: messages.map(view) }, () =>
        messages.length === 0
          ? `no messages in ${id}@${domain}`
          : table(
              ['UUID', 'FOLDER', 'RECEIVED', 'FROM', 'SECONDS', 'FLAGS'],
              messages.map((m) => [
                m.uuid,
                m.folder,
                formatTime(m.receivedAt, zone),
                [m.callerIdName, m.callerIdNumber].filter((s) => s !== '').join(' ') || 'unknown',
                (m.durationMs / 1000).toFixed(1),
                [m.urgent ? 'urgent' : '', m.deleted ? 'deleted' : '', m.missing ? 'missing-file' : '']
                  .filter((f) => f !== '')
                  .join(','),
              ]),
            ),
      )
    },
  },
  {
    name: 'message export',
    summary: "Copy a message's WAV file out of the state directory.",
    args: ['UUID'],
    options: {
      to: { type: 'string', value: 'FILE', help: 'where to write it (required)' },
      force: { type: 'boolean', help: 'overwrite FILE if it exists' },
    },
    notes: 'example: voicemailctl message export 3f2b…-… --to /tmp/message.wav',
    async run(ctx, { values, positionals }) {
      const uuid = uuidArg(positionals[0])
      const to = str(values, 'to')
      if (to === undefined) throw new UsageError('missing --to FILE')
      const store = await ctx.store()
      const message = await requireMessage(store, uuid)
      const from = ctx.files.fromStored(message.file)
      try {
        await copyFile(from, to, values.force === true ? 0 : constants.COPYFILE_EXCL)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'EEXIST') throw new RefusedError(`${to} exists (use --force to overwrite)`, [], 'exists')
        if (code === 'ENOENT' && !(await ctx.files.exists(from))) {
          throw new NotFoundError(
            `the audio file of message ${uuid} is missing (${message.file}); run voicemailctl job run reconcile`,
          )
        }
        throw new RefusedError(`cannot write ${to}: ${code ?? String(err)}`, [], 'write-failed')
      }
      ctx.out.result({ message: view(message), exportedTo: to }, () => `message ${uuid} written to ${to}`)
    },
  },
  {
    name: 'message delete',
    summary: 'Delete a message now: its row and its file (no undo).',
    args: ['UUID'],
    notes:
      'Like an owner hanging up after pressing 7, this also purges the other messages of that box already marked deleted.\nThe lamp of the box is updated at once when FreeSWITCH answers within 2 s, else at the next mwi-resync of the daemon.',
    async run(ctx, { positionals }) {
      const uuid = uuidArg(positionals[0])
      const store = await ctx.store()
      const message = await requireMessage(store, uuid)
      const box = await store.mailboxes.findByRowId(message.mailboxRowId)
      if (box === undefined) throw new NotFoundError(`no mailbox for message ${uuid}`)
      await store.messages.setDeleted(message.rowId, true)
      const { purged, unlinkFailed } = await purgeDeletedMessages(
        box,
        { store, files: ctx.files, config: ctx.config },
        ctx.log,
        'deleted-by-operator',
      )
      if (unlinkFailed > 0) {
        ctx.out.note(
          `${unlinkFailed} audio file(s) could not be removed now; the next reconcile removes them`,
        )
      }
      await store.audit.append({
        mailboxRowId: box.rowId,
        actor: 'voicemailctl',
        action: 'message.deleted',
        detail: { box: `${box.id}@${box.domain}`, message: uuid },
      })
      await refreshLamps(ctx, [box], 'DELETE')
      ctx.out.result(
        { deleted: uuid, purged },
        () =>
          `message ${uuid} deleted${purged > 1 ? ` (with ${purged - 1} other message(s) already marked deleted)` : ''}`,
      )
    },
  },
]
