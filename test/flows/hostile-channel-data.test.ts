import t from 'tap'
import { startHarness } from '../support/daemon-harness.js'

const config = { mailboxes: [{ id: '100', domain: 'pbx.test', kind: 'personal' }] }
const deposit100 = { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' }
const leaveMessage = {
  variables: deposit100,
  actions: [{ when: { onRecord: true as const, afterMs: 4000 }, hangup: true as const }],
}

void t.test('a caller name with a raw %FF does not crash the daemon', async (t) => {
  const h = await startHarness(t, { config })
  // FreeSWITCH passes "%" followed by two uppercase hex digits through unencoded: modesl's decodeURIComponent
  // would throw on it inside the socket handler and take the process down.
  await h.call({ ...leaveMessage, callerIdName: 'Bad %FF name %E2%82' }, { rawPercent: true }).finished
  const [message] = await h.messages('100')
  t.ok(message, 'the message of that caller is stored')
  t.match(message?.callerIdName, /^Bad .*name/, 'with the name kept as literally as it came')
  await h.call(leaveMessage).finished
  t.equal((await h.messages('100')).length, 2, 'and the daemon still takes calls')
})

void t.test('a 2 MB block of channel data closes only that call', async (t) => {
  const h = await startHarness(t, { config })
  const huge = await h.call({
    ...leaveMessage,
    variables: { ...deposit100, sip_h_X_Junk: 'x'.repeat(2 * 1024 * 1024) },
  }).finished
  t.ok(huge.closedBy !== undefined, 'that connection was closed')
  t.notOk(
    huge.executes.some((e) => e.app === 'record'),
    'nothing run on it',
  )
  await h.call(leaveMessage).finished
  t.equal((await h.messages('100')).length, 1, 'the next call works')
})

void t.test('bad dialplan variables get a clear refusal, not a crash', async (t) => {
  const h = await startHarness(t, { config })
  const refused: Record<string, string>[] = [
    { vm_action: 'explode', vm_mailbox: '100' },
    { vm_action: 'deposit', vm_mailbox: '../../etc' },
    { vm_action: 'deposit' },
    { vm_action: 'deposit', vm_mailbox: '100', vm_domain: '../evil' },
  ]
  for (const variables of refused) {
    const transcript = await h.call({ variables }).finished
    t.ok(
      transcript.executes.some((e) => e.arg.includes('system-error.wav')),
      `${JSON.stringify(variables)}: apology`,
    )
    t.notOk(
      transcript.executes.some((e) => e.app === 'record'),
      'nothing recorded',
    )
  }
  await h.call(leaveMessage).finished
  t.equal((await h.messages('100')).length, 1, 'the daemon still takes calls')
})
