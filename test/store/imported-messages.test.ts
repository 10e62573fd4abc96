import t from 'tap'
import { defaultDomainSettings } from '../../lib/config/defaults.js'
import { StoreConflictError } from '../../lib/store/errors.js'
import { insertImportedMessage, type ImportedMessage } from '../../lib/store/imported-messages.js'
import { tmpStore } from './tmp-store.js'

void t.test(
  'an imported message keeps its folder, times and urgency; a second insert is a conflict',
  async (t) => {
    const { store } = await tmpStore(t)
    await store.domains.ensure('pbx.test', defaultDomainSettings)
    const box = await store.mailboxes.create({ domain: 'pbx.test', id: '1000', kind: 'personal' })
    const message: ImportedMessage = {
      uuid: '11111111-1111-4111-8111-111111111111',
      mailboxRowId: box.rowId,
      folder: 'saved',
      urgent: true,
      callerIdName: 'Bob',
      callerIdNumber: '5550123',
      receivedAt: 1_000,
      savedAt: 2_000,
      heardAt: 2_000,
      durationMs: 3_000,
      sizeBytes: 48_044,
      file: 'recordings/pbx.test/1000/11111111-1111-4111-8111-111111111111.wav',
      forwardedFrom: '1001@pbx.test',
    }
    await insertImportedMessage(store.db, message)
    t.match(await store.messages.get(message.uuid), {
      folder: 'saved',
      urgent: true,
      receivedAt: 1_000,
      savedAt: 2_000,
      heardAt: 2_000,
      forwardedFrom: '1001@pbx.test',
    })
    await t.rejects(insertImportedMessage(store.db, message), StoreConflictError)
    await t.rejects(
      insertImportedMessage(store.db, {
        ...message,
        uuid: '22222222-2222-4222-8222-222222222222',
        mailboxRowId: 999,
      }),
      StoreConflictError,
    )
    const bare = { ...message, uuid: '33333333-3333-4333-8333-333333333333', folder: 'new' as const }
    delete bare.savedAt
    delete bare.heardAt
    delete bare.forwardedFrom
    await insertImportedMessage(store.db, bare)
    t.match(await store.messages.get(bare.uuid), {
      folder: 'new',
      savedAt: undefined,
      forwardedFrom: undefined,
    })
  },
)
