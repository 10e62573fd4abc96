import t from 'tap'
import { verifyPin } from '../../lib/store/pin.js'
import { startHarness } from '../support/daemon-harness.js'
import { login, MAIN_MENU, ownerConfig, setPin } from './owner-fixture.js'

// Long PINs: a 4-digit one could turn up by chance inside a timestamp or a uuid of some event.
const WRONG = '61804273'
const TEMPORARY = '73915824'
const CHOSEN = '58291637'

void t.test('a PIN never stays on the channel: no event and no variable holds one', async (t) => {
  const h = await startHarness(t, {
    config: ownerConfig({ mailboxes: [{ id: '4826', domain: 'pbx.test', kind: 'general', name: 'Desk' }] }),
  })
  await setPin(h, '4826', TEMPORARY, true)
  const call = h.call({
    variables: login('4826'),
    entries: [`${WRONG}#`, `${TEMPORARY}#`, `${CHOSEN}#`, `${CHOSEN}#`],
    records: [{ speakMs: 2000, then: { press: '#' } }],
    actions: [
      { when: { onPlayback: /vm-listen_to_recording/ }, press: '2' },
      { when: { onPlayback: MAIN_MENU }, press: '#' },
    ],
  })
  const transcript = await call.finished

  t.ok(await verifyPin(CHOSEN, (await h.box('4826')).pinHash ?? ''), 'a failed PIN, a login and a PIN change')
  const sent = Buffer.concat(transcript.frames.map((f) => f.raw)).toString('utf8')
  for (const pin of [WRONG, TEMPORARY, CHOSEN]) {
    t.notOk(sent.includes(pin), `no event the daemon received carries ${pin}`)
    t.notOk(
      [...call.channel.vars.values()].some((v) => v.includes(pin)),
      `no channel variable holds ${pin} at the end of the call`,
    )
  }
  t.ok(
    transcript.executes
      .filter((e) => e.app === 'play_and_get_digits')
      .every((e) => e.arg.includes(" '' '' ")),
    'every PIN entry asks FreeSWITCH to store it nowhere',
  )
})
