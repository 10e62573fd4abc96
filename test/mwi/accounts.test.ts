import t from 'tap'
import {
  accountKey,
  boxAccount,
  lightingBoxes,
  listsAccount,
  parseAccount,
  pushAccounts,
  sipUri,
  sumCounts,
} from '../../lib/mwi/accounts.js'
import type { Mailbox } from '../../lib/store/types.js'

function box(rowId: number, id: string, extra: Partial<Mailbox> = {}): Mailbox {
  return {
    rowId,
    domain: 'pbx.test',
    id,
    kind: 'personal',
    name: '',
    pinTemporary: false,
    email: [],
    attachAudio: true,
    keepAfterEmail: true,
    notifyFull: true,
    mwiAccounts: [],
    activeGreeting: 'unavailable',
    enabled: true,
    fullNotified: false,
    createdAt: 0,
    updatedAt: 0,
    ...extra,
  }
}

void t.test('parseAccount accepts the spellings sofia and operators use', (t) => {
  const want = { user: '1000', domain: 'pbx.test' }
  t.same(parseAccount('sip:1000@pbx.test'), want)
  t.same(parseAccount('1000@pbx.test'), want)
  t.same(parseAccount('SIPS:1000@PBX.test'), want, 'scheme any case, host lower-cased')
  t.same(parseAccount('sip:1000@pbx.test;user=phone'), want, ';params stripped')
  t.same(parseAccount('<sip:1000@pbx.test:5060>'), want, 'brackets and port stripped')
  t.same(parseAccount('  1000@pbx.test  '), want)
  t.same(parseAccount('*97@pbx.test'), { user: '*97', domain: 'pbx.test' }, 'feature codes parse')
  t.same(parseAccount('sip:1000@192.0.2.10'), { user: '1000', domain: '192.0.2.10' })
  t.end()
})

void t.test('parseAccount refuses what is not user@host', (t) => {
  for (const bad of [
    '',
    '1000',
    '@pbx.test',
    'sip:1000@',
    '1000@pbx test',
    '1000@-pbx.test',
    'a b@pbx.test',
  ]) {
    t.equal(parseAccount(bad), undefined, JSON.stringify(bad))
  }
  t.end()
})

void t.test('keys and URIs', (t) => {
  const a = { user: '101', domain: 'pbx.test' }
  t.equal(accountKey(a), '101@pbx.test')
  t.equal(sipUri(a), 'sip:101@pbx.test')
  t.same(boxAccount({ id: '800', domain: 'PBX.Test' }), { user: '800', domain: 'pbx.test' })
  t.end()
})

void t.test('listsAccount compares any spelling of the entry', (t) => {
  const shared = box(8, '800', {
    kind: 'general',
    mwiAccounts: ['sip:101@PBX.test;x=y', '102@pbx.test', 'junk'],
  })
  t.equal(listsAccount(shared, { user: '101', domain: 'pbx.test' }), true)
  t.equal(listsAccount(shared, { user: '102', domain: 'pbx.test' }), true)
  t.equal(listsAccount(shared, { user: '1101', domain: 'pbx.test' }), false, 'no substring match')
  t.equal(listsAccount(shared, { user: '101', domain: 'other.test' }), false)
  t.end()
})

void t.test('pushAccounts: own account first, then extras, each once; junk reported', (t) => {
  const shared = box(8, '800', {
    mwiAccounts: ['101@pbx.test', 'sip:101@pbx.test', '102@pbx.test', 'nope', '800@pbx.test'],
  })
  const { accounts, invalid } = pushAccounts(shared)
  t.same(accounts.map(sipUri), ['sip:800@pbx.test', 'sip:101@pbx.test', 'sip:102@pbx.test'])
  t.same(invalid, ['nope'])
  const withMembers = pushAccounts(shared, [
    { user: '103', domain: 'pbx.test' },
    { user: '101', domain: 'pbx.test' },
  ])
  t.same(withMembers.accounts.map(sipUri), [
    'sip:800@pbx.test',
    'sip:101@pbx.test',
    'sip:102@pbx.test',
    'sip:103@pbx.test',
  ])
  t.end()
})

void t.test('lightingBoxes: own box, listing boxes, unified box; enabled only, each once', (t) => {
  const a101 = { user: '101', domain: 'pbx.test' }
  const own = box(1, '101')
  const shared = box(8, '800', { kind: 'general', mwiAccounts: ['101@pbx.test'] })
  const notListing = box(9, '900', { kind: 'general', mwiAccounts: ['1010@pbx.test'] })
  const disabled = box(7, '700', { kind: 'general', mwiAccounts: ['101@pbx.test'], enabled: false })
  t.same(
    lightingBoxes(a101, { own, listing: [shared, notListing, disabled] }).map((b) => b.id),
    ['101', '800'],
    'a phone of 101 follows its own box and the shared box 800',
  )
  t.same(
    lightingBoxes(a101, { listing: [shared], unified: shared }).map((b) => b.id),
    ['800'],
    'no duplicates',
  )
  t.same(lightingBoxes({ user: '5001', domain: 'pbx.test' }, { listing: [] }), [], 'unknown account: no box')
  t.same(
    lightingBoxes({ user: '5001', domain: 'pbx.test' }, { listing: [], unified: shared }).map((b) => b.id),
    ['800'],
    'unified domain: the feature code follows the unified box',
  )
  t.same(lightingBoxes(a101, { own: box(1, '101', { enabled: false }), listing: [] }), [], 'disabled own box')
  t.end()
})

void t.test('sumCounts adds field by field', (t) => {
  t.same(
    sumCounts([
      { new: 1, saved: 2, newUrgent: 1, savedUrgent: 0 },
      { new: 3, saved: 0, newUrgent: 0, savedUrgent: 0 },
    ]),
    { new: 4, saved: 2, newUrgent: 1, savedUrgent: 0 },
  )
  t.same(sumCounts([]), { new: 0, saved: 0, newUrgent: 0, savedUrgent: 0 })
  t.end()
})
