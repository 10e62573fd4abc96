import t from 'tap'
import { CommandParser, matchesWord } from '../support/freeswitch/command-parser.js'

void t.test('parses like mod_event_socket read_packet', (t) => {
  const p = new CommandParser()
  const cmds = p.push(
    Buffer.from('\n\r\nsendmsg\r\ncall-command: execute\r\nexecute-app-arg: a%20b: c\r\n\r\napi status\n\n'),
  )
  t.equal(cmds.length, 2)
  t.equal(cmds[0]?.line, 'sendmsg', 'leading blank lines skipped, \\r tolerated')
  t.same(
    cmds[0]?.headers,
    [
      ['call-command', 'execute'],
      ['execute-app-arg', 'a%20b: c'],
    ],
    'values raw',
  )
  t.equal(cmds[1]?.line, 'api status')
  t.end()
})

void t.test('Content-Length bodies, split anywhere', (t) => {
  const text =
    'sendmsg\ncall-command: execute\nexecute-app-name: playback\ncontent-type: text/plain\ncontent-length: 7\n\nJürgenexit\n\n'
  const bytes = Buffer.from(text)
  for (let cut = 1; cut < bytes.length; cut++) {
    const p = new CommandParser()
    const cmds = [...p.push(bytes.subarray(0, cut)), ...p.push(bytes.subarray(cut))]
    if (cmds.length !== 2 || cmds[0]?.body?.toString() !== 'Jürgen' || cmds[1]?.line !== 'exit') {
      t.fail(`split at ${cut}`)
      break
    }
  }
  t.pass('every split point')
  t.end()
})

void t.test('newline in a value shows up as a malformed line', (t) => {
  const [c] = new CommandParser().push(
    Buffer.from('sendevent MESSAGE_WAITING\nUpdate-Reason: NEW\nsecond line\n\n'),
  )
  t.same(c?.malformed, ['second line'])
  t.end()
})

void t.test('command words match case-insensitively as prefixes', (t) => {
  t.ok(matchesWord('EXIT', 'exit'))
  t.ok(matchesWord('events plain ALL', 'event'))
  t.ok(matchesWord('myeventsjson', 'myevents'))
  t.notOk(matchesWord('exi', 'exit'))
  t.end()
})

void t.test('oversized Content-Length is refused', (t) => {
  t.throws(() => new CommandParser().push(Buffer.from('sendevent X\nContent-Length: 99999999\n\n')))
  t.end()
})
