/**
 * mod_voicemail on the real FreeSWITCH, for the switch-over test: a dialplan that reaches its own `voicemail`
 * application, stand-in WAVs for every prompt its phrase macros play (so each prompt raises PLAYBACK_START, the
 * moment the test types the next key: mod_voicemail flushes DTMF before its beeps, so keys typed ahead are lost),
 * and helpers that wait for a prompt or a recording of one call.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { EslClient, ReceivedEvent } from './esl-client.js'
import { buildWav } from '../freeswitch/wav.js'

/**
 * 77<box>: leave a message in <box> with mod_voicemail; 78<box>: log in to <box> with mod_voicemail, main menu
 * first (by default it starts playing the new messages at once: `vm_auto_play`).
 */
export function modVoicemailDialplan(domain: string): string {
  return `
  <extension name="test_mod_voicemail_deposit">
    <condition field="destination_number" expression="^77(\\d+)$">
      <action application="answer"/>
      <action application="voicemail" data="default ${domain} $1"/>
    </condition>
  </extension>
  <extension name="test_mod_voicemail_check">
    <condition field="destination_number" expression="^78(\\d+)$">
      <action application="answer"/>
      <action application="set" data="vm_auto_play=false"/>
      <action application="voicemail" data="check default ${domain} $1"/>
    </condition>
  </extension>`
}

/**
 * `customizeConf` for startPbx: stand-in WAVs for every file mod_voicemail's English phrases name, and mod_voicemail
 * recording at `recordSampleRate` (its `record-sample-rate` param: the files of a wideband PBX, which the import
 * converts).
 */
export function modVoicemailConf(recordSampleRate: number): (confDir: string) => Promise<void> {
  return async (confDir) => {
    const phrases = await readFile(join(confDir, 'lang/en/vm/sounds.xml'), 'utf8')
    const prefix = join(confDir, '..', 'sounds', 'en', 'us', 'callie')
    const files = new Set(
      [...phrases.matchAll(/data="([a-z]+\/[A-Za-z0-9_-]+\.wav)"/g)].map((m) => m[1] as string),
    )
    // Names the phrases build from their input (`voicemail/vm-$2.wav` of voicemail_message_count, …) and the keys
    // they spell out (`*` is ascii/42.wav).
    const built = [
      'new',
      'saved',
      'urgent-new',
      'urgent-saved',
      'too-small',
      'deleted',
      'emailed',
      'marked-urgent',
    ]
    for (const f of [
      ...built.map((b) => `voicemail/vm-${b}.wav`),
      'ascii/35.wav',
      'ascii/42.wav',
      ...Array.from({ length: 10 }, (_, i) => `digits/${i}.wav`),
    ])
      files.add(f)
    const standIn = buildWav(150, 0)
    for (const file of files) {
      await mkdir(dirname(join(prefix, file)), { recursive: true })
      await writeFile(join(prefix, file), standIn)
    }
    const path = join(confDir, 'autoload_configs/voicemail.conf.xml')
    const xml = await readFile(path, 'utf8')
    const changed = xml.replace(
      '<param name="file-extension" value="wav"/>',
      `<param name="file-extension" value="wav"/>\n      <param name="record-sample-rate" value="${recordSampleRate}"/>`,
    )
    if (changed === xml)
      throw new Error('voicemail.conf.xml: file-extension param not found (vanilla changed?)')
    await writeFile(path, changed)
  }
}

/** Waits on one channel's events (prompts, recordings, apps), each wait starting after the previous one's event. */
export class ChannelScript {
  private since: number

  constructor(
    private readonly esl: EslClient,
    private readonly uuid: string,
  ) {
    this.since = esl.events.length
  }

  /** The next PLAYBACK_START on the channel whose file matches. */
  prompt(file: RegExp, timeoutMs = 30_000): Promise<ReceivedEvent> {
    return this.next(
      (e) => e.name === 'PLAYBACK_START' && file.test(e.get('Playback-File-Path') ?? ''),
      timeoutMs,
    )
  }

  /** The next RECORD_START on the channel (mod_voicemail's beep is over: the recording runs). */
  recording(timeoutMs = 30_000): Promise<ReceivedEvent> {
    return this.next((e) => e.name === 'RECORD_START', timeoutMs)
  }

  /** The next CHANNEL_EXECUTE (or, with `done`, CHANNEL_EXECUTE_COMPLETE) of `app` whose data matches. */
  app(app: string, data?: RegExp, done = false, timeoutMs = 30_000): Promise<ReceivedEvent> {
    const name = done ? 'CHANNEL_EXECUTE_COMPLETE' : 'CHANNEL_EXECUTE'
    return this.next(
      (e) =>
        e.name === name &&
        e.get('Application') === app &&
        (data === undefined || data.test(e.get('Application-Data') ?? '')),
      timeoutMs,
    )
  }

  private async next(match: (e: ReceivedEvent) => boolean, timeoutMs: number): Promise<ReceivedEvent> {
    const found = await this.esl.waitFor(
      (e) => e.get('Unique-ID') === this.uuid && match(e),
      timeoutMs,
      this.since,
    )
    this.since = this.esl.events.indexOf(found) + 1
    return found
  }
}
