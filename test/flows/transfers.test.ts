import t from 'tap'
import { startHarness } from '../support/daemon-harness.js'
import { AFTER_MESSAGE, check, MAIN_MENU, onEach, ownerConfig, PIN, plant, setPin } from './owner-fixture.js'

/**
 * SPEC §8: transfers (operator `0`, callback `5`) go to the call's own dialplan context, which FreeSWITCH sends as
 * `Caller-Context` (there is no `variable_context`), with what the daemon set on the channel restored first, so
 * the next application in the dialplan is not stopped by a key press. Each call here comes from the `tenant-a`
 * context, as in a multi-tenant dialplan.
 */
const deposit100 = { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' }
const ours = ['playback_terminators', 'record_sample_rate', 'timezone']

void t.test("0 during a greeting transfers to the operator in the call's own context", async (t) => {
  const h = await startHarness(t, {
    config: { domains: { 'pbx.test': { mode: 'dual', operator: '0' } }, mailboxes: ownerConfig().mailboxes },
  })
  const call = h.call({
    context: 'tenant-a',
    variables: deposit100,
    actions: [{ when: { onPlayback: /vm-person/, afterMs: 300 }, press: '0' }],
  })
  const transcript = await call.finished
  const connect = transcript.frames.find((f) => f.kind === 'connect')?.raw.toString() ?? ''
  t.match(
    connect,
    /^Caller-Context: tenant-a$/m,
    'FreeSWITCH (the simulator) sends the context as Caller-Context',
  )
  t.notMatch(connect, /variable_context/, 'and no variable_context')

  const [transfer] = call.session.transfers
  t.equal(transfer?.arg, '0 XML tenant-a', 'the operator is reached in tenant-a, not in default')
  for (const name of ours) t.notOk(transfer?.variables.has(name), `${name} is not left on the channel`)
})

void t.test('a value the dialplan had set before the socket is put back, not removed', async (t) => {
  const h = await startHarness(t, {
    config: { domains: { 'pbx.test': { mode: 'dual', operator: '0' } }, mailboxes: ownerConfig().mailboxes },
  })
  const call = h.call({
    context: 'tenant-a',
    variables: { ...deposit100, playback_terminators: '*' },
    actions: [{ when: { onPlayback: /vm-person/, afterMs: 300 }, press: '0' }],
  })
  await call.finished
  t.equal(call.session.transfers[0]?.variables.get('playback_terminators'), '*', 'back to the dialplan value')
})

void t.test("5 calls the sender back in the call's own context, channel restored", async (t) => {
  const h = await startHarness(t, { config: ownerConfig({ callback: { enabled: true } }) })
  await setPin(h, '100')
  await plant(h, '100', { callerIdNumber: '5550100' })
  const call = h.call({
    context: 'tenant-a',
    variables: check('100'),
    entries: [`${PIN}#`],
    actions: [...onEach(MAIN_MENU, ['1', '#']), ...onEach(AFTER_MESSAGE, ['5'])],
  })
  const transcript = await call.finished
  t.ok(
    transcript.executes.some((e) => e.app === 'set' && e.arg.startsWith('timezone=')),
    'the daemon had set the timezone for the envelope',
  )
  const [transfer] = call.session.transfers
  t.equal(transfer?.arg, '5550100 XML tenant-a', 'the caller is called back from tenant-a')
  for (const name of ours) t.notOk(transfer?.variables.has(name), `${name} is not left on the channel`)
})
