import type { PromptConfig } from '../config/types.js'

/**
 * Prompt file names. Standard ones are files of FreeSWITCH's English sound pack, as its
 * `conf/lang/en/vm/sounds.xml` phrases use them, so an operator with the usual pack hears real prompts. They are
 * relative paths: FreeSWITCH puts its `sound_prefix` in front (or `prompts.soundPrefix` when configured).
 *
 * Custom ones fill the gaps the pack has (weak-PIN reasons, lockout, system error); they ship in `prompts/en/`,
 * generated reproducibly by `scripts/generate-prompts.sh` (espeak-ng), and are played by absolute path.
 */
export const standard = {
  beep: 'tone_stream://%(1000,0,640)',
  person: 'voicemail/vm-person.wav',
  notAvailable: 'voicemail/vm-not_available.wav',
  recordMessage: 'voicemail/vm-record_message.wav',
  mailboxFull: 'voicemail/vm-mailbox_full.wav',
  tooSmall: 'voicemail/vm-too-small.wav',
  press: 'voicemail/vm-press.wav',
  listenToRecording: 'voicemail/vm-listen_to_recording.wav',
  saveRecording: 'voicemail/vm-save_recording.wav',
  rerecord: 'voicemail/vm-rerecord.wav',
  markUrgent: 'voicemail/vm-mark-urgent.wav',
  continue: 'voicemail/vm-continue.wav',
  message: 'voicemail/vm-message.wav',
  messages: 'voicemail/vm-messages.wav',
  saved: 'voicemail/vm-saved.wav',
  deleted: 'voicemail/vm-deleted.wav',
  undeleted: 'voicemail/vm-undeleted.wav',
  emailed: 'voicemail/vm-emailed.wav',
  markedUrgent: 'voicemail/vm-marked-urgent.wav',
  goodbye: 'voicemail/vm-goodbye.wav',
  abort: 'voicemail/vm-abort.wav',
  enterId: 'voicemail/vm-enter_id.wav',
  enterPass: 'voicemail/vm-enter_pass.wav',
  failAuth: 'voicemail/vm-fail_auth.wav',
  youHave: 'voicemail/vm-you_have.wav',
  new: 'voicemail/vm-new.wav',
  urgent: 'voicemail/vm-urgent.wav',
  listenNew: 'voicemail/vm-listen_new.wav',
  listenSaved: 'voicemail/vm-listen_saved.wav',
  advanced: 'voicemail/vm-advanced.wav',
  toExit: 'voicemail/vm-to_exit.wav',
  toRecordGreeting: 'voicemail/vm-to_record_greeting.wav',
  chooseGreeting: 'voicemail/vm-choose_greeting.wav',
  chooseGreetingChoose: 'voicemail/vm-choose_greeting_choose.wav',
  chooseGreetingFail: 'voicemail/vm-choose_greeting_fail.wav',
  greeting: 'voicemail/vm-greeting.wav',
  selected: 'voicemail/vm-selected.wav',
  recordName: 'voicemail/vm-record_name1.wav',
  recordNameMenu: 'voicemail/vm-record_name2.wav',
  recordGreeting: 'voicemail/vm-record_greeting.wav',
  changePassword: 'voicemail/vm-change_password.wav',
  passwordChanged: 'voicemail/vm-password_has_been_changed.wav',
  passwordNotValid: 'voicemail/vm-password_not_valid.wav',
  mainMenu: 'voicemail/vm-main_menu.wav',
  deleteRecording: 'voicemail/vm-delete_recording.wav',
  forwardToEmail: 'voicemail/vm-forward_to_email.wav',
  returnCall: 'voicemail/vm-return_call.wav',
  toForward: 'voicemail/vm-to_forward.wav',
  forwardAddIntro: 'voicemail/vm-forward_add_intro.wav',
  sendMessageNow: 'voicemail/vm-send_message_now.wav',
  forwardEnterExt: 'voicemail/vm-forward_enter_ext.wav',
  followedBy: 'voicemail/vm-followed_by.wav',
  invalidExtension: 'voicemail/vm-that_was_an_invalid_ext.wav',
  messageNumber: 'voicemail/vm-message_number.wav',
  messageFrom: 'voicemail/vm-message_from.wav',
  anonymousCaller: 'ivr/ivr-anonymous_caller.wav',
  noMoreMessages: 'voicemail/vm-no_more_messages.wav',
  invalidEntry: 'ivr/ivr-that_was_an_invalid_entry.wav',
  pound: 'digits/pound.wav',
  star: 'digits/star.wav',
} as const

/** Our own prompts, in `prompts/<language>/`; text in `scripts/prompts.txt`. */
export const custom = {
  mailboxUnavailable: 'mailbox-unavailable.wav',
  systemError: 'system-error.wav',
  mailboxLocked: 'mailbox-locked.wav',
  mailboxAlmostFull: 'mailbox-almost-full.wav',
  pinsDoNotMatch: 'pins-do-not-match.wav',
  enterNewPin: 'enter-new-pin.wav',
  reenterNewPin: 'reenter-new-pin.wav',
  pinNotDigits: 'pin-not-digits.wav',
  pinTooShort: 'pin-too-short.wav',
  pinTooLong: 'pin-too-long.wav',
  pinCommon: 'pin-common.wav',
  pinRepeated: 'pin-repeated.wav',
  pinSequence: 'pin-sequence.wav',
  pinMailboxNumber: 'pin-mailbox-number.wav',
  firstLogin: 'first-login.wav',
  messageSavedGoodbye: 'message-saved.wav',
  temporaryGreetingActive: 'temporary-greeting-active.wav',
  temporaryGreetingRemoved: 'temporary-greeting-removed.wav',
  recordTemporaryOrRemove: 'record-temporary-or-remove.wav',
  chooseActiveGreeting: 'choose-active-greeting.wav',
  mailboxFullOwner: 'mailbox-full-owner.wav',
  forwardTargetFull: 'forward-target-full.wav',
  messageForwarded: 'message-forwarded.wav',
  unreadableMessage: 'unreadable-message.wav',
  noPinSet: 'no-pin-set.wav',
  optionsMenu: 'options-menu.wav',
  previousMessage: 'previous-message.wav',
  nextMessage: 'next-message.wav',
  recordNameNow: 'record-name-now.wav',
  recordIntro: 'record-intro.wav',
  forwardIntroOrSend: 'forward-intro-or-send.wav',
  greetingSaved: 'greeting-saved.wav',
  messageGone: 'message-gone.wav',
} as const

export type StandardPrompt = keyof typeof standard
export type CustomPrompt = keyof typeof custom

/** Turns prompt names into the paths FreeSWITCH plays, honouring the configured sound prefix and language. */
export class Prompts {
  constructor(private readonly config: PromptConfig) {}

  /** A file of the FreeSWITCH sound pack (or a tone). */
  std(name: StandardPrompt): string {
    const file: string = standard[name]
    if (file.includes('://') || this.config.soundPrefix === '') return file
    return `${this.config.soundPrefix.replace(/\/+$/, '')}/${file}`
  }

  /** One of our own prompts, by absolute path. */
  own(name: CustomPrompt): string {
    return `${this.config.customDir.replace(/\/+$/, '')}/${this.config.language}/${custom[name]}`
  }

  /** The spoken digit (`digits/1.wav`, `digits/star.wav`, `digits/pound.wav`) for a menu key. */
  digit(key: string): string {
    const file = key === '*' ? standard.star : key === '#' ? standard.pound : `digits/${key}.wav`
    return this.config.soundPrefix === '' ? file : `${this.config.soundPrefix.replace(/\/+$/, '')}/${file}`
  }

  /**
   * "<what> press <key>" pairs, as FreeSWITCH's own menu phrases say them. `what` is a standard prompt name or
   * a file path.
   */
  menu(entries: ReadonlyArray<readonly [string, string]>): string[] {
    const out: string[] = []
    for (const [what, key] of entries) {
      out.push(what in standard ? this.std(what as StandardPrompt) : what, this.std('press'), this.digit(key))
    }
    return out
  }

  get language(): string {
    return this.config.language
  }
}
