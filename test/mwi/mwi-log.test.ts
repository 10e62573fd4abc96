import t from 'tap'
import { createLogger } from '../../lib/log.js'
import { MwiService } from '../../lib/mwi/mwi-service.js'
import { addBox, addMessages, mwiStore, RecordingLink } from './fixture.js'

void t.test('each lamp update logs one info line: box, counts, reason, accounts, ms', async (t) => {
  const store = await mwiStore(t)
  const sales = await addBox(store, '800', { kind: 'general', mwiAccounts: ['101@pbx.test', '102@pbx.test'] })
  await addMessages(store, sales, 1)
  await addMessages(store, sales, 1, { urgent: true })
  await addMessages(store, sales, 1, { saved: true })
  const lines: Array<Record<string, unknown>> = []
  const log = createLogger('info', {
    write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>),
  })
  let tick = 0
  const mwi = new MwiService({
    link: new RecordingLink(),
    store,
    log: log.child({ component: 'mwi' }),
    monotonicNow: () => (tick += 2.5),
  })

  await mwi.refresh(sales, 'NEW')
  await mwi.refresh(sales, 'READ')
  const updates = lines.filter((l) => l.msg === 'mwi updated')
  t.equal(updates.length, 2, 'one line per update')
  t.match(updates[0], {
    level: 30,
    component: 'mwi',
    mailbox: '800',
    domain: 'pbx.test',
    reason: 'NEW',
    new: 2,
    saved: 1,
    newUrgent: 1,
    savedUrgent: 0,
    accounts: 3,
    events: 3,
    ms: Number,
  })
  t.match(updates[1], { reason: 'READ' })
})
