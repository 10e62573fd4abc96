import t from 'tap'
import { startHarness } from '../support/daemon-harness.js'
import { until } from './process-fixture.js'

/**
 * SPEC §8 "FreeSWITCH restarted → MWI re-announced": FreeSWITCH keeps no lamp state, so when its event socket
 * comes back (abruptly, or with its shutdown notice) the daemon reconnects and announces every box again, extra
 * MWI accounts included, with the current counts.
 */
const config = {
  mailboxes: [
    { id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', email: [] },
    { id: '101', domain: 'pbx.test', kind: 'personal', name: 'Bob', email: [] },
    {
      id: '800',
      domain: 'pbx.test',
      kind: 'general',
      name: 'Sales',
      email: [],
      mwiAccounts: ['102@pbx.test'],
    },
  ],
}
const accounts = ['sip:100@pbx.test', 'sip:101@pbx.test', 'sip:800@pbx.test', 'sip:102@pbx.test']

for (const graceful of [false, true]) {
  void t.test(
    `FreeSWITCH restarted (${graceful ? 'shutdown notice' : 'connection reset'}): every lamp re-announced`,
    async (t) => {
      const h = await startHarness(t, { config })
      await h.call({
        variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' },
        records: [{ speakMs: 4000, then: 'hangup' }],
      }).finished
      t.equal((await h.messages('100')).length, 1, 'box 100 has a message')

      const before = h.fs.authCount
      const from = h.fs.sentEvents.length
      await h.fs.restart({ graceful })
      await until(() => h.fs.authCount > before)
      const announced = (): Map<string, string> => {
        const lamps = new Map<string, string>()
        for (const e of h.fs.sentEvents.slice(from)) {
          if (e.name !== 'MESSAGE_WAITING') continue
          const get = (n: string): string => e.headers.find(([k]) => k === n)?.[1] ?? ''
          lamps.set(get('MWI-Message-Account'), get('MWI-Messages-Waiting'))
        }
        return lamps
      }
      await until(() => accounts.every((a) => announced().has(a)))
      const lamps = announced()
      t.equal(lamps.get('sip:100@pbx.test'), 'yes', 'the box with a message is lit again')
      for (const a of accounts.slice(1)) t.equal(lamps.get(a), 'no', `${a} is told it is dark`)
      t.ok(h.app.link.connected, 'the link is up again')
    },
  )
}
