import t from 'tap'
import {
  checkPin,
  generateTemporaryPin,
  hashPin,
  pinProblemText,
  verifyPin,
  type PinProblem,
} from '../../lib/store/pin.js'
import { fastScrypt } from './fixture.js'

void t.test('hash and verify', async (t) => {
  const hash = await hashPin('4821')
  t.match(hash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'encoded scrypt$N$r$p$salt$hash')
  t.notMatch(hash, /4821/, 'the PIN is not in the hash')
  t.equal(await verifyPin('4821', hash), true, 'right PIN')
  t.equal(await verifyPin('4822', hash), false, 'wrong PIN')
  t.equal(await verifyPin('', hash), false, 'empty PIN')
  t.not(await hashPin('4821'), hash, 'random salt: same PIN, different hash')
  const fast = await hashPin('97531', fastScrypt)
  t.match(fast, /^scrypt\$1024\$8\$1\$/, 'parameters travel in the hash')
  t.equal(await verifyPin('97531', fast), true, 'verify reads the parameters from the hash')
})

void t.test('malformed hashes verify false, never throw', async (t) => {
  const good = await hashPin('4821', fastScrypt)
  const parts = good.split('$')
  for (const bad of [
    '',
    'plain',
    'bcrypt$1$2$3$4$5',
    'scrypt$abc$8$1$c2FsdA==$aGFzaA==',
    'scrypt$1024$8$1$$aGFzaA==',
    'scrypt$1024$8$1$c2FsdA==$',
    'scrypt$1000$8$1$c2FsdA==$aGFzaA==', // N not a power of two: scrypt itself refuses
    [...parts.slice(0, 5), Buffer.from('short').toString('base64')].join('$'),
  ]) {
    t.equal(await verifyPin('4821', bad), false, `refused: ${JSON.stringify(bad.slice(0, 40))}`)
  }
})

void t.test('policy refuses every weak PIN with its reason', (t) => {
  const cases: [string, PinProblem, string?][] = [
    ['48a1', 'not-digits'],
    ['4821 ', 'not-digits'],
    ['４８２１', 'not-digits'],
    ['-482', 'not-digits'],
    ['', 'too-short'],
    ['482', 'too-short'],
    ['48213579246', 'too-long'],
    ['1234', 'common'],
    ['123456', 'common'],
    ['2580', 'common'],
    ['0000', 'repeated'],
    ['7777777', 'repeated'],
    ['2345', 'sequence'],
    ['0123', 'sequence'],
    ['456789', 'sequence'],
    ['9876', 'sequence'],
    ['3210', 'sequence'],
    ['9876543210', 'sequence'],
    ['4821', 'mailbox-number', '4821'],
    ['100100', 'mailbox-number', '100100'],
  ]
  for (const [pin, problem, box] of cases) {
    const result = checkPin(pin, box)
    t.same(
      result,
      { ok: false, problem, message: pinProblemText[problem] },
      `${JSON.stringify(pin)} → ${problem}`,
    )
  }
  t.end()
})

void t.test('policy accepts good PINs, and wrapping runs are not runs', (t) => {
  for (const pin of ['4821', '8901', '7890', '1357', '2468', '97531', '1029384756', '0012', '1235']) {
    t.same(checkPin(pin, '100'), { ok: true }, `${pin} accepted`)
  }
  t.same(checkPin('100', '100'), { ok: false, problem: 'too-short', message: pinProblemText['too-short'] })
  for (const problem of Object.keys(pinProblemText) as PinProblem[]) {
    t.match(pinProblemText[problem], /^[A-Z].*\.$/, `${problem} has an English sentence`)
  }
  t.end()
})

void t.test('temporary PINs always pass the policy', (t) => {
  t.equal(generateTemporaryPin().length, 6, 'default length 6')
  for (let i = 0; i < 2000; i++) {
    const length = 4 + (i % 7)
    const pin = generateTemporaryPin(length, '4821')
    if (pin.length !== length || !checkPin(pin, '4821').ok) {
      t.fail(`generated ${pin}`)
      break
    }
  }
  t.pass('2000 generated PINs of 4–10 digits all pass')
  t.throws(() => generateTemporaryPin(3), RangeError)
  t.throws(() => generateTemporaryPin(11), RangeError)
  t.throws(() => generateTemporaryPin(4.5), RangeError)
  t.end()
})
