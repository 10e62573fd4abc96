import t from 'tap'
import { readFile } from 'node:fs/promises'
import { FreeswitchSimulator } from '../support/freeswitch/index.js'
import { connectInbound, get } from '../support/freeswitch/fake-daemon.js'

// The replies FreeSWITCH 1.11 gave on the same commands (test/fixtures/freeswitch/README.md).
const directory = await readFile(
  new URL('../fixtures/freeswitch/xml-locate-directory-vanilla.xml', import.meta.url),
  'utf8',
)

void t.test('global_getvar and xml_locate answer as FreeSWITCH 1.11 did', async (t) => {
  const sim = new FreeswitchSimulator()
  t.teardown(() => sim.close())
  const fs = await sim.listen({ xml: { directory } })
  const c = await connectInbound(fs.host, fs.port)
  t.teardown(() => c.socket.destroy())
  await c.next()
  c.send('auth ClueCon')
  t.equal(get((await c.reply()).headers, 'Reply-Text'), '+OK accepted')
  const api = async (command: string): Promise<string> => {
    c.send(`api ${command}`)
    return (await c.reply()).body.toString()
  }
  t.equal(await api('global_getvar domain'), '127.0.0.1', "vanilla's domain is the local IP, no newline")
  t.equal(await api('global_getvar nosuchvar'), '-ERR no reply\n')
  t.equal(await api('global_getvar'), 'domain=127.0.0.1\n', 'no name: every variable, name=value lines')
  t.equal(await api('xml_locate directory'), directory, 'the section exactly as captured')
  t.equal(await api('xml_locate dialplan'), "can't find anything\n", 'a section it was not given')
  t.equal(await api('xml_locate'), '-ERR bad args\n')
})
