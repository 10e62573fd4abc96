import { MwiService } from '../mwi/mwi-service.js'
import { storeDirectory } from '../mwi/store-directory.js'
import { str } from './args.js'
import type { Command } from './command.js'
import type { CtlContext } from './context.js'
import { askDaemon } from './daemon.js'
import { CtlError, EXIT, UsageError } from './errors.js'
import { connectFreeswitch, type CtlLink } from './freeswitch.js'

/** `--timeout SECONDS` for connecting to FreeSWITCH (default 5). */
export function connectTimeoutMs(value: string | undefined): number {
  if (value === undefined) return 5000
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || Number(value) <= 0)
    throw new UsageError('--timeout must be a number of seconds')
  return Math.round(Number(value) * 1000)
}

/** Connect or fail with the reason; notes the nodes that did not answer. */
export async function requireFreeswitch(ctx: CtlContext, timeoutMs: number): Promise<CtlLink> {
  const link = await connectFreeswitch(ctx, timeoutMs)
  const nodes = ctx.config.freeswitch.map((n) => `${n.host}:${n.port}`).join(', ')
  if (link === undefined) {
    throw new CtlError(
      `cannot connect to FreeSWITCH (${nodes}) within ${timeoutMs / 1000} s`,
      EXIT.failed,
      'freeswitch-unreachable',
      [
        'check that FreeSWITCH runs, mod_event_socket listens there and the password matches (voicemailctl doctor)',
      ],
    )
  }
  if (link.unreachable.length > 0) ctx.out.note(`not connected (skipped): ${link.unreachable.join(', ')}`)
  return link
}

/** MwiService over a voicemailctl connection. */
export async function ctlMwi(ctx: CtlContext, link: CtlLink): Promise<MwiService> {
  const store = await ctx.store()
  return new MwiService({ link: link.link, directory: storeDirectory(store), log: ctx.log })
}

/** The `mwi` command group. */
export const mwiCommands: Command[] = [
  {
    name: 'mwi resync',
    summary:
      "Announce every enabled box's lamp now (through the running daemon, else over its own connection).",
    args: [],
    options: {
      timeout: {
        type: 'string',
        value: 'SECONDS',
        help: 'how long to wait for FreeSWITCH when the daemon is not running (default 5)',
      },
    },
    notes:
      'The daemon does the same every 15 minutes (job mwi-resync) and whenever FreeSWITCH reconnects.\n' +
      'While it runs the announcement goes out over its FreeSWITCH connection; without it voicemailctl connects itself.',
    async run(ctx, { values }) {
      const timeout = connectTimeoutMs(str(values, 'timeout'))
      const served = await askDaemon(
        ctx,
        { op: 'lamps.announce', reason: 'RESYNC' },
        'voicemailctl announces the lamps over its own FreeSWITCH connection',
      )
      if (served !== undefined) {
        const { boxes, events, nodes } = served as { boxes: number; events: number; nodes: string[] }
        if (nodes.length === 0) {
          throw new CtlError(
            'voicemaild is not connected to FreeSWITCH',
            EXIT.failed,
            'freeswitch-unreachable',
            ['it announces every lamp as soon as a node connects; voicemailctl doctor checks the connection'],
          )
        }
        ctx.out.result(
          { nodes, boxes, events, servedBy: 'voicemaild' },
          () =>
            `voicemaild announced ${boxes} box${boxes === 1 ? '' : 'es'} (${events} MESSAGE_WAITING events) to ${nodes.join(', ')}`,
        )
        return 0
      }
      const link = await requireFreeswitch(ctx, timeout)
      try {
        const mwi = await ctlMwi(ctx, link)
        const { boxes, events } = await mwi.announceAll('RESYNC')
        ctx.out.result(
          { nodes: link.connected, boxes, events, servedBy: 'voicemailctl' },
          () =>
            `announced ${boxes} box${boxes === 1 ? '' : 'es'} (${events} MESSAGE_WAITING events) to ${link.connected.join(', ')}`,
        )
        return 0
      } finally {
        await link.close()
      }
    },
  },
]
