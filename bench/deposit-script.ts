import type { CallerScript } from '../test/support/freeswitch/index.js'

/**
 * The benchmark's caller: dials a box's deposit (`03<box>`), listens to the whole greeting, speaks 4 s after the
 * beep and presses `#`, presses `2` (save) in the review menu, and hangs up at the "mark urgent" menu, as most
 * callers do once they have said their piece. A hangup there saves the message (SPEC §4 deposit 5), so the
 * commit, the lamp and the mail all come *after* the hangup: "hangup → mail accepted" is measured causally.
 */
export function depositScript(number: string, box: string): CallerScript {
  return {
    callerIdName: 'Bench Caller',
    callerIdNumber: number,
    destinationNumber: `03${box}`,
    variables: { vm_action: 'deposit', vm_mailbox: box, domain_name: 'pbx.test' },
    records: [{ speakMs: 4000, then: { press: '#' } }],
    actions: [
      { when: { onPlayback: /vm-listen_to_recording/ }, press: '2' },
      { when: { onPlayback: /vm-mark-urgent/, afterMs: 300 }, hangup: true },
    ],
  }
}

/** Caller numbers are `firstNumber + i`: eight digits, unique per call, found again in the mail. */
export const NUMBER_PATTERN = /\b(5\d{7})\b/
