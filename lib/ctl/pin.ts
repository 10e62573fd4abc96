import { checkPin, generateTemporaryPin, hashPin } from '../store/pin.js'
import { boxId, domainOf, requireBox, str } from './args.js'
import type { Command } from './command.js'
import { RefusedError, UsageError } from './errors.js'
import { readSecretLine } from './read-secret.js'

const ACTOR = 'voicemailctl'
const domainOption = {
  domain: { type: 'string', short: 'd', value: 'DOMAIN', help: "the box's domain (default: defaultDomain)" },
} as const

/** The `pin` command group. */
export const pinCommands: Command[] = [
  {
    name: 'pin set',
    summary: "Set a box's PIN (policy-checked). The PIN comes from --pin or the first line of stdin.",
    args: ['ID'],
    options: {
      ...domainOption,
      pin: {
        type: 'string',
        value: 'DIGITS',
        help: 'the new PIN (visible in the process list: prefer stdin)',
      },
      temporary: { type: 'boolean', help: 'the owner must change it at next login' },
    },
    notes: 'example: echo 4821 | voicemailctl pin set 100 --domain pbx.example.com',
    async run(ctx, { values, positionals }) {
      const id = boxId(positionals[0])
      const domain = domainOf(ctx, values)
      const store = await ctx.store()
      const box = await requireBox(store, domain, id)
      const pin = str(values, 'pin') ?? (await readSecretLine(ctx.io, 'new PIN (then Enter): '))
      const check = checkPin(pin, id)
      if (!check.ok) throw new RefusedError(`PIN refused: ${check.message}`, [], `weak-pin:${check.problem}`)
      const temporary = values.temporary === true
      await store.mailboxes.setPin(box.rowId, await hashPin(pin), temporary)
      // Guesses at the old PIN mean nothing now: forget them (and any lock), or one typo could lock again.
      await store.lockout(ctx.config.security).forgetFailures(box, ACTOR)
      await store.audit.append({
        mailboxRowId: box.rowId,
        actor: ACTOR,
        action: 'pin.changed',
        detail: { box: `${id}@${domain}`, temporary },
      })
      ctx.out.result(
        { mailbox: { id, domain }, pin: temporary ? 'temporary' : 'set' },
        () => `PIN of ${id}@${domain} set${temporary ? ' (temporary: to be changed at next login)' : ''}`,
      )
    },
  },
  {
    name: 'pin reset',
    summary: 'Give a box a new random temporary PIN, printed once; also clears lockouts and past failures.',
    args: ['ID'],
    options: {
      ...domainOption,
      length: { type: 'string', value: 'N', help: 'PIN length, 4-10 (default 6)' },
    },
    notes:
      'The owner logs in with the printed PIN and must choose a new one. It is not stored anywhere readable.',
    async run(ctx, { values, positionals }) {
      const id = boxId(positionals[0])
      const domain = domainOf(ctx, values)
      const lengthText = str(values, 'length') ?? '6'
      const length = Number(lengthText)
      if (!/^[0-9]+$/.test(lengthText) || length < 4 || length > 10)
        throw new UsageError('--length must be 4 to 10')
      const store = await ctx.store()
      const box = await requireBox(store, domain, id)
      const pin = generateTemporaryPin(length, id)
      await store.mailboxes.setPin(box.rowId, await hashPin(pin), true)
      await store.lockout(ctx.config.security).forgetFailures(box, ACTOR)
      await store.audit.append({
        mailboxRowId: box.rowId,
        actor: ACTOR,
        action: 'pin.reset',
        detail: { box: `${id}@${domain}` },
      })
      ctx.out.result(
        { mailbox: { id, domain }, temporaryPin: pin },
        () =>
          `temporary PIN for ${id}@${domain}: ${pin}\n(shown once; the owner must change it at next login)`,
      )
    },
  },
]
