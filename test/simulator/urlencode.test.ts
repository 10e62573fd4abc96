import t from 'tap'
import { fsUrlDecode, fsUrlEncode } from '../support/freeswitch/urlencode.js'

void t.test('switch_url_encode, as FreeSWITCH does it', (t) => {
  t.equal(fsUrlEncode('Jürgen'), 'J%C3%BCrgen', 'UTF-8 byte-wise, uppercase hex')
  t.equal(fsUrlEncode('日本'), '%E6%97%A5%E6%9C%AC')
  t.equal(fsUrlEncode(''), '_undef_', 'empty value')
  t.equal(fsUrlEncode('%41'), '%41', '%XX with uppercase hex passes through')
  t.equal(fsUrlEncode('100%FF'), '100%FF', '%FF passes through too (the modesl URIError trap)')
  t.equal(fsUrlEncode('%4a'), '%254a', 'lowercase hex is not a passthrough')
  t.equal(fsUrlEncode('50%'), '50%25', 'a trailing % is escaped')
  t.equal(fsUrlEncode('+OK\n'), '%2BOK%0A', 'Reply-Text of the connect reply')
  t.equal(fsUrlEncode('a b#c@d:e'), 'a%20b%23c%40d%3Ae')
  t.equal(fsUrlEncode("*/,!'"), "*/,!'", 'stay literal')
  t.equal(
    fsUrlEncode('\r\n #%&+:;<=>?@[\\]^`{|}"'),
    '%0D%0A%20%23%25%26%2B%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E%60%7B%7C%7D%22',
  )
  t.equal(fsUrlEncode('\x7f\x01'), '%7F%01', 'control bytes and DEL')
  t.equal(
    fsUrlEncode('tone_stream://%(500,500,480);loops=10'),
    'tone_stream%3A//%25(500,500,480)%3Bloops%3D10',
  )
  t.end()
})

void t.test('rawPercent sends malformed % sequences unescaped', (t) => {
  t.equal(fsUrlEncode('50%zz', { rawPercent: true }), '50%zz')
  t.equal(fsUrlEncode('50%', { rawPercent: true }), '50%')
  t.equal(fsUrlEncode('a b%', { rawPercent: true }), 'a%20b%')
  t.end()
})

void t.test('decode is the inverse and never throws', (t) => {
  for (const s of ['Jürgen', '日本 "x"', 'a\r\nb', '100%', 'sip:1000@pbx.test'])
    t.equal(fsUrlDecode(fsUrlEncode(s)), s)
  t.equal(fsUrlDecode('100%FF'), Buffer.from([0x31, 0x30, 0x30, 0xff]).toString('utf8'))
  t.equal(fsUrlDecode('%zz'), '%zz')
  t.end()
})
