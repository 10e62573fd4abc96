import t from 'tap'
import { extensionsOf, loadConf } from '../support/fs-conf.js'
import { hunt } from '../support/dialplan.js'
import { findAll } from '../support/xml.js'

const params = (file: string): Map<string, string> =>
  new Map(findAll(loadConf(file), 'param').map((p) => [p.attributes.name ?? '', p.attributes.value ?? '']))

void t.test('event_socket.conf.xml matches what the daemon connects to', (t) => {
  const root = loadConf('autoload_configs/event_socket.conf.xml')
  t.equal(root.attributes.name, 'event_socket.conf', 'configures mod_event_socket')
  const p = params('autoload_configs/event_socket.conf.xml')
  t.equal(p.get('listen-ip'), '127.0.0.1', 'loopback only')
  t.equal(p.get('listen-port'), '8021', "the default port of the daemon's freeswitch: entry")
  t.equal(p.get('password'), 'ClueCon', "the default password of the daemon's freeswitch: entry")
  t.equal(p.get('apply-inbound-acl'), 'loopback.auto', 'and an ACL that admits loopback only')
  t.end()
})

void t.test('modules.conf snippet leaves mod_voicemail out', (t) => {
  const root = loadConf('autoload_configs/modules.conf.xml.noload')
  const loaded = findAll(root, 'load').map((l) => l.attributes.module)
  t.ok(loaded.includes('mod_event_socket'), 'mod_event_socket stays loaded')
  t.notOk(loaded.includes('mod_voicemail'), 'mod_voicemail is not loaded')
  t.end()
})

void t.test('the IVR option leads to a deposit into 800', (t) => {
  const root = loadConf('ivr_menus/voicemaild_main.xml')
  const menu = findAll(root, 'menu').find((m) => m.attributes.name === 'voicemaild_main')
  t.ok(menu, 'menu voicemaild_main exists (the public dialplan runs it)')
  const entries = findAll(root, 'entry')
  const nine = entries.find((e) => e.attributes.digits === '9')
  t.equal(nine?.attributes.action, 'menu-exec-app', 'option 9 runs an application')
  const [app, dest, dialplan, context] = (nine?.attributes.param ?? '').split(' ')
  t.same([app, dialplan, context], ['transfer', 'XML', 'public'], 'a transfer into the public context')
  const publicExt = extensionsOf('dialplan/public/00_voicemaild.xml')
  const r = hunt(publicExt, new Map([['destination_number', dest ?? '']]))
  t.ok(
    r.actions.some((a) => a.data === 'vm_action=deposit') &&
      r.actions.some((a) => a.data === 'vm_mailbox=800'),
    'where it deposits into box 800',
  )
  for (const e of entries.filter((x) => x.attributes.action === 'menu-exec-app')) {
    const [, d, , ctx] = (e.attributes.param ?? '').split(' ')
    const ext = extensionsOf(`dialplan/${ctx ?? ''}/00_voicemaild.xml`)
    t.ok(
      hunt(ext, new Map([['destination_number', d ?? '']])).matched.length > 0,
      `option ${e.attributes.digits} lands on a shipped extension`,
    )
  }
  t.end()
})
