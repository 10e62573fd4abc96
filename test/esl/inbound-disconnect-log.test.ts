import t from 'tap'
import { InboundLink } from '../../lib/esl/inbound.js'
import { createLogger } from '../../lib/log.js'
import { FreeswitchSimulator } from '../support/freeswitch/index.js'

interface Line {
  level: number
  msg: string
  node?: string
}

const INFO = 30
const WARN = 40

function connectedOnce(link: InboundLink): Promise<void> {
  return new Promise((resolve) => link.onConnect(() => resolve()))
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
}

void t.test(
  'the event socket closing is a warning when FreeSWITCH goes away, info when the daemon closes it',
  async (t) => {
    const sim = new FreeswitchSimulator()
    t.teardown(() => sim.close())
    const fs = await sim.listen()
    const lines: Line[] = []
    const log = createLogger('info', { write: (s: string) => void lines.push(JSON.parse(s) as Line) })
    const link = new InboundLink([{ host: fs.host, port: fs.port, password: 'ClueCon' }], log, {
      initialBackoffMs: 20,
      maxBackoffMs: 50,
    })
    t.teardown(() => link.close())
    const disconnects = (): Line[] => lines.filter((l) => l.msg === 'FreeSWITCH event socket disconnected')

    let connected = connectedOnce(link)
    link.start()
    await connected
    connected = connectedOnce(link)
    await fs.restart({ graceful: true })
    await connected
    t.match(disconnects(), [{ level: WARN, node: `${fs.host}:${fs.port}` }], 'FreeSWITCH restarting: warn')

    const beforeClose = lines.length
    await link.close()
    await until(() => disconnects().length === 2)
    t.match(disconnects()[1], { level: INFO }, 'our own close: info')
    t.same(
      lines.slice(beforeClose).filter((l) => l.level >= WARN),
      [],
      'a clean stop logs no warning',
    )
  },
)
