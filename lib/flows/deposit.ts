import type { Call } from '../esl/call.js'
import type { Logger } from '../log.js'
import { admitCaller, noticeFullBox, rearmFullNotice } from '../quota/box-quota.js'
import { domainSettings } from '../store/domain-settings.js'
import type { Mailbox } from '../store/types.js'
import { commitMessage } from './commit-message.js'
import type { FlowDeps } from './deps.js'
import { greetingFiles, playGreeting, wantedGreeting } from './greeting.js'
import { loginToBox } from './owner/login.js'
import { provisionPersonalBox } from './provision.js'
import { recordMessage } from './record-message.js'

export interface DepositTarget {
  domain: string
  box: string
}

/**
 * A caller leaves a message (SPEC §4 "Deposit"): answer, greeting (with `#` skip, `*` owner login, `0` operator),
 * quota, beep, record, review, commit, goodbye. The caller may hang up anywhere; once a long-enough recording
 * exists it is saved whatever happens next.
 */
export async function deposit(
  call: Call,
  target: DepositTarget,
  deps: FlowDeps,
  parentLog: Logger,
): Promise<void> {
  const log = parentLog.child({ flow: 'deposit', domain: target.domain, mailbox: target.box })
  await call.answer()

  const box = await findOrProvision(target, deps, log)
  if (box === undefined || !box.enabled) {
    log.info({ reason: box === undefined ? 'unknown' : 'disabled' }, 'mailbox not available')
    await call.play(deps.prompts.own('mailboxUnavailable'))
    await goodbye(call, deps)
    return
  }

  const domain = await domainSettings(box.domain, deps)
  const operator = domain.operator
  const files = await greetingFiles(box, wantedGreeting(call.info.variables), deps)
  const outcome = await playGreeting(call, files, deps, operator !== undefined)
  if (outcome === 'login') {
    log.info({}, 'caller asked to log in from the greeting')
    await loginToBox(call, box, deps, log)
    return
  }
  if (outcome === 'operator' && operator !== undefined) {
    log.info({ operator }, 'caller asked for the operator')
    // Into the call's own context (Caller-Context): a multi-tenant dialplan keeps the caller in its tenant.
    await call.transfer(operator, 'XML', call.info.context)
    return
  }

  const claim = await admitCaller(box, deps, log)
  if (claim === undefined) {
    deps.events?.callerToldFull(box)
    await call.play(deps.prompts.std('mailboxFull'))
    await noticeFullBox(box, deps, log)
    await goodbye(call, deps)
    return
  }
  try {
    // Room again (the owner deleted messages): the next full episode gets its own notice.
    await rearmFullNotice(box, deps)
    const recording = await recordMessage(call, box, claim, deps, log)
    if (recording === undefined) {
      if (!call.hungUp) await goodbye(call, deps)
      return
    }
    try {
      await commitMessage(box, recording, callerData(call), deps, log)
    } catch (err) {
      // The file stays on disk: reconcile adopts it. The caller hears an honest apology, not "saved".
      log.error({ err, file: recording.path }, 'message could not be committed')
      if (!call.hungUp) {
        await call.play(deps.prompts.own('systemError'))
        await goodbye(call, deps)
      }
      return
    }
  } finally {
    // After the row is written its bytes count as used; until then the claim counts them (SPEC §4 deposit 3).
    claim.release()
    // From here a recording left without a row (commit failed, the flow threw) is the RecordingWatch's to adopt.
    deps.store.recordingJournal.releaseCall(call.info.uuid)
  }
  if (!call.hungUp) {
    await call.play(deps.prompts.own('messageSavedGoodbye'))
    await call.hangup()
  }
}

async function goodbye(call: Call, deps: FlowDeps): Promise<void> {
  if (call.hungUp) return
  await call.play(deps.prompts.std('goodbye'))
  await call.hangup()
}

/** Caller id as FreeSWITCH gave it: stored faithfully, whatever bytes it holds. */
export function callerData(call: Call): { callerIdName: string; callerIdNumber: string } {
  return { callerIdName: call.info.callerIdName, callerIdNumber: call.info.callerIdNumber }
}

/** The target box, or a personal box auto-provisioned for an extension FreeSWITCH knows. */
async function findOrProvision(
  target: DepositTarget,
  deps: FlowDeps,
  log: Logger,
): Promise<Mailbox | undefined> {
  const existing = await deps.store.mailboxes.find(target.domain, target.box)
  return existing ?? provisionPersonalBox(target.domain, target.box, deps, log)
}
