/**
 * The `api` commands the simulator answers (inbound and outbound `full` sockets), with FS's body texts: unknown
 * command → `-ERR <cmd> Command not found!\n` (mes.c:1560–1596).
 */
import type { FsNode } from './node.js'

export interface ApiContext {
  node: FsNode
  /** `user_exists id <user> <domain>` answers from this directory (keys `user@domain`). */
  userExists?(user: string, domain: string): boolean
  /** `global_getvar <name>`: the switch's global variables (vars.xml). */
  globals?: ReadonlyMap<string, string>
  /** `xml_locate <section>`: the reply per section, e.g. a capture in test/fixtures/freeswitch/. */
  xml?: Readonly<Record<string, string>>
  /** Extra commands a test adds (return undefined to fall through). */
  extra?(cmd: string, args: string): string | undefined
}

/** Run an api command and return its response body. */
export function runApi(ctx: ApiContext, line: string): string {
  const trimmed = line.trim()
  const sp = trimmed.indexOf(' ')
  const cmd = sp < 0 ? trimmed : trimmed.slice(0, sp)
  const args = sp < 0 ? '' : trimmed.slice(sp + 1).trim()
  const extra = ctx.extra?.(cmd, args)
  if (extra !== undefined) return extra
  const a = args.split(/\s+/)
  const ch = (id: string | undefined) => (id === undefined ? undefined : ctx.node.channels.get(id))
  switch (cmd) {
    case 'status':
      return (
        'UP 0 years, 0 days, 0 hours, 1 minute, 0 seconds, 874 milliseconds, 540 microseconds\n' +
        'FreeSWITCH (Version 1.11.3-dev git cc93a68 2026-08-21 14:10:14Z 64bit) is ready\n' +
        `${ctx.node.channels.size} session(s) since startup\n` +
        `${ctx.node.channels.size} session(s) - peak 2, last 5min 2 \n` +
        '0 session(s) per Sec out of max 30, peak 2, last 5min 2 \n1000 session(s) max\n' +
        'min idle cpu 0.00/97.53\nCurrent Stack Size/Max 240K/8192K\n'
      )
    case 'user_exists': {
      // user_exists <key> <user> <domain>
      const ok = ctx.userExists?.(a[1] ?? '', a[2] ?? '') ?? false
      return ok ? 'true' : 'false'
    }
    case 'global_getvar': {
      // Real FS: the bare value, no newline; an unknown name is "-ERR no reply\n" (test/fixtures/freeswitch).
      if (args === '') return [...(ctx.globals ?? [])].map(([k, v]) => `${k}=${v}\n`).join('')
      // core_uuid is the switch's own (switch_core.c sets it at start), whatever vars.xml says.
      if (args === 'core_uuid') return ctx.globals?.get(args) ?? ctx.node.coreUuid
      return ctx.globals?.get(args) ?? '-ERR no reply\n'
    }
    case 'xml_locate': {
      // Only the one-word form (`xml_locate dialplan`) the daemon and doctor use: the whole section as loaded.
      if (args === '') return '-ERR bad args\n'
      return ctx.xml?.[a[0] ?? ''] ?? "can't find anything\n"
    }
    case 'uuid_exists':
      return ch(a[0]) !== undefined ? 'true' : 'false'
    case 'uuid_getvar': {
      const c = ch(a[0])
      if (c === undefined) return '-ERR No such channel!\n'
      return c.getVar(a[1] ?? '') ?? '_undef_'
    }
    case 'uuid_setvar': {
      const c = ch(a[0])
      if (c === undefined) return '-ERR No such channel!\n'
      c.setVar(a[1] ?? '', a.slice(2).join(' '))
      return '+OK\n'
    }
    case 'uuid_break': {
      const c = ch(a[0])
      if (c === undefined) return '-ERR no such session\n'
      c.breakMedia(a[1] === 'all')
      return '+OK\n'
    }
    case 'uuid_kill': {
      const c = ch(a[0])
      if (c === undefined) return '-ERR No such channel!\n'
      c.kill(a[1] ?? 'NORMAL_CLEARING')
      return '+OK\n'
    }
    case 'uuid_recv_dtmf': {
      const c = ch(a[0])
      if (c === undefined) return '-ERR no such session\n'
      c.queueDtmf(a[1] ?? '')
      return `+OK ${a[0]} received DTMF ${a[1] ?? ''}.\n`
    }
    default:
      return `-ERR ${cmd} Command not found!\n`
  }
}
