import t from 'tap'
import { ctlFixture } from './fixture.js'

void t.test(
  'voicemailctl waits for a daemon transaction on the same database instead of failing',
  async (t) => {
    const f = await ctlFixture(t)
    await f.run(['mailbox', 'add', '100'])
    const daemon = await f.store() // another connection, as the running daemon holds one
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let entered!: () => void
    const inside = new Promise<void>((resolve) => (entered = resolve))
    const transaction = daemon.db.transaction(async () => {
      await daemon.db.run("UPDATE mailboxes SET name = 'daemon' WHERE number = '100'")
      entered()
      await held
    })
    await inside
    let finished = false
    const ctl = f.run(['mailbox', 'set', '100', '--name', 'Operator']).finally(() => (finished = true))
    // Let voicemailctl reach the lock, then end the daemon's transaction.
    await new Promise((resolve) => setTimeout(resolve, 200))
    t.equal(finished, false, 'still waiting while the daemon holds the write lock')
    release()
    await transaction
    const r = await ctl
    t.equal(r.code, 0, r.stderr)
    t.equal(
      (await daemon.mailboxes.find('example.com', '100'))?.name,
      'Operator',
      'the later write wins, none lost',
    )
  },
)
