import { MessageGoneError } from '../../store/errors.js'
import type { Folder, Message } from '../../store/types.js'
import { chooseKey } from '../menu.js'
import { forwardMessage } from './forward.js'
import { playMessage } from './message-player.js'
import { refreshLamp, type OwnerSession } from './session.js'

export type FolderOutcome = 'done' | 'transferred'

/** A callback number we are willing to dial: digits, maybe a leading `+`. */
const DIALLABLE = /^\+?[0-9]{2,20}$/

/**
 * Main menu `1` / `2`: play the folder's messages in order (new: urgent first, then oldest; saved: oldest first),
 * each followed by the after-message menu (SPEC §4 owner 5):
 *
 * `0` repeat, `1` previous, `2` save, `3` next (stays new), `4` email it to the box's recipients (kept), `5` call
 * the sender back (only when `callback.enabled`), `7` delete / undelete, `8` forward, `#` back to
 * the main menu; no answer saves. The list is read once when the folder is opened, so "previous" can reach a message just deleted (to
 * undelete it). Every change refreshes the lamp at once. Resolves `transferred` after a callback (the call left).
 */
export async function listenFolder(session: OwnerSession, folder: Folder): Promise<FolderOutcome> {
  const { call, deps } = session
  const list = await deps.store.messages.listForOwner(session.box.rowId, folder)
  let index = 0
  while (index < list.length) {
    const snapshot = list[index] as Message
    const message = await deps.store.messages.getByRowId(snapshot.rowId)
    if (message === undefined) {
      index++
      continue
    }
    list[index] = message
    let next: Navigation
    try {
      const played = await playMessage(session, message, index)
      if (!played.readable) {
        index++
        continue
      }
      next = await afterMessage(session, message, played.key)
    } catch (err) {
      if (!(err instanceof MessageGoneError)) throw err
      // Removed under the owner (cleanup, delete-after-email, voicemailctl): say so and go on, no "system error".
      session.log.info({ messageUuid: message.uuid }, 'message removed during the session')
      await call.play(deps.prompts.own('messageGone'))
      index++
      continue
    }
    if (next === 'transferred') return 'transferred'
    if (next === 'leave') return 'done'
    if (next === 'repeat') continue
    index = next === 'previous' ? Math.max(0, index - 1) : index + 1
  }
  await call.play(deps.prompts.std('noMoreMessages'))
  return 'done'
}

type Navigation = 'repeat' | 'previous' | 'next' | 'leave' | 'transferred'

async function afterMessage(
  session: OwnerSession,
  message: Message,
  typed: string | undefined,
): Promise<Navigation> {
  const { call, deps, log, box } = session
  const { prompts } = deps
  const canEmail = box.email.length > 0
  // A configured context is a fixed one for every tenant; otherwise the call's own context (Caller-Context).
  const callback = deps.config.callback.context ?? call.info.context
  const number = message.callerIdNumber.trim()
  const canCallBack = deps.config.callback.enabled && DIALLABLE.test(number)
  const entries: Array<[string, string]> = [
    ['listenToRecording', '0'],
    [prompts.own('previousMessage'), '1'],
    ['saveRecording', '2'],
    [prompts.own('nextMessage'), '3'],
  ]
  if (canEmail) entries.push(['forwardToEmail', '4'])
  if (canCallBack) entries.push(['returnCall', '5'])
  entries.push(['deleteRecording', '7'], ['toForward', '8'])
  const menu = prompts.menu(entries)
  // `#` (not announced, as in FusionPBX's `*`) leaves the list for the main menu; the message is left as it is.
  const valid = `${entries.map(([, key]) => key).join('')}#`

  // A key pressed during the audio answers this menu straight away (it was pressed after the message started).
  let key = typed !== undefined && valid.includes(typed) ? typed : undefined
  for (;;) {
    key ??= await chooseKey(call, deps, menu, valid)
    switch (key) {
      case '0':
        return 'repeat'
      case '1':
        return 'previous'
      case '3':
        return 'next'
      case '#':
        return 'leave'
      case '2':
      case undefined:
        // No answer = save (mod_voicemail, FusionPBX): the owner who says nothing wants to keep it.
        await deps.store.messages.save(message.rowId)
        log.info({ messageUuid: message.uuid, timeout: key === undefined }, 'message saved')
        await refreshLamp(session, 'SAVE')
        await call.play(prompts.std('saved'))
        return 'next'
      case '4':
        await requirePresent(session, message)
        await deps.mail
          .emailMessage(box, message)
          .catch((err: unknown) => log.error({ err }, 'message copy could not be queued'))
        log.info({ messageUuid: message.uuid }, 'message emailed to the box recipients')
        await call.play(prompts.std('emailed'))
        break
      case '5':
        log.info({ messageUuid: message.uuid, context: callback }, 'calling the sender back')
        await call.transfer(number, deps.config.callback.dialplan, callback)
        return 'transferred'
      case '7': {
        const deleted = await deps.store.messages.toggleDeleted(message.rowId)
        message.deleted = deleted
        log.info({ messageUuid: message.uuid, deleted }, deleted ? 'message deleted' : 'message undeleted')
        await refreshLamp(session, 'DELETE')
        await call.play(prompts.std(deleted ? 'deleted' : 'undeleted'))
        if (deleted) return 'next'
        break
      }
      case '8':
        await requirePresent(session, message)
        await forwardMessage(session, message)
        break
    }
    key = undefined
  }
}

/** Throws MessageGoneError when `message` was removed since it was read (before mailing or forwarding it). */
async function requirePresent(session: OwnerSession, message: Message): Promise<void> {
  if ((await session.deps.store.messages.getByRowId(message.rowId)) === undefined) {
    throw new MessageGoneError(`message ${message.uuid} was removed`)
  }
}
