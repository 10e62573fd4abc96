import t from 'tap'
import { plant } from '../flows/owner-fixture.js'
import { DOMAIN, PIN, startWeb } from './fixture.js'

void t.test(
  'a change without the session token, or from another origin, is refused and changes nothing',
  async (t) => {
    const h = await startWeb(t)
    const message = await plant(h, '100')
    const page = await h.loggedIn()
    const path = `/api/messages/${message.uuid}/delete`

    const noToken = await page.post(path, undefined, { csrf: false })
    t.equal(noToken.status, 403)
    t.match(noToken.json, { error: { code: 'csrf' } })
    const wrongToken = await page.post(path, undefined, { headers: { 'x-csrf-token': 'x'.repeat(43) } })
    t.equal(wrongToken.status, 403, 'a wrong token')
    const shortToken = await page.post(path, undefined, { headers: { 'x-csrf-token': 'abc' } })
    t.equal(shortToken.status, 403, 'a token of another length')
    const otherSession = await h.loggedIn('101')
    const borrowed = await page.post(path, undefined, { headers: { 'x-csrf-token': otherSession.csrf } })
    t.equal(borrowed.status, 403, "another session's token")
    const foreign = await page.post(path, undefined, { headers: { origin: 'https://evil.example' } })
    t.equal(foreign.status, 403)
    t.match(foreign.json, {
      error: { code: 'cross-site', message: 'This request did not come from the voicemail page.' },
    })
    const fetchSite = await page.post(path, undefined, { headers: { 'sec-fetch-site': 'cross-site' } })
    t.equal(fetchSite.status, 403, 'Sec-Fetch-Site: cross-site')
    const sameSite = await page.post(path, undefined, { headers: { 'sec-fetch-site': 'same-site' } })
    t.equal(sameSite.status, 403, 'a sibling subdomain is not the page either')
    for (const [method, route] of [
      ['POST', '/api/pin'],
      ['POST', '/api/greetings/active'],
      ['DELETE', '/api/greetings/temporary'],
      ['POST', '/api/greetings/busy'],
      ['POST', '/api/logout'],
      ['POST', `/api/messages/${message.uuid}/forward`],
    ]) {
      const reply = await page.request(method ?? 'POST', route ?? '', { csrf: false, json: {} })
      t.equal(reply.status, 403, `${method} ${route} without the token`)
    }
    t.equal((await h.messages('100'))[0]?.deleted, false, 'nothing was deleted')

    const ok = await page.post(path, undefined, { headers: { 'sec-fetch-site': 'same-origin' } })
    t.equal(ok.status, 200, 'the page itself gets through')
  },
)

void t.test(
  'login CSRF: a foreign origin cannot log the browser in to its box; forms are not accepted',
  async (t) => {
    const h = await startWeb(t)
    const page = h.client()
    const foreign = await page.request('POST', '/api/login', {
      json: { domain: DOMAIN, box: '100', pin: PIN },
      headers: { origin: 'https://evil.example' },
    })
    t.equal(foreign.status, 403)
    t.equal(page.cookie, undefined, 'no session')
    const form = await page.request('POST', '/api/login', {
      body: `domain=${DOMAIN}&box=100&pin=${PIN}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    t.equal(form.status, 415, 'a cross-site form post (no preflight) is not even parsed')
    t.equal(page.cookie, undefined)
    const noOrigin = h.client({ origin: false })
    t.equal(
      (await noOrigin.login('100', PIN)).status,
      200,
      'a client that sends no Origin (curl) still logs in',
    )
  },
)

void t.test('every answer carries the security headers', async (t) => {
  const h = await startWeb(t)
  for (const path of ['/', '/js/main.js', '/api/session', '/nowhere']) {
    const reply = await h.client().get(path)
    t.match(reply.headers.get('content-security-policy'), /default-src 'none'; script-src 'self'/, path)
    t.equal(reply.headers.get('x-frame-options'), 'DENY', path)
    t.equal(reply.headers.get('x-content-type-options'), 'nosniff', path)
    t.equal(reply.headers.get('referrer-policy'), 'no-referrer', path)
  }
})
