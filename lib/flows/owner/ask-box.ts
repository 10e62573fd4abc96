import type { Call } from '../../esl/call.js'
import type { Logger } from '../../log.js'
import { isBoxNumber } from '../../mailbox-values.js'
import type { Mailbox } from '../../store/types.js'
import type { FlowDeps } from '../deps.js'
import type { StandardPrompt } from '../prompts.js'

/**
 * Key in a box number of `domain` (then `#`), for 5000 ("enter your mailbox number") and forwarding ("enter the
 * extension"). A number that is not a box `accept` takes is "an invalid extension" and asked again, up to
 * `menus.retries` times: box numbers are extensions, not secrets, so saying so costs nothing and helps. Only the
 * entry's length is logged: an owner who mixes up the prompts may have typed a PIN here.
 */
export async function askBoxNumber(
  call: Call,
  deps: FlowDeps,
  log: Logger,
  options: { prompt: StandardPrompt; domain: string; accept: (box: Mailbox) => boolean; reason: string },
): Promise<Mailbox | undefined> {
  for (let attempt = 0; attempt < deps.config.menus.retries; attempt++) {
    await call.flushDtmf()
    const id = await call.collect({
      prompt: deps.prompts.std(options.prompt),
      min: 2,
      max: 10,
      timeoutMs: deps.config.menus.digitTimeoutMs,
      terminators: '#',
      pattern: '^[0-9]+$',
    })
    if (id === '') continue
    const box = isBoxNumber(id) ? await deps.store.mailboxes.find(options.domain, id) : undefined
    if (box !== undefined && options.accept(box)) return box
    log.info({ digits: id.length }, options.reason)
    await call.play(deps.prompts.std('invalidExtension'))
  }
  return undefined
}
