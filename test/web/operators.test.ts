import t from 'tap'
import type { ManualClock } from '../../lib/clock.js'
import { checkHealth, type HealthSources } from '../../lib/web/health.js'
import { plant } from '../flows/owner-fixture.js'
import { DOMAIN, startWeb, until } from './fixture.js'

const deposit = (box: string): Record<string, string> => ({
  vm_action: 'deposit',
  vm_mailbox: box,
  domain_name: DOMAIN,
})

void t.test(
  '/healthz: 200 with every check; 503 with reasons when FreeSWITCH is gone or mail is stuck',
  async (t) => {
    // A relay that refuses connections: mail stays pending, retried.
    const h = await startWeb(t, {
      config: { smtp: { host: '127.0.0.1', port: 9 }, mail: { from: 'vm@pbx.test' } },
    })
    const ops = h.client()
    const ok = await ops.get('/healthz')
    t.equal(ok.status, 200)
    t.match(ok.json, {
      status: 'ok',
      reasons: [],
      checks: {
        freeswitch: { ok: true, nodes: [{ node: `127.0.0.1:${h.fs.port}`, connected: true }] },
        database: { ok: true, ms: Number },
        disk: { ok: true, freeBytes: Number, minFreeBytes: 100 * 1024 * 1024 },
        outbox: { ok: true, pending: 0, failed: 0, oldestPendingSeconds: 0 },
      },
    })
    t.equal(ok.headers.get('cache-control'), 'no-store')

    const message = await plant(h, '100')
    await h.app.deps.mail.queueNewMessage(await h.box('100'), message)
    await until(async () => (await h.app.mailWorker.outbox.counts()).pending === 1, 'a pending mail')
    ;(h.clock as ManualClock).advance(61 * 60_000)
    await h.sim.close()
    await until(() => !h.app.link.connected, 'the link to drop')
    const bad = await ops.get('/healthz')
    t.equal(bad.status, 503)
    t.match(bad.json, {
      status: 'fail',
      reasons: [
        `no FreeSWITCH node connected (127.0.0.1:${h.fs.port})`,
        'outbox: a mail has waited 61 minutes (limit 60)',
      ],
      checks: {
        freeswitch: { ok: false },
        outbox: { ok: false, pending: 1, oldestPendingSeconds: 3660 },
        database: { ok: true },
      },
    })
  },
)

void t.test('/healthz: too little disk is a failure', async (t) => {
  const h = await startWeb(t, { config: { http: { health: { minFreeDiskMiB: 1048576 } } } })
  const reply = await h.client().get('/healthz')
  t.equal(reply.status, 503)
  t.match(reply.json, { reasons: [/^disk: \d+ MiB free under .*, less than 1048576 MiB$/] })
})

void t.test(
  'checkHealth says what failed when the database hangs, the disk cannot be read or the outbox fails',
  async (t) => {
    const sources: HealthSources = {
      link: {
        nodeStates: [
          { node: 'a:8021', connected: false },
          { node: 'b:8021', connected: true },
        ],
      },
      store: { ping: () => new Promise(() => undefined) },
      outbox: {
        counts: () => Promise.reject(new Error('SQLITE_IOERR')),
        oldestPendingAt: () => Promise.resolve(undefined),
      },
      stateDir: '/nonexistent/voicemaild',
      now: () => 0,
    }
    const report = await checkHealth(sources, { minFreeDiskMiB: 1, maxOutboxAgeMinutes: 60 })
    t.equal(report.status, 'fail')
    t.ok(report.checks.freeswitch.ok, 'one node of two connected is enough')
    t.same(report.reasons, [
      'database: no answer within 2000 ms',
      "disk: ENOENT: no such file or directory, statfs '/nonexistent/voicemaild'",
      'outbox: SQLITE_IOERR',
    ])
  },
)

void t.test(
  '/metrics: calls by flow and outcome, messages, full callers, lamps, mail, outbox, links',
  async (t) => {
    const h = await startWeb(t, { config: { defaultQuotaBytes: 300_000 } })
    await h.call({ variables: deposit('100'), records: [{ speakMs: 4000, then: 'hangup' }] }).finished
    await h.call({ variables: { vm_action: 'bogus' } }).finished
    await h.call({
      variables: deposit('101'),
      actions: [{ when: { onPlayback: true, afterMs: 50 }, hangup: true }],
    }).finished
    for (let i = 0; i < 2; i++) await plant(h, '800', { speechMs: 9000 })
    await h.call({ variables: deposit('800') }).finished
    const page = await h.loggedIn()
    const message = (await h.messages('100'))[0]
    await page.post(`/api/messages/${message?.uuid ?? ''}/forward`, { to: '101' })
    await h.app.mailWorker.whenIdle()

    const reply = await h.client().get('/metrics')
    t.equal(reply.status, 200)
    t.match(reply.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
    const text = reply.text
    const expected = [
      'voicemail_calls_total{flow="deposit",outcome="completed"} 2',
      'voicemail_calls_total{flow="invalid",outcome="completed"} 1',
      'voicemail_calls_total{flow="deposit",outcome="hangup"} 1',
      'voicemail_messages_stored_total{source="deposit"} 1',
      'voicemail_messages_stored_total{source="forward"} 1',
      'voicemail_callers_told_full_total 1',
      'voicemail_lockouts_total 0',
      'voicemail_web_logins_total{outcome="ok"} 1',
      'voicemail_outbox_mails{status="pending"} 0',
      'voicemail_outbox_mails{status="failed"} 0',
      `voicemail_freeswitch_up{node="127.0.0.1:${h.fs.port}"} 1`,
    ]
    for (const line of expected) t.ok(text.includes(`${line}\n`), line)
    t.match(text, /voicemail_lamp_latency_seconds_count [1-9]\d*\n/, 'lamp latency observed')
    t.match(text, /voicemail_mail_attempts_total\{outcome="sent"\} [1-9]\d*\n/, 'mail attempts counted')
    t.match(text, /voicemail_mail_latency_seconds_count [1-9]\d*\n/, 'mail latency observed')
    t.match(text, /process_cpu_seconds_total \d/, 'process metrics as well')
    t.match(text, /nodejs_eventloop_lag_p99_seconds \d/, 'the event loop delay, sampled every 250 ms')
  },
)

void t.test('/healthz and /metrics answer the operators only', async (t) => {
  const h = await startWeb(t, { config: { http: { trustedProxies: ['127.0.0.1'] } } })
  const outsider = h.client({ headers: { 'x-forwarded-for': '203.0.113.5' } })
  for (const path of ['/healthz', '/metrics']) {
    const reply = await outsider.get(path)
    t.equal(reply.status, 403, `${path} through the proxy for an outside client`)
    t.match(reply.json, { error: { code: 'forbidden', message: /http\.operatorAllowFrom/ } })
    t.equal((await h.client().get(path)).status, 200, `${path} from the host itself`)
  }
})
