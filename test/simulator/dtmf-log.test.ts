import t from 'tap'
import { digitsDialed } from '../support/freeswitch/call-session.js'

void t.test('the simulator builds digits_dialed as FreeSWITCH does', (t) => {
  t.equal(digitsDialed('', undefined), 'none')
  t.equal(digitsDialed('*4821##', undefined), '*4821##')
  t.equal(digitsDialed('*4821##', '.+'), 'XXXXXXX', '`.+` masks everything')
  t.equal(digitsDialed('*4821##', '(\\d{4})'), '*XXXX##', 'a captured group is masked')
  t.end()
})
