import t from 'tap'
import { safeDecode } from '../../lib/esl/safe-decode.js'

void t.test('decodes what FreeSWITCH encodes', (t) => {
  t.equal(safeDecode('J%C3%BCrgen'), 'Jürgen')
  t.equal(safeDecode('%E6%97%A5%E6%9C%AC'), '日本')
  t.equal(safeDecode('sip%3A1000%40pbx.test'), 'sip:1000@pbx.test')
  t.equal(safeDecode('%2BOK%0A'), '+OK\n')
  t.equal(safeDecode('plain'), 'plain')
  t.end()
})

void t.test('keeps malformed sequences literally and never throws', (t) => {
  t.equal(safeDecode('100%FF'), '100%FF', 'lone invalid byte')
  t.equal(safeDecode('100%'), '100%', 'trailing percent')
  t.equal(safeDecode('%zz%C3%BC'), '%zz\u00fc', 'not hex, then a valid char')
  t.equal(safeDecode('%E0%A4x'), '%E0%A4x', 'truncated 3-byte sequence')
  t.equal(safeDecode('%C3%BC%FF%C3%A9'), 'ü%FFé', 'invalid byte between valid chars')
  t.equal(safeDecode('%F0%9F%98%80%80'), '😀%80', '4-byte char then a stray continuation byte')
  t.end()
})
