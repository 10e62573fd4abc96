import t from 'tap'
import { loadConf } from '../support/fs-conf.js'
import type { XmlElement } from '../support/xml.js'

/** `<params>` of the single `<user>` in a vanilla-style directory file, as a name → value map. */
const userParams = (file: string): { user: XmlElement; params: Map<string, string> } => {
  const root = loadConf(file)
  const users = root.children.filter((c) => c.name === 'user')
  if (users.length !== 1 || users[0] === undefined) throw new Error(`${file}: expected one <user>`)
  const user = users[0]
  const params = new Map<string, string>()
  for (const p of user.children.find((c) => c.name === 'params')?.children ?? []) {
    if (p.name !== 'param') throw new Error(`${file}: <${p.name}> inside <params>`)
    params.set(p.attributes.name ?? '', p.attributes.value ?? '')
  }
  return { user, params }
}

const variable = (user: XmlElement, name: string): string | undefined =>
  user.children.find((c) => c.name === 'variables')?.children.find((v) => v.attributes.name === name)
    ?.attributes.value

void t.test('Alice (100) follows her own box', (t) => {
  const { user, params } = userParams('directory/default/100.xml')
  t.equal(user.attributes.id, '100', 'user id 100')
  t.notOk(params.has('mwi-account'), 'no mwi-account: the lamp is her own box 100')
  t.notOk(params.has('vm-password'), 'no mod_voicemail PIN param')
  t.equal(params.get('password'), '$${default_password}', 'SIP password from vars.xml as in vanilla')
  t.equal(variable(user, 'user_context'), 'default', 'her calls use the default context (5000, 5001, 03…)')
  t.equal(variable(user, 'effective_caller_id_name'), 'Alice', 'named Alice')
  t.end()
})

for (const id of ['101', '102']) {
  void t.test(`${id} follows the general box 800's lamp`, (t) => {
    const { user, params } = userParams(`directory/default/${id}.xml`)
    t.equal(user.attributes.id, id, `user id ${id}`)
    t.equal(params.get('mwi-account'), '800@$${domain}', 'one mwi-account: box 800 in the default domain')
    t.equal(variable(user, 'user_context'), 'default', 'default context')
    t.end()
  })
}
