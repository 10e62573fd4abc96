import t from 'tap'
import { copyFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import type { GreetingKind } from '../../lib/store/types.js'
import { startHarness, type Harness } from '../support/daemon-harness.js'
import { FIXTURE_WAV } from '../support/fixtures.js'

const fixtureWav = FIXTURE_WAV
const config = {
  domains: { 'pbx.test': { mode: 'dual', operator: '0' } },
  mailboxes: [{ id: '100', domain: 'pbx.test', kind: 'personal', name: 'Alice', pin: '4821' }],
}
const deposit100 = { vm_action: 'deposit', vm_mailbox: '100', domain_name: 'pbx.test' }

/** Store a real WAV as a greeting of box 100, as the owner menu or `voicemailctl greeting import` would. */
async function addGreeting(h: Harness, kind: GreetingKind): Promise<string> {
  const box = await h.box('100')
  const path = h.app.deps.files.greetingPath('pbx.test', '100', kind, randomUUID())
  await h.app.deps.files.prepare(path)
  await copyFile(fixtureWav, path)
  const info = await h.app.deps.files.commit(path)
  await h.app.store.greetings.set(box.rowId, kind, {
    file: h.app.deps.files.toStored(path),
    sizeBytes: info.sizeBytes,
    durationMs: info.durationMs,
  })
  return path
}

/** The first playback of the call: the greeting chain plus the instructions. */
async function greetingPlayed(h: Harness, variables: Record<string, string>): Promise<string> {
  const transcript = await h.call({
    variables,
    actions: [{ when: { onPlayback: true, afterMs: 200 }, hangup: true }],
  }).finished
  return transcript.executes.find((e) => e.app === 'playback')?.arg ?? ''
}

void t.test('greeting chain', async (t) => {
  const h = await startHarness(t, { config })

  const standard = await greetingPlayed(h, deposit100)
  t.match(
    standard,
    /vm-person\.wav!digits\/1\.wav!digits\/0\.wav!digits\/0\.wav!voicemail\/vm-not_available\.wav/,
    'no recording: "the person at extension 1 0 0 is not available"',
  )
  t.match(standard, /vm-record_message\.wav$/, 'then the recording instructions')

  const name = await addGreeting(h, 'name')
  t.match(
    await greetingPlayed(h, deposit100),
    `${name}!voicemail/vm-not_available.wav`,
    'recorded name + "is not available"',
  )

  const unavailable = await addGreeting(h, 'unavailable')
  t.match(await greetingPlayed(h, deposit100), unavailable, 'unavailable greeting')

  t.match(
    await greetingPlayed(h, { ...deposit100, vm_greeting: 'busy' }),
    unavailable,
    'busy asked but none recorded: unavailable greeting',
  )
  const busy = await addGreeting(h, 'busy')
  t.match(await greetingPlayed(h, { ...deposit100, vm_greeting: 'busy' }), busy, 'vm_greeting=busy')
  t.match(
    await greetingPlayed(h, { ...deposit100, originate_disposition: 'USER_BUSY' }),
    busy,
    'failed bridge with USER_BUSY',
  )
  t.notMatch(await greetingPlayed(h, deposit100), busy, 'plain call: not the busy greeting')

  const temporary = await addGreeting(h, 'temporary')
  t.match(
    await greetingPlayed(h, { ...deposit100, vm_greeting: 'busy' }),
    temporary,
    'temporary greeting wins over everything',
  )
})

void t.test('keys during the greeting', async (t) => {
  const h = await startHarness(t, { config })

  void t.test('# skips to the beep', async (t) => {
    const transcript = await h.call({
      variables: deposit100,
      actions: [
        { when: { onPlayback: /vm-person/, afterMs: 300 }, press: '#' },
        { when: { onRecord: true, afterMs: 4000 }, hangup: true },
      ],
    }).finished
    const greeting = transcript.executes.findIndex((e) => e.app === 'playback')
    t.equal(
      transcript.executes.slice(greeting).filter((e) => e.app === 'record').length,
      1,
      'went on to record',
    )
    t.equal((await h.messages('100')).length, 1, 'message stored')
  })

  void t.test('* asks for the PIN of this box instead of recording', async (t) => {
    const transcript = await h.call({
      variables: deposit100,
      actions: [{ when: { onPlayback: /vm-person/, afterMs: 300 }, press: '*' }],
      entries: ['', '', ''],
    }).finished
    t.ok(
      transcript.executes.some((e) => e.app === 'play_and_get_digits' && e.arg.includes('vm-enter_pass')),
      'asks for the PIN',
    )
    t.notOk(
      transcript.executes.some((e) => e.app === 'record'),
      'no recording',
    )
  })

  void t.test('0 goes to the operator', async (t) => {
    const transcript = await h.call({
      variables: deposit100,
      actions: [{ when: { onPlayback: /vm-person/, afterMs: 300 }, press: '0' }],
    }).finished
    const transfer = transcript.executes.find((e) => e.app === 'transfer')
    t.match(transfer?.arg, /^0 XML default$/, 'transferred to the operator extension')
    t.notOk(
      transcript.executes.some((e) => e.app === 'record'),
      'no recording',
    )
  })
})

void t.test('0 does nothing when the domain has no operator', async (t) => {
  const h = await startHarness(t, { config: { mailboxes: config.mailboxes } })
  const transcript = await h.call({
    variables: deposit100,
    actions: [
      { when: { onPlayback: /vm-person/, afterMs: 300 }, press: '0' },
      { when: { onRecord: true, afterMs: 4000 }, hangup: true },
    ],
  }).finished
  t.notOk(
    transcript.executes.some((e) => e.app === 'transfer'),
    'no transfer',
  )
  t.equal((await h.messages('100')).length, 1, 'the caller still leaves a message')
})

void t.test('unknown and disabled boxes say so and hang up', async (t) => {
  const h = await startHarness(t, {
    config: {
      mailboxes: [...config.mailboxes, { id: '101', domain: 'pbx.test', kind: 'personal', enabled: false }],
    },
  })
  for (const box of ['999', '101']) {
    const transcript = await h.call({ variables: { ...deposit100, vm_mailbox: box } }).finished
    t.ok(
      transcript.executes.some((e) => e.arg.includes('mailbox-unavailable.wav')),
      `${box}: "not available"`,
    )
    t.notOk(
      transcript.executes.some((e) => e.app === 'record'),
      `${box}: no recording`,
    )
    const hungUp = transcript.commands.some((c) =>
      c.headers.some(([name, value]) => name.toLowerCase() === 'call-command' && value === 'hangup'),
    )
    t.ok(hungUp, `${box}: hung up`)
  }
  t.equal(await h.app.store.mailboxes.find('pbx.test', '999'), undefined, 'no box invented')
})

void t.test('auto-provisioning creates a personal box for an extension FreeSWITCH knows', async (t) => {
  const h = await startHarness(t, { users: ['200@pbx.test'] })
  await h.call({
    variables: { ...deposit100, vm_mailbox: '200' },
    actions: [{ when: { onRecord: true, afterMs: 4000 }, hangup: true }],
  }).finished
  const box = await h.box('200')
  t.equal(box.kind, 'personal', 'personal box created')
  t.equal((await h.messages('200')).length, 1, 'and the message is in it')

  const transcript = await h.call({ variables: { ...deposit100, vm_mailbox: '300' } }).finished
  t.ok(
    transcript.executes.some((e) => e.arg.includes('mailbox-unavailable.wav')),
    'unknown extension: not available',
  )
  t.equal(await h.app.store.mailboxes.find('pbx.test', '300'), undefined, 'no box for an unknown extension')
})

void t.test('auto-provisioning can be turned off per domain', async (t) => {
  const h = await startHarness(t, {
    users: ['200@pbx.test'],
    config: { domains: { 'pbx.test': { autoProvision: false } } },
  })
  await h.call({ variables: { ...deposit100, vm_mailbox: '200' } }).finished
  t.equal(await h.app.store.mailboxes.find('pbx.test', '200'), undefined, 'no box created')
})
