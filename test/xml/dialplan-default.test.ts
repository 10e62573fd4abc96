import t, { type Test } from 'tap'
import { extensionNamed, extensionsOf } from '../support/fs-conf.js'
import { hunt, varsAtSocket, type Action } from '../support/dialplan.js'

const FILE = 'dialplan/default/00_voicemaild.xml'
const extensions = extensionsOf(FILE)
const DOMAIN = 'pbx.example.com'

/** A registered phone's call into the default context, as sofia sets it up after digest auth. */
const callFrom = (user: string | undefined, destination: string): Map<string, string> => {
  const vars = new Map([
    ['destination_number', destination],
    ['domain_name', DOMAIN],
    ['caller_id_number', user ?? '5551234'],
  ])
  if (user !== undefined) vars.set('user_name', user)
  return vars
}

/** The socket action and the hangup that must follow it, at the end of the action list. */
const assertEndsInSocket = (t: Test, actions: readonly Action[]): void => {
  t.same(
    actions.slice(-2),
    [
      { app: 'socket', data: '127.0.0.1:8084 async full' },
      { app: 'hangup', data: '' },
    ],
    'ends in socket to the daemon, then hangup',
  )
}

void t.test('every extension hands over to the daemon the same way', (t) => {
  for (const ext of extensions) {
    const lists = ext.children.flatMap((c) => [
      c.children.filter((a) => a.name === 'action'),
      c.children.filter((a) => a.name === 'anti-action'),
    ])
    const withSocket = lists.filter((l) => l.some((a) => a.attributes.application === 'socket'))
    t.ok(withSocket.length > 0, `${ext.attributes.name} reaches the socket`)
    for (const list of withSocket) {
      const apps = list.map((a) => a.attributes.application)
      const i = apps.indexOf('socket')
      t.equal(list[i]?.attributes.data, '127.0.0.1:8084 async full', `${ext.attributes.name}: socket address`)
      t.equal(apps[i + 1], 'hangup', `${ext.attributes.name}: hangup follows socket`)
      t.ok(
        list.slice(0, i).some((a) => a.attributes.data?.startsWith('vm_domain=${domain_name}')),
        `${ext.attributes.name}: vm_domain is the caller's domain`,
      )
    }
  }
  t.end()
})

void t.test("5001 checks the caller's own box", (t) => {
  const ext = extensionNamed(extensions, 'voicemaild_check')
  const r = hunt([ext], callFrom('100', '5001'))
  t.same(r.matched, ['voicemaild_check'], 'matches 5001')
  assertEndsInSocket(t, r.actions)
  const vars = varsAtSocket(r.actions, callFrom('100', '5001'))
  t.equal(vars.get('vm_action'), 'check', 'action check')
  t.equal(vars.get('vm_mailbox'), '100', 'the box is the authenticated user, not a caller-id')
  t.equal(vars.get('vm_domain'), DOMAIN, 'in the registration domain')

  const anonymous = callFrom(undefined, '5001')
  const r2 = hunt([ext], anonymous)
  const v2 = varsAtSocket(r2.actions, anonymous)
  t.equal(v2.get('vm_action'), 'menu', 'a caller that is no directory user is asked for a box number')
  t.notOk(v2.has('vm_mailbox'), 'and no box is guessed from its caller-id')
  assertEndsInSocket(t, r2.actions)

  const named = callFrom('brian', '5001')
  t.equal(
    varsAtSocket(hunt([ext], named).actions, named).get('vm_action'),
    'menu',
    'non-numeric users get the menu',
  )

  for (const n of ['500', '50011', '05001', '5000', '5001#', '']) {
    t.same(hunt([ext], callFrom('100', n)).matched, [], `does not match "${n}"`)
  }
  t.end()
})

void t.test('5000 asks for a box number', (t) => {
  const ext = extensionNamed(extensions, 'voicemaild_menu')
  const r = hunt([ext], callFrom('100', '5000'))
  const vars = varsAtSocket(r.actions, callFrom('100', '5000'))
  t.equal(vars.get('vm_action'), 'menu', 'action menu')
  t.notOk(vars.has('vm_mailbox'), 'no box preset')
  assertEndsInSocket(t, r.actions)
  for (const n of ['500', '50000', '5001', '15000']) {
    t.same(hunt([ext], callFrom('100', n)).matched, [], `does not match "${n}"`)
  }
  t.end()
})

void t.test('03 + extension deposits without ringing', (t) => {
  const ext = extensionNamed(extensions, 'voicemaild_direct_deposit')
  const cases: Array<[string, string]> = [
    ['03100', '100'],
    ['0310', '10'],
    ['030123456789', '0123456789'],
  ]
  for (const [dialled, box] of cases) {
    const r = hunt([ext], callFrom('101', dialled))
    t.notOk(
      r.actions.some((a) => a.app === 'bridge'),
      `${dialled}: never rings the phone`,
    )
    const vars = varsAtSocket(r.actions, callFrom('101', dialled))
    t.equal(vars.get('vm_action'), 'deposit', `${dialled}: deposit`)
    t.equal(vars.get('vm_mailbox'), box, `${dialled}: into box ${box}`)
    assertEndsInSocket(t, r.actions)
  }
  for (const n of ['031', '03', '0310000000000', '04100', '003100', '03100a', '3100']) {
    t.same(hunt([ext], callFrom('101', n)).matched, [], `does not match "${n}"`)
  }
  t.end()
})

void t.test('800 from an internal phone logs in to the general box', (t) => {
  const ext = extensionNamed(extensions, 'voicemaild_general_box_login')
  const r = hunt([ext], callFrom('101', '800'))
  const vars = varsAtSocket(r.actions, callFrom('101', '800'))
  t.equal(vars.get('vm_action'), 'login', 'action login')
  t.equal(vars.get('vm_mailbox'), '800', 'box 800')
  assertEndsInSocket(t, r.actions)
  for (const n of ['80', '8000', '0800', '801']) {
    t.same(hunt([ext], callFrom('101', n)).matched, [], `does not match "${n}"`)
  }
  t.end()
})

void t.test('an unanswered extension goes to its box', (t) => {
  const ext = extensionNamed(extensions, 'voicemaild_local_extension')
  const r = hunt([ext], callFrom('101', '100'))
  const apps = r.actions.map((a) => a.app)
  const bridge = r.actions.find((a) => a.app === 'bridge')
  t.equal(bridge?.data, 'user/${dialed_extension}@${domain_name}', "rings the user in the caller's domain")
  const setsBefore = r.actions.slice(0, apps.indexOf('bridge')).map((a) => a.data)
  for (const s of [
    'call_timeout=20',
    'continue_on_fail=true',
    'hangup_after_bridge=true',
    'dialed_extension=100',
  ]) {
    t.ok(setsBefore.includes(s), `sets ${s} before the bridge`)
  }
  t.ok(apps.indexOf('socket') > apps.indexOf('bridge'), 'the socket comes after the bridge')
  assertEndsInSocket(t, r.actions)

  const busy = varsAtSocket(
    r.actions,
    callFrom('101', '100'),
    new Map([['originate_disposition', 'USER_BUSY']]),
  )
  t.equal(busy.get('vm_action'), 'deposit', 'deposit')
  t.equal(busy.get('vm_mailbox'), '100', 'into the dialled box')
  t.equal(busy.get('vm_greeting'), 'busy', 'busy greeting when the phone said busy')
  t.equal(busy.get('originate_disposition'), 'USER_BUSY', 'the bridge result reaches the daemon too')
  for (const cause of ['NO_ANSWER', 'USER_NOT_REGISTERED', 'ALLOTTED_TIMEOUT', '']) {
    const v = varsAtSocket(r.actions, callFrom('101', '100'), new Map([['originate_disposition', cause]]))
    t.equal(v.get('vm_greeting'), 'unavailable', `unavailable greeting after "${cause}"`)
  }
  for (const n of ['10', '1000', '200', '0100']) {
    t.same(hunt([ext], callFrom('101', n)).matched, [], `does not match "${n}"`)
  }
  t.end()
})

void t.test('the feature codes do not shadow each other', (t) => {
  const expected: Record<string, string> = {
    '5001': 'voicemaild_check',
    '5000': 'voicemaild_menu',
    '03100': 'voicemaild_direct_deposit',
    '800': 'voicemaild_general_box_login',
    '102': 'voicemaild_local_extension',
  }
  for (const [n, name] of Object.entries(expected)) {
    t.same(hunt(extensions, callFrom('100', n)).matched, [name], `${n} reaches ${name} only`)
  }
  t.same(
    hunt(extensions, callFrom('100', '9196')).matched,
    [],
    'other numbers fall through to the rest of the dialplan',
  )
  t.end()
})
