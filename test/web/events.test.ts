import t from 'tap'
import type { ManualClock } from '../../lib/clock.js'
import { plant } from '../flows/owner-fixture.js'
import { DOMAIN, startWeb, type WebClient, type WebHarness } from './fixture.js'

/** An open `/api/events` stream, read event by event. */
async function openEvents(
  h: WebHarness,
  page: WebClient,
): Promise<{ next(): Promise<{ event: string; data: unknown } | undefined>; close(): void }> {
  const controller = new AbortController()
  const response = await fetch(`${h.base}/api/events`, {
    headers: { cookie: page.cookie ?? '' },
    signal: controller.signal,
  })
  if (response.body === null) throw new Error('no body')
  const reader = response.body.getReader()
  let buffer = ''
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n')
        if (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event !== undefined)
            return { event, data: data === undefined ? undefined : (JSON.parse(data) as unknown) }
          continue
        }
        const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array }
        if (chunk.done || chunk.value === undefined) return undefined
        buffer += Buffer.from(chunk.value).toString('utf8')
      }
    },
    close: () => controller.abort(),
  }
}

void t.test(
  'server-sent events: a new message, a change by phone or page, then the end of the session',
  async (t) => {
    const h = await startWeb(t)
    const page = await h.loggedIn()
    const response = await fetch(`${h.base}/api/events`, { headers: { cookie: page.cookie ?? '' } })
    t.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8')
    t.equal(response.headers.get('x-accel-buffering'), 'no', 'nginx is told not to buffer')
    await response.body?.cancel()
    t.equal((await fetch(`${h.base}/api/events`)).status, 401, 'no stream without a session')

    const events = await openEvents(h, page)
    t.teardown(() => events.close())
    await h.call({
      variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: DOMAIN },
      records: [{ speakMs: 4000, then: 'hangup' }],
    }).finished
    t.same(
      await events.next(),
      { event: 'changed', data: { reason: 'NEW' } },
      'a deposit by phone arrives as NEW',
    )

    const planted = await plant(h, '100')
    await page.post(`/api/messages/${planted.uuid}/save`)
    t.same(
      await events.next(),
      { event: 'changed', data: { reason: 'SAVE' } },
      'a change made on the page (or another tab)',
    )

    const other = await plant(h, '101')
    const bob = await h.loggedIn('101')
    await bob.post(`/api/messages/${other.uuid}/delete`)
    await page.post(`/api/messages/${planted.uuid}/heard`)
    t.same(
      await events.next(),
      { event: 'changed', data: { reason: 'READ' } },
      "another box's changes are not sent",
    )

    ;(h.clock as ManualClock).advance(31 * 60_000)
    await bob.post('/api/logout')
    await h.app.deps.mwi.refresh(await h.box('100'), 'UNKNOWN')
    t.same(
      await events.next(),
      { event: 'logout', data: { reason: 'expired' } },
      'an expired session is told so',
    )
    t.equal(await events.next(), undefined, 'and the stream ends')
  },
)

void t.test('stopping the daemon ends the open streams', async (t) => {
  const h = await startWeb(t)
  const page = await h.loggedIn()
  const events = await openEvents(h, page)
  await h.app.web?.server.stop()
  t.equal(await events.next(), undefined, 'the stream ended')
})
