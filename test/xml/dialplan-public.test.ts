import t from 'tap'
import { extensionNamed, extensionsOf } from '../support/fs-conf.js'
import { hunt, numberCmp, varsAtSocket, type WallClock } from '../support/dialplan.js'

const extensions = extensionsOf('dialplan/public/00_voicemaild.xml')
// `$${domain}` is replaced by FreeSWITCH's preprocessor when it loads the file; the model sees the literal.
const DEFAULT_DOMAIN = '$${domain}'

const outsideCall = (destination: string): Map<string, string> =>
  new Map([
    ['destination_number', destination],
    ['caller_id_number', '+13125550100'],
  ])

/** Which way the main DID goes at `now`: 'closed' (deposit into 800) or 'open' (the IVR). */
const route = (now: WallClock): 'closed' | 'open' => {
  const r = hunt(extensions, outsideCall('5551000'), now)
  if (r.matched.includes('voicemaild_after_hours')) return 'closed'
  if (r.matched.includes('voicemaild_office_open')) return 'open'
  throw new Error(`no route at ${JSON.stringify(now)}: ${r.matched.join(',')}`)
}

void t.test('numberCmp follows switch_number_cmp', (t) => {
  t.ok(numberCmp('2-6', 2) && numberCmp('2-6', 6), 'ranges are inclusive')
  t.notOk(numberCmp('2-6', 7), 'outside a range')
  t.ok(numberCmp('481-720,781-1020', 781), 'comma lists')
  t.ok(numberCmp('18-8', 3) && !numberCmp('18-8', 12), 'reversed ranges wrap')
  t.end()
})

void t.test('office hours: Monday to Friday 08:00-17:00, closed 12:00-13:00, every minute of a week', (t) => {
  let wrong = 0
  let openMinutes = 0
  for (let wday = 1; wday <= 7; wday++) {
    for (let minuteOfDay = 0; minuteOfDay < 24 * 60; minuteOfDay++) {
      const hour = Math.floor(minuteOfDay / 60)
      const minute = minuteOfDay % 60
      // March 2-8 2026 has no holiday; wday 1 = Sunday as in FreeSWITCH.
      const now = { mon: 3, mday: wday + 1, wday, hour, minute }
      const weekday = wday >= 2 && wday <= 6
      const expected = weekday && ((hour >= 8 && hour < 12) || (hour >= 13 && hour < 17)) ? 'open' : 'closed'
      const got = route(now)
      if (got === 'open') openMinutes++
      if (got !== expected) {
        wrong++
        if (wrong <= 5) t.fail(`wday ${wday} ${hour}:${minute}: ${got}, expected ${expected}`)
      }
    }
  }
  t.equal(wrong, 0, 'every minute of the week routes as the office hours say')
  t.equal(openMinutes, 5 * 8 * 60, 'open 8 hours a day, 5 days')
  t.equal(route({ mon: 3, mday: 4, wday: 4, hour: 7, minute: 59 }), 'closed', 'Wednesday 07:59 closed')
  t.equal(route({ mon: 3, mday: 4, wday: 4, hour: 8, minute: 0 }), 'open', 'Wednesday 08:00 open')
  t.equal(route({ mon: 3, mday: 4, wday: 4, hour: 12, minute: 0 }), 'closed', 'Wednesday 12:00 lunch')
  t.equal(route({ mon: 3, mday: 4, wday: 4, hour: 13, minute: 0 }), 'open', 'Wednesday 13:00 open')
  t.equal(route({ mon: 3, mday: 4, wday: 4, hour: 17, minute: 0 }), 'closed', 'Wednesday 17:00 closed')
  t.end()
})

void t.test('holidays close the office on a weekday', (t) => {
  // 2026-01-01 is a Thursday, 2026-12-25 a Friday.
  t.equal(route({ mon: 1, mday: 1, wday: 5, hour: 10, minute: 0 }), 'closed', "New Year's Day")
  t.equal(route({ mon: 12, mday: 25, wday: 6, hour: 10, minute: 0 }), 'closed', 'Christmas Day')
  t.equal(route({ mon: 1, mday: 2, wday: 6, hour: 10, minute: 0 }), 'open', 'January 2 is a working day')
  t.equal(route({ mon: 12, mday: 24, wday: 5, hour: 10, minute: 0 }), 'open', 'December 24 is a working day')
  t.end()
})

void t.test('closed: the caller leaves a message in the general box', (t) => {
  const now = { mon: 3, mday: 7, wday: 7, hour: 10, minute: 0 }
  const r = hunt(extensions, outsideCall('5551000'), now)
  const vars = varsAtSocket(r.actions, outsideCall('5551000'))
  t.equal(vars.get('vm_action'), 'deposit', 'deposit')
  t.equal(vars.get('vm_mailbox'), '800', 'into box 800')
  t.equal(vars.get('vm_domain'), DEFAULT_DOMAIN, "in the switch's default domain")
  t.equal(vars.get('vm_greeting'), 'unavailable', 'with the unavailable greeting')
  t.same(
    r.actions.slice(-2).map((a) => a.app),
    ['socket', 'hangup'],
    'socket then hangup',
  )
  const open = hunt(extensions, outsideCall('5551000'), { mon: 3, mday: 4, wday: 4, hour: 10, minute: 0 })
  t.same(
    open.actions.map((a) => a.app),
    ['set', 'answer', 'sleep', 'ivr', 'hangup'],
    'open: the IVR, no voicemail',
  )
  t.equal(open.actions[3]?.data, 'voicemaild_main', 'the shipped menu')
  t.equal(open.actions[0]?.data, 'domain_name=$${domain}', 'with the domain a transfer to default needs')
  t.end()
})

void t.test('800 from outside deposits, never logs in', (t) => {
  const r = hunt(extensions, outsideCall('800'))
  t.same(r.matched, ['voicemaild_general_box_deposit'], 'one extension')
  const vars = varsAtSocket(r.actions, outsideCall('800'))
  t.equal(vars.get('vm_action'), 'deposit', 'deposit')
  t.equal(vars.get('vm_mailbox'), '800', 'box 800')
  t.equal(vars.get('vm_domain'), DEFAULT_DOMAIN, 'default domain')
  t.same(r.actions.slice(-2), [
    { app: 'socket', data: '127.0.0.1:8084 async full' },
    { app: 'hangup', data: '' },
  ])
  for (const n of ['8000', '80', '0800', '5001', '5000', '03100']) {
    t.same(hunt(extensions, outsideCall(n)).matched, [], `"${n}" is not routed here from outside`)
  }
  t.end()
})

void t.test('the public context only ever deposits', (t) => {
  for (const ext of extensions) {
    for (const cond of ext.children) {
      for (const a of cond.children) {
        const data = a.attributes.data ?? ''
        if (data.startsWith('vm_action='))
          t.equal(data, 'vm_action=deposit', `${ext.attributes.name}: ${data}`)
      }
    }
  }
  t.end()
})

void t.test('queue timeouts go to the general box', (t) => {
  const cc = hunt(extensions, outsideCall('7800'))
  t.same(cc.matched, ['voicemaild_queue_callcenter'], 'callcenter queue')
  const apps = cc.actions.map((a) => a.app)
  t.ok(apps.indexOf('callcenter') >= 0 && apps.indexOf('callcenter') < apps.indexOf('socket'), 'queue first')
  t.ok(
    cc.actions.slice(0, apps.indexOf('callcenter')).some((a) => a.data === 'hangup_after_bridge=true'),
    'an answered queue call ends with the agent, never reaching voicemail',
  )
  const vars = varsAtSocket(cc.actions, outsideCall('7800'))
  t.equal(vars.get('vm_action'), 'deposit', 'then deposit')
  t.equal(vars.get('vm_mailbox'), '800', 'into 800')
  t.same(
    cc.actions.slice(-2).map((a) => a.app),
    ['socket', 'hangup'],
    'socket then hangup',
  )

  const fifo = hunt(extensions, outsideCall('7801'))
  const fifoVars = varsAtSocket([...fifo.actions, { app: 'socket', data: '' }], outsideCall('7801'))
  const orbit = fifoVars.get('fifo_orbit_exten') ?? ''
  t.match(orbit, /^\d+:\d+$/, 'fifo orbit is EXTENSION:SECONDS')
  const [target] = orbit.split(':')
  t.equal(fifoVars.get('fifo_orbit_context'), 'public', 'orbits into this context')
  const landing = hunt(extensions, outsideCall(target ?? ''))
  t.equal(
    varsAtSocket(landing.actions, outsideCall(target ?? '')).get('vm_action'),
    'deposit',
    'where the orbit extension deposits',
  )
  t.ok(
    fifo.actions.findIndex((a) => a.app === 'fifo') >
      fifo.actions.findIndex((a) => a.data.startsWith('fifo_orbit_exten')),
    'the orbit is set before entering the fifo',
  )
  t.end()
})

void t.test('extensions that are not ours are not touched', (t) => {
  t.same(hunt(extensions, outsideCall('5551212')).matched, [], "vanilla's example DID falls through")
  t.same(hunt(extensions, outsideCall('1000')).matched, [], "vanilla's public_extensions are left alone")
  t.end()
})

void t.test('a transfer target used by the shipped files exists', (t) => {
  t.ok(extensionNamed(extensions, 'voicemaild_general_box_deposit'), 'box 800 deposit extension present')
  t.end()
})

void t.test('the ring-group queue (core modules only) falls back to 800 with the busy greeting', (t) => {
  const group = hunt(extensions, outsideCall('7802'))
  t.same(group.matched, ['voicemaild_queue_ring_group'], 'ring-group queue')
  const apps = group.actions.map((a) => a.app)
  const bridge = apps.indexOf('bridge')
  t.ok(bridge >= 0 && bridge < apps.indexOf('socket'), 'the desks ring first')
  const before = group.actions.slice(0, bridge).map((a) => a.data)
  t.ok(
    before.some((d) => /^call_timeout=\d+$/.test(d)),
    'for a limited time',
  )
  t.ok(before.includes('continue_on_fail=true'), 'an unanswered ring goes on to the deposit')
  t.ok(before.includes('hangup_after_bridge=true'), 'an answered call never reaches voicemail')
  const vars = varsAtSocket(group.actions, outsideCall('7802'))
  t.equal(vars.get('vm_action'), 'deposit', 'then deposit')
  t.equal(vars.get('vm_mailbox'), '800', 'into 800')
  t.equal(vars.get('vm_greeting'), 'busy', 'with the busy greeting')
  t.end()
})
