import client from 'prom-client'
import type { MailboxEvents } from '../contracts/events.js'
import { HangupError } from '../esl/errors.js'
import type { OutboxRepo } from '../store/outbox.js'
import type { Mailbox, Message } from '../store/types.js'

/** Where the gauges read their values at scrape time. */
export interface MetricSources {
  outbox: Pick<OutboxRepo, 'counts'>
  link: { readonly nodeStates: ReadonlyArray<{ node: string; connected: boolean }> }
}

const FLOWS: readonly string[] = ['deposit', 'check', 'login', 'menu']

/**
 * The daemon's Prometheus metrics (`GET /metrics`), in a registry of its own so that two daemons in one process
 * (tests) do not mix. Counters are fed at the existing single points: the call runner (flow and outcome), the
 * flows' events (messages stored, callers told full, lockouts), the MWI service (lamp latency) and the outbox
 * worker (mail latency and failures); gauges are read when scraped (outbox depth, FreeSWITCH links). Nothing here
 * throws into its caller.
 */
export class VoicemailMetrics implements MailboxEvents {
  readonly registry = new client.Registry()
  private readonly calls: client.Counter<'flow' | 'outcome'>
  private readonly stored: client.Counter<'source'>
  private readonly toldFull: client.Counter
  private readonly lockouts: client.Counter
  private readonly webLogins: client.Counter<'outcome'>
  private readonly lampLatency: client.Histogram
  private readonly mailLatency: client.Histogram
  private readonly mailAttempts: client.Counter<'outcome'>

  constructor(sources: MetricSources, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry]
    this.calls = new client.Counter({
      name: 'voicemail_calls_total',
      help: 'Calls handled, by flow (vm_action) and how they ended (completed, hangup, error).',
      labelNames: ['flow', 'outcome'],
      registers,
    })
    this.stored = new client.Counter({
      name: 'voicemail_messages_stored_total',
      help: 'Messages committed to a box (source: deposit, or forward for a forwarded copy).',
      labelNames: ['source'],
      registers,
    })
    this.toldFull = new client.Counter({
      name: 'voicemail_callers_told_full_total',
      help: 'Callers who heard "mailbox full" and could not leave a message.',
      registers,
    })
    this.lockouts = new client.Counter({
      name: 'voicemail_lockouts_total',
      help: 'Boxes locked after too many wrong PINs (phone and voicemail page).',
      registers,
    })
    this.webLogins = new client.Counter({
      name: 'voicemail_web_logins_total',
      help: 'Login attempts on the voicemail page, by outcome.',
      labelNames: ['outcome'],
      registers,
    })
    this.lampLatency = new client.Histogram({
      name: 'voicemail_lamp_latency_seconds',
      help: 'From a change to FreeSWITCH acknowledging every MESSAGE_WAITING it caused.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    })
    this.mailLatency = new client.Histogram({
      name: 'voicemail_mail_latency_seconds',
      help: 'From a mail being queued (the message committed) to the SMTP server accepting it.',
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60, 300, 1800, 3600, 21600, 86400],
      registers,
    })
    this.mailAttempts = new client.Counter({
      name: 'voicemail_mail_attempts_total',
      help: 'Mail delivery attempts by outcome: sent, retried (temporary failure), failed (permanent or given up).',
      labelNames: ['outcome'],
      registers,
    })
    new client.Gauge({
      name: 'voicemail_outbox_mails',
      help: 'Mails in the outbox by status: pending (waiting or retrying) and failed (given up).',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await sources.outbox.counts()
        this.set({ status: 'pending' }, counts.pending)
        this.set({ status: 'failed' }, counts.failed)
      },
    })
    new client.Gauge({
      name: 'voicemail_freeswitch_up',
      help: 'Inbound Event Socket link per configured FreeSWITCH node: 1 connected, 0 not.',
      labelNames: ['node'],
      registers,
      collect() {
        for (const { node, connected } of sources.link.nodeStates) this.set({ node }, connected ? 1 : 0)
      },
    })
    // prom-client samples the event loop's delay with a libuv timer, every 10 ms unless told: 100 wake-ups a
    // second, 12–20 ms of CPU per second on an idle daemon (issue 12). Every 250 ms still catches any stall an
    // operator would look for between two scrapes, for a twentieth of that.
    if (options.processMetrics !== false)
      client.collectDefaultMetrics({
        register: this.registry,
        eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
      })
  }

  /** Run one call's flow and count how it ended; the flow's own result or error passes through untouched. */
  async observeCall(action: string | undefined, run: () => Promise<void>): Promise<void> {
    const flow = action !== undefined && FLOWS.includes(action) ? action : 'invalid'
    try {
      await run()
      this.calls.inc({ flow, outcome: 'completed' })
    } catch (err) {
      this.calls.inc({ flow, outcome: err instanceof HangupError ? 'hangup' : 'error' })
      throw err
    }
  }

  messageStored(_box: Mailbox, message: Message): void {
    this.stored.inc({ source: message.forwardedFrom === undefined ? 'deposit' : 'forward' })
  }

  callerToldFull(): void {
    this.toldFull.inc()
  }

  boxLocked(): void {
    this.lockouts.inc()
  }

  webLogin(outcome: string): void {
    this.webLogins.inc({ outcome })
  }

  lampRefreshed(ms: number): void {
    this.lampLatency.observe(ms / 1000)
  }

  mailAttempt(outcome: 'sent' | 'retried' | 'failed', queuedForMs?: number): void {
    this.mailAttempts.inc({ outcome })
    if (queuedForMs !== undefined) this.mailLatency.observe(queuedForMs / 1000)
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}

/** How often the event loop's delay is sampled for `nodejs_eventloop_lag_*`. */
const EVENT_LOOP_SAMPLE_MS = 250
