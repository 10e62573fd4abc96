import t from 'tap'
import { shouldRearm } from '../../lib/quota/rules.js'

void t.test('a full episode ends under 90 % of the quota', (t) => {
  const quota = 1000
  t.equal(shouldRearm({ fullNotified: true }, 900, quota), false, '90 % is not under')
  t.equal(shouldRearm({ fullNotified: true }, 899, quota), true, 'under 90 %: re-arm')
  t.equal(shouldRearm({ fullNotified: false }, 0, quota), false, 'nothing to re-arm')
  t.end()
})
