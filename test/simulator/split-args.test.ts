import t from 'tap'
import { splitArgs } from '../support/freeswitch/apps.js'

void t.test("arguments split as FreeSWITCH's switch_separate_string does", (t) => {
  t.same(splitArgs('1 10 1 5000 # a.wav silence_stream://250 vm_pin \\d+ 5000'), [
    '1',
    '10',
    '1',
    '5000',
    '#',
    'a.wav',
    'silence_stream://250',
    'vm_pin',
    '\\d+',
    '5000',
  ])
  t.same(splitArgs("a '' '' b"), ['a', '', '', 'b'], "'' is an empty argument")
  t.same(splitArgs("say 'hello world'  x"), ['say', 'hello world', 'x'], 'quotes group words')
  t.same(splitArgs('"a b"'), ['"a', 'b"'], 'double quotes are ordinary characters')
  t.same(splitArgs("it\\'s \\\\ \\s"), ["it's", '\\', ' '], 'escapes FreeSWITCH undoes')
  t.end()
})
