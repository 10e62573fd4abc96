/**
 * A fake sofia registrar for MWI (brief §3, checklist 14): registrations and message-summary subscriptions,
 * MESSAGE_QUERY on first REGISTER and on SUBSCRIBE exactly as in `mwi-query-session.txt`, and the handling of
 * MESSAGE_WAITING of `actual_sofia_presence_mwi_event_handler` (sp.c:484–630): validation, profile lookup
 * ("Cannot find profile" drops the event), recipients and the NOTIFY body.
 */
import { headerOf, type Header } from './frames.js'
import type { FsNode } from './node.js'

export interface Registration {
  user: string
  domain: string
  callId: string
  /** Where MWI for this phone comes from (`mwi-account` directory param; default the user itself). */
  mwiUser: string
  mwiHost: string
  profile: string
}

export interface Subscription {
  /** The subscribing phone. */
  user: string
  domain: string
  /** The mailbox URI subscribed to, `user@host`. */
  target: string
  callId: string
  profile: string
}

/** One NOTIFY sofia would send. */
export interface MwiNotify {
  /** `reg:<user>@<domain>/<call-id>` or `sub:<user>@<domain>/<call-id>`. */
  phone: string
  kind: 'registration' | 'subscription'
  callId: string
  /** The account of the event, normalised `user@host`. */
  account: string
  messagesWaiting: boolean
  /** `Messages-Waiting: yes\r\nMessage-Account: sip:…\r\n…\r\n`. */
  body: string
}

export interface RegistrarOptions {
  /** Profile name. Default `internal`. */
  profile?: string
  /** Domains (aliases) the profile answers for, besides hosts of live registrations. Default none. */
  domains?: string[]
}

const VOICE_MESSAGE = /^\d+\/\d+( \(\d+\/\d+\))?$/

export class Registrar {
  readonly registrations: Registration[] = []
  readonly subscriptions: Subscription[] = []
  readonly notifies: MwiNotify[] = []
  /** MESSAGE_WAITING events sofia dropped, with the reason (as FS would only log it). */
  readonly dropped: Array<{ reason: string; headers: readonly Header[] }> = []
  /** Daemon bugs seen in MESSAGE_WAITING (missing headers, bad Voice-Message, yes/no mismatch). */
  readonly violations: string[] = []
  readonly profile: string
  private readonly domains: Set<string>

  constructor(
    private readonly node: FsNode,
    opts: RegistrarOptions = {},
  ) {
    this.profile = opts.profile ?? 'internal'
    this.domains = new Set(opts.domains ?? [])
  }

  /**
   * A phone REGISTERs. The first REGISTER of a Call-ID fires MESSAGE_QUERY for its mwi account (default
   * send-message-query-on-register = first-only, sofia.c:5063–5072); refreshes do not.
   */
  register(r: { user: string; domain: string; callId: string; mwiAccount?: string }): Registration {
    const existing = this.registrations.find((x) => x.callId === r.callId)
    if (existing !== undefined) return existing
    const [mwiUser = r.user, mwiHost = r.domain] = (r.mwiAccount ?? `${r.user}@${r.domain}`).split('@')
    const reg: Registration = {
      user: r.user,
      domain: r.domain,
      callId: r.callId,
      mwiUser,
      mwiHost,
      profile: this.profile,
    }
    this.registrations.push(reg)
    this.query(
      `sip:${mwiUser}@${mwiHost}`,
      ['VM-Call-ID', r.callId],
      ['sofia_reg.c', 'sofia_reg_handle_register_token', 2168],
    )
    return reg
  }

  unregister(callId: string): void {
    const i = this.registrations.findIndex((x) => x.callId === callId)
    if (i >= 0) this.registrations.splice(i, 1)
  }

  /** A phone SUBSCRIBEs to `message-summary` of `target` (user@host): MESSAGE_QUERY with VM-sub-call-id. */
  subscribe(s: { user: string; domain: string; target?: string; callId: string }): Subscription {
    const sub: Subscription = {
      user: s.user,
      domain: s.domain,
      target: s.target ?? `${s.user}@${s.domain}`,
      callId: s.callId,
      profile: this.profile,
    }
    this.subscriptions.push(sub)
    this.query(
      `sip:${sub.target}`,
      ['VM-sub-call-id', s.callId],
      ['sofia_presence.c', 'sofia_presence_sub_reg_callback', 1736],
    )
    return sub
  }

  private query(account: string, id: Header, where: readonly [string, string, number]): void {
    const headers: Header[] = [
      ...this.node.standardHeaders('MESSAGE_QUERY', where[0], where[1], where[2]),
      ['Message-Account', account],
      ['VM-Sofia-Profile', this.profile],
      id,
    ]
    this.node.publish({ event: { headers }, name: 'MESSAGE_QUERY' })
  }

  /** sofia's MESSAGE_WAITING handler. Returns the NOTIFYs it produced (also appended to `notifies`). */
  handleMessageWaiting(headers: readonly Header[]): MwiNotify[] {
    const acct = headerOf(headers, 'MWI-Message-Account')
    const waiting = headerOf(headers, 'MWI-Messages-Waiting')
    if (acct === undefined || waiting === undefined) {
      this.violations.push('MESSAGE_WAITING without MWI-Message-Account or MWI-Messages-Waiting')
      this.dropped.push({ reason: 'missing headers', headers })
      return []
    }
    const vm = headerOf(headers, 'MWI-Voice-Message')
    if (waiting !== 'yes' && waiting !== 'no')
      this.violations.push(`MWI-Messages-Waiting not yes/no: ${waiting}`)
    if (vm !== undefined) {
      if (!VOICE_MESSAGE.test(vm)) this.violations.push(`bad MWI-Voice-Message: ${vm}`)
      else if (Number(vm.split('/')[0]) > 0 !== (waiting === 'yes'))
        this.violations.push(`MWI-Messages-Waiting ${waiting} inconsistent with ${vm}`)
    }
    // user@host with sip:/sips: and ;params stripped (ut.c:4106–4128).
    const account = acct.replace(/^sips?:/i, '').replace(/;.*$/, '')
    const host = account.split('@')[1] ?? ''
    const wanted = headerOf(headers, 'Sofia-Profile')
    const known =
      wanted !== undefined
        ? wanted === this.profile
        : this.domains.has(host) ||
          host === this.profile ||
          this.registrations.some((r) => r.domain === host || r.mwiHost === host)
    if (!known) {
      this.dropped.push({ reason: 'Cannot find profile', headers })
      return []
    }
    let body = ''
    for (const [k, v] of headers) {
      if (k.slice(0, 4).toLowerCase() !== 'mwi-') continue
      const name = k.slice(4)
      const value = name.toLowerCase() === 'message-account' && !/^sips?:/i.test(v) ? `sip:${v}` : v
      body += `${name}: ${value}\r\n`
    }
    body += '\r\n'
    const callId = headerOf(headers, 'Call-ID')
    const subCallId = headerOf(headers, 'Sub-Call-ID')
    const out: MwiNotify[] = []
    const base = { account, messagesWaiting: waiting === 'yes', body }
    const regNotify = (r: Registration): MwiNotify => ({
      ...base,
      phone: `reg:${r.user}@${r.domain}/${r.callId}`,
      kind: 'registration',
      callId: r.callId,
    })
    const subNotify = (s: Subscription): MwiNotify => ({
      ...base,
      phone: `sub:${s.user}@${s.domain}/${s.callId}`,
      kind: 'subscription',
      callId: s.callId,
    })
    if (subCallId !== undefined) {
      for (const s of this.subscriptions) if (s.callId === subCallId) out.push(subNotify(s))
    } else if (callId !== undefined) {
      for (const r of this.registrations) if (r.callId === callId) out.push(regNotify(r))
    } else {
      for (const s of this.subscriptions) if (s.target === account) out.push(subNotify(s))
      for (const r of this.registrations) if (`${r.mwiUser}@${r.mwiHost}` === account) out.push(regNotify(r))
    }
    this.notifies.push(...out)
    return out
  }

  /** The last MWI state each phone was told (phone → messages waiting), for "which phones are lit". */
  lamps(): Map<string, boolean> {
    const m = new Map<string, boolean>()
    for (const n of this.notifies) m.set(n.phone, n.messagesWaiting)
    return m
  }
}
