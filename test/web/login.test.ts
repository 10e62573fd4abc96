import t from 'tap'
import { ManualClock } from '../../lib/clock.js'
import { plant, setPin } from '../flows/owner-fixture.js'
import { DOMAIN, PIN, startWeb } from './fixture.js'

void t.test('login: session cookie HttpOnly and SameSite=Strict, the page gets its CSRF token', async (t) => {
  const h = await startWeb(t)
  const page = h.client()
  const before = await page.get('/api/session')
  t.same(
    before.json,
    { loggedIn: false, defaultDomain: DOMAIN },
    'logged out: the page learns the default domain',
  )
  t.equal((await page.get('/api/box')).status, 401, 'nothing without a session')

  const reply = await page.login('100', PIN)
  t.equal(reply.status, 200)
  t.match(reply.json, {
    loggedIn: true,
    box: { id: '100', domain: DOMAIN, name: 'Alice' },
    mustChangePin: false,
  })
  t.match(String(reply.json.csrf), /^[A-Za-z0-9_-]{43}$/, 'a 256-bit CSRF token')
  const cookie = page.lastSetCookie ?? ''
  t.match(
    cookie,
    /^vm_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/,
    'not Secure on plain HTTP',
  )
  const me = await page.get('/api/session')
  t.match(me.json, { loggedIn: true, box: { id: '100' }, csrf: reply.json.csrf })
  t.equal(me.headers.get('cache-control'), 'no-store', 'API answers are never cached')
  const box = await page.get('/api/box')
  t.match(box.json, {
    box: { id: '100', name: 'Alice', timezone: 'America/Chicago' },
    messages: [],
    deleted: [],
  })
  t.match(await h.box('100'), { domain: ' pbx.test'.trim() }, 'domain case and spaces are forgiven')
  const upper = await h.client().login('100', PIN, ' PBX.TEST ')
  t.equal(upper.status, 200, 'a domain typed in capitals works')
})

void t.test(
  'refusals: unknown box and wrong PIN look the same; disabled and PIN-less boxes say why',
  async (t) => {
    const h = await startWeb(t)
    const page = h.client()
    const wrong = await page.login('100', '99999')
    const unknown = await page.login('555', '99999')
    t.equal(wrong.status, 401)
    t.same(unknown.json, wrong.json, 'the same answer for a box that does not exist')
    t.same(wrong.json, { error: { code: 'wrong', message: 'Wrong mailbox number or PIN.' } })
    t.equal(page.cookie, undefined, 'no cookie')
    const bad = await page.post('/api/login', { domain: 'x', box: 'ab', pin: '' })
    t.match(bad.json, {
      error: { code: 'invalid', message: 'Enter the domain, your mailbox number and your PIN.' },
    })
    const malformed = await page.post('/api/login', { box: '100' })
    t.equal(malformed.status, 400)
    t.match(malformed.json, { error: { code: 'invalid', message: /^The request is not valid/ } })

    await h.app.store.mailboxes.setEnabled((await h.box('101')).rowId, false)
    t.match((await page.login('101', PIN)).json, { error: { code: 'unavailable' } })
    await h.app.store.mailboxes.setPin((await h.box('800')).rowId, undefined, false)
    const none = await page.login('800', '')
    t.equal(none.status, 400, 'an empty PIN is not even tried')
    const noPin = await page.login('800', '4821')
    t.equal(noPin.status, 403)
    t.match(noPin.json, { error: { code: 'no-pin', message: /Set one from your own phone first/ } })
  },
)

void t.test(
  'behind a trusted proxy: Secure cookie over TLS, client address from X-Forwarded-For',
  async (t) => {
    const h = await startWeb(t, { config: { http: { trustedProxies: ['127.0.0.1'] } }, captureLog: true })
    const proxied = h.client({ headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' } })
    await proxied.request('POST', '/api/login', {
      json: { domain: DOMAIN, box: '100', pin: PIN },
      headers: { origin: 'https://127.0.0.1:' + new URL(h.base).port },
    })
    t.match(
      proxied.lastSetCookie,
      /; HttpOnly; Secure; SameSite=Strict$/,
      'Secure when the proxy says the client used https',
    )
    const audit = await h.app.store.audit.listRecent(5)
    t.notOk(
      audit.some((a) => a.actor.includes('203.0.113.9')),
      'a successful login writes no audit line',
    )
    await proxied.request('POST', '/api/login', {
      json: { domain: DOMAIN, box: '101', pin: '99999' },
      headers: { origin: 'https://127.0.0.1:' + new URL(h.base).port },
    })
    const failures = await h.app.store.loginFailures.countSince((await h.box('101')).rowId, 0)
    t.equal(failures, 1, 'the failure counted')

    const direct = await startWeb(t)
    const spoof = direct.client({ headers: { 'x-forwarded-proto': 'https' } })
    await spoof.login('100', PIN)
    t.notMatch(spoof.lastSetCookie, /Secure/, 'X-Forwarded-Proto from an untrusted peer is ignored')
  },
)

void t.test('a temporary PIN must be replaced before anything else', async (t) => {
  const h = await startWeb(t)
  await setPin(h, '100', '58213', true)
  const page = h.client()
  const reply = await page.login('100', '58213')
  t.match(reply.json, { loggedIn: true, mustChangePin: true })
  const blocked = await page.get('/api/box')
  t.equal(blocked.status, 403)
  t.match(blocked.json, { error: { code: 'pin-change-required', message: 'Choose a new PIN first.' } })
  const changed = await page.post('/api/pin', { current: '58213', pin: '739164', confirm: '739164' })
  t.equal(changed.status, 200, changed.text)
  t.equal((await page.get('/api/box')).status, 200, "the box opens once the PIN is the owner's own")
  t.equal((await h.box('100')).pinTemporary, false)
})

void t.test('sessions expire: 30 minutes idle, 12 hours at most (injected clock)', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 10, 26, 11, 0, 0))
  const h = await startWeb(t, { clock })
  const page = await h.loggedIn()
  clock.advance(29 * 60_000)
  t.equal((await page.get('/api/box')).status, 200, 'used again within 30 minutes')
  clock.advance(30 * 60_000)
  const idle = await page.get('/api/box')
  t.equal(idle.status, 401, 'idle for 30 minutes: logged out')
  t.match(idle.json, { error: { code: 'login', message: 'Your session has ended. Please log in again.' } })
  t.same((await page.get('/api/session')).json, { loggedIn: false, defaultDomain: DOMAIN })

  const busy = await h.loggedIn()
  for (let minutes = 0; minutes < 12 * 60 - 20; minutes += 20) {
    clock.advance(20 * 60_000)
    if ((await busy.get('/api/box')).status !== 200) t.fail(`logged out after ${minutes} minutes`)
  }
  clock.advance(20 * 60_000)
  t.equal((await busy.get('/api/box')).status, 401, 'however busy, 12 hours after the login it ends')
})

void t.test('logout purges what was deleted (as hanging up does) and ends the session', async (t) => {
  const h = await startWeb(t)
  const keep = await plant(h, '100')
  const gone = await plant(h, '100')
  const page = await h.loggedIn()
  t.equal((await page.post(`/api/messages/${gone.uuid}/delete`)).status, 200)
  const out = await page.post('/api/logout')
  t.equal(out.status, 200)
  t.match(page.lastSetCookie, /^vm_session=; /, 'cookie cleared')
  t.same(
    (await h.messages('100')).map((m) => m.uuid),
    [keep.uuid],
    'the deleted message is purged',
  )
  t.notOk(await h.app.deps.files.exists(h.app.deps.files.fromStored(gone.file)), 'and its file removed')
  t.equal((await page.get('/api/box')).status, 401)
  t.equal((await page.post('/api/logout')).status, 200, 'logging out twice is harmless')
})

void t.test('a PIN changed elsewhere, or a box disabled, ends the session', async (t) => {
  const h = await startWeb(t)
  const page = await h.loggedIn()
  await setPin(h, '100', '739164')
  const reply = await page.get('/api/box')
  t.equal(reply.status, 401)
  t.match(reply.json, { error: { message: /the PIN was changed/ } })
  const other = await h.loggedIn('101')
  await h.app.store.mailboxes.setEnabled((await h.box('101')).rowId, false)
  t.match((await other.get('/api/box')).json, { error: { message: /the mailbox is not available/ } })
})

void t.test('no PIN in any log line, URL or page', async (t) => {
  const h = await startWeb(t, { captureLog: true })
  const page = h.client()
  await page.login('100', '58213')
  await page.login('100', PIN)
  await page.post('/api/pin', { current: PIN, pin: '739164', confirm: '739164' })
  await page.post('/api/pin', { current: '739164', pin: '1234', confirm: '1234' })
  const text = h.logText()
  t.match(text, /web login/, 'the logins were logged')
  for (const pin of ['58213', PIN, '739164']) t.notOk(text.includes(pin), `${pin} is not in the log`)
  const html = await page.get('/')
  t.notOk(html.text.includes(PIN), 'nor in the page')
})
