import t from 'tap'
import { DOMAIN, PIN, startWeb } from './fixture.js'
import { setPin } from '../flows/owner-fixture.js'

void t.test('login: session cookie HttpOnly and SameSite=Strict, the page gets its CSRF token', async (t) => {
  const h = await startWeb(t)
  const page = h.client()
  const before = await page.get('/api/session')
  t.same(before.json, { loggedIn: false, defaultDomain: DOMAIN }, 'logged out: the page learns the default domain')

  const reply = await page.login('100', PIN)
  t.equal(reply.status, 200)
  t.match(reply.json, { loggedIn: true, box: { id: '100', domain: DOMAIN, name: 'Alice' }, mustChangePin: false })
  t.match(String(reply.json.csrf), /^[A-Za-z0-9_-]{43}$/, 'a 256-bit CSRF token')
  const cookie = page.lastSetCookie ?? ''
  t.match(cookie, /^vm_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/, 'HttpOnly, Strict, not Secure on plain HTTP')
  t.notMatch(cookie, new RegExp(PIN), 'the PIN is not in the cookie')
  const me = await page.get('/api/session')
  t.match(me.json, { loggedIn: true, box: { id: '100' }, csrf: reply.json.csrf })

  const box = await page.get('/api/box')
  t.equal(box.status, 200)
  t.match(box.json, { box: { id: '100', name: 'Alice', timezone: 'America/Chicago' }, messages: [], deleted: [] })
})
