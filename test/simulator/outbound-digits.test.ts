import t from 'tap'
import { get, handshake } from '../support/freeswitch/fake-daemon.js'
import { eventNames, startCall } from '../support/freeswitch/test-harness.js'

const PAGD = (tries = 1, invalid = 'silence_stream://250') =>
  `4 4 ${tries} 3000 # silence_stream://1000 ${invalid} vm_pin \\d+`

void t.test('play_and_get_digits: digits interrupt the prompt, # terminates, not collected', async (t) => {
  const { c } = await startCall(t, { entries: ['12#'] })
  await handshake(c)
  const done = await c.run(
    'play_and_get_digits',
    '1 4 1 3000 # silence_stream://1000 silence_stream://250 pin \\d+',
    'p1',
  )
  t.equal(get(done.event, 'variable_pin'), '12')
  t.equal(get(done.event, 'variable_read_result'), 'success')
  t.equal(get(done.event, 'variable_read_terminator_used'), '#')
  t.equal(get(done.event, 'variable_playback_ms'), '300', 'prompt cut by the first digit')
  t.equal(get(done.event, 'Application-Response'), '_none_')
  t.equal(eventNames(c).filter((n) => n === 'DTMF').length, 3, 'a DTMF event per digit, terminator included')
  // Next PAGD with no terminator: read_terminator_used stays stale.
  const again = await c.run(
    'play_and_get_digits',
    '1 1 1 1000 # silence_stream://100 silence_stream://250 x \\d+',
    'p2',
  )
  t.equal(get(again.event, 'variable_read_result'), 'timeout')
  t.equal(get(again.event, 'variable_x'), undefined, 'nothing entered: variable absent')
  t.equal(get(again.event, 'variable_read_terminator_used'), '#', 'stale from the previous call')
})

void t.test('play_and_get_digits: too short after all tries → failure, variable still set', async (t) => {
  const { c } = await startCall(t, { entries: ['12#', '3#'] })
  await handshake(c)
  const done = await c.run('play_and_get_digits', PAGD(2), 'p1')
  t.equal(get(done.event, 'variable_read_result'), 'failure')
  t.equal(get(done.event, 'variable_vm_pin'), '3', 'the last try’s input')
  const starts = c.frames
    .filter((f) => f.eventName === 'PLAYBACK_START')
    .map((f) => get(f.event, 'Playback-File-Path'))
  t.same(starts, [
    'silence_stream://1000',
    'silence_stream://250',
    'silence_stream://1000',
    'silence_stream://250',
  ])
})

void t.test('play_and_get_digits: regex mismatch clears the variable and sets <var>_invalid', async (t) => {
  const { c } = await startCall(t, { entries: ['1234'] })
  await handshake(c)
  const done = await c.run(
    'play_and_get_digits',
    '4 4 1 3000 # silence_stream://1000 silence_stream://250 pin ^9\\d+',
    'p1',
  )
  t.equal(get(done.event, 'variable_pin'), undefined)
  t.equal(get(done.event, 'variable_pin_invalid'), '1234')
  t.equal(get(done.event, 'variable_read_result'), 'success')
})

void t.test('sleep: a digit ends it early and stays queued for the next app', async (t) => {
  const { c } = await startCall(t, { actions: [{ when: { onApp: 'sleep', afterMs: 500 }, press: '5' }] })
  await handshake(c)
  // Queue the read behind the sleep so the digit is still there when it starts (no park in between).
  await c.execute('sleep', '10000', 's1')
  await c.execute('read', '1 1 silence_stream://5000 d 3000 #', 'r1')
  // Searched from the start: on a loaded machine the sleep can end before the read's reply arrives, and waiting
  // for that reply has moved the cursor past it.
  const sleepDone = await c.waitFor(
    (f) => f.eventName === 'CHANNEL_EXECUTE_COMPLETE' && get(f.event, 'Application-UUID') === 's1',
  )
  t.notOk(
    c.frames.slice(0, c.frames.indexOf(sleepDone)).some((f) => f.eventName === 'DTMF'),
    'no DTMF during sleep',
  )
  const read = await c.completion('r1')
  t.equal(get(read.event, 'variable_d'), '5', 'the read got the digit')
  t.equal(get(read.event, 'variable_playback_ms'), '0', 'its prompt was interrupted at once')
})

void t.test('a digit typed while parked between apps is lost, its DTMF event still fires', async (t) => {
  const { c, call } = await startCall(t)
  await handshake(c)
  await c.run('answer', '', 'a1')
  call.press('7')
  const dtmf = await c.event('DTMF')
  t.equal(get(dtmf.event, 'DTMF-Digit'), '7')
  t.equal(get(dtmf.event, 'DTMF-Source'), 'APP')
  t.match(dtmf.body.toString(), /DTMF-Digit: 7\nDTMF-Duration: 2000\nDTMF-Source: APP\n\n$/)
  t.notOk(dtmf.body.toString().includes('variable_'), 'DTMF carries no variables')
  const read = await c.run('read', '1 1 silence_stream://200 d 1000 #', 'r1')
  t.equal(get(read.event, 'variable_read_result'), 'timeout')
  t.equal(get(read.event, 'variable_d'), undefined)
})

void t.test('playback terminators: default *, none, any; non-terminators are dropped', async (t) => {
  const { c } = await startCall(
    t,
    {
      actions: [
        { when: { onPlayback: true, nth: 1, afterMs: 100 }, press: '1*' },
        { when: { onPlayback: true, nth: 2, afterMs: 100 }, press: '*' },
        { when: { onPlayback: true, nth: 3, afterMs: 100 }, press: '#' },
      ],
      interDigitMs: 100,
    },
    { defaultPromptMs: 1000 },
  )
  await handshake(c)
  const a = await c.run('playback', 'voicemail/vm-hello.wav', 'p1')
  t.equal(get(a.event, 'variable_playback_terminator_used'), '*')
  t.equal(get(a.event, 'variable_playback_ms'), '200', '1 dropped, * stops')
  await c.run('set', 'playback_terminators=none', 's1')
  const b = await c.run('playback', 'voicemail/vm-hello.wav', 'p2')
  t.equal(get(b.event, 'variable_playback_terminator_used'), undefined, 'absent, not empty')
  t.equal(get(b.event, 'variable_playback_ms'), '1000')
  await c.run('set', 'playback_terminators=any', 's2')
  const d = await c.run('playback', 'voicemail/vm-hello.wav', 'p3')
  t.equal(get(d.event, 'variable_playback_terminator_used'), '#')
  const stops = c.frames
    .filter((f) => f.eventName === 'PLAYBACK_STOP')
    .map((f) => get(f.event, 'Playback-Status'))
  t.same(stops, ['break', 'done', 'break'])
})
