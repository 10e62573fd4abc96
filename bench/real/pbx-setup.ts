/**
 * The FreeSWITCH of the real bench: the real tier's configuration copy (test/support/real-freeswitch/conf.ts:
 * vanilla + our snippets as an operator installs them, its own ports) with mod_voicemail kept loaded beside the
 * daemon, so the same deposit calls can go to either in the same run:
 *
 * - `03<box>` (our snippet) → the daemon; boxes 3000… are directory users (for their phones) and daemon boxes;
 * - `04<box>` (added here) → mod_voicemail's own `voicemail default <domain> <box>`; boxes 4000… are directory
 *   users with mod_voicemail's params (mail to one address with the WAV attached, 10 MiB of quota).
 *
 * mod_voicemail sends its mail through `mailer-app` (switch.conf.xml): here a tiny sendmail-like script that relays
 * over SMTP to the bench's sink, so both sides' mails are timed at the same place. Both sides also answer every
 * MESSAGE_QUERY (SPEC §5 forbids this pairing in production); each phone follows one box of one side, and the
 * lamps measured are the NOTIFYs that follow a deposit, not the answers to registration queries.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RealFreeswitch } from '../../test/support/real-freeswitch/process.js'
import { buildWav } from '../../test/support/freeswitch/wav.js'

export const DOMAIN = 'pbx.test'
export const SIP_PASSWORD = 'bench-sip-secret'
/** 10 MiB at 16,000 bytes per second (8 kHz 16-bit mono): mod_voicemail's quota is in seconds of messages. */
export const QUOTA_BYTES = 10 * 1024 * 1024
const QUOTA_SECONDS = Math.floor(QUOTA_BYTES / 16_000)

export interface Boxes {
  daemon: string[]
  modVoicemail: string[]
}

/** Box ids: `count` per side, daemon boxes from 3000, mod_voicemail boxes from 4000. */
export function boxIds(count: number): Boxes {
  const ids = (base: number): string[] => Array.from({ length: count }, (_, i) => String(base + i))
  return { daemon: ids(3000), modVoicemail: ids(4000) }
}

/** The mail address of a box (one recipient each, both sides). */
export function mailOf(box: string): string {
  return `box${box}@${DOMAIN}`
}

function phoneUser(): string {
  return '    <params><param name="password" value="$${default_password}"/></params>'
}

function modVoicemailUser(box: string): string {
  return [
    '    <params>',
    '      <param name="password" value="$${default_password}"/>',
    '      <param name="vm-password" value="4821"/>',
    `      <param name="vm-mailto" value="${mailOf(box)}"/>`,
    '      <param name="vm-email-all-messages" value="true"/>',
    '      <param name="vm-attach-file" value="true"/>',
    '      <param name="vm-keep-local-after-email" value="true"/>',
    `      <param name="vm-disk-quota" value="${QUOTA_SECONDS}"/>`,
    '    </params>',
  ].join('\n')
}

const MOD_VOICEMAIL_EXTENSION = [
  '  <extension name="bench_mod_voicemail_deposit">',
  '    <condition field="destination_number" expression="^04(\\d+)$">',
  '      <action application="answer"/>',
  '      <action application="voicemail" data="default $${domain} $1"/>',
  '      <action application="hangup"/>',
  '    </condition>',
  '  </extension>',
].join('\n')

/**
 * FreeSWITCH pipes each mail into `mailer-app mailer-app-args … <to>` (switch_simple_email; on this build the
 * arguments include `-f <from>` before the recipient, as sendmail takes them): relay it to the sink at
 * 127.0.0.1:<port> in one SMTP session, recipient = the last argument. Bash and its /dev/tcp only, so the mailer
 * costs what a local sendmail does (a fork and a short-lived process), not an interpreter start.
 */
function relayScript(port: number): string {
  return `#!/bin/bash
set -euo pipefail
# Problems go to relay-mail.log beside this script (FreeSWITCH discards the mailer's output).
exec 2>>"$(dirname "$0")/relay-mail.log"
to="\${@: -1}"
exec 3<>/dev/tcp/127.0.0.1/${port}
expect() { local line; IFS= read -r line <&3; case "$line" in "$1"*) ;; *) echo "relay-mail: $line" >&2; exit 75;; esac; }
expect 220
printf 'HELO freeswitch\\r\\n' >&3; expect 250
printf 'MAIL FROM:<voicemail@${DOMAIN}>\\r\\n' >&3; expect 250
printf 'RCPT TO:<%s>\\r\\n' "$to" >&3; expect 250
printf 'DATA\\r\\n' >&3; expect 354
# CRLF line ends and dot-stuffing; a blank line before the end mark in case the mail lacks a final newline.
sed -e 's/\\r$//' -e 's/^\\./../' -e 's/$/\\r/' >&3
printf '\\r\\n.\\r\\n' >&3; expect 250
printf 'QUIT\\r\\n' >&3
`
}

/** Files mod_voicemail's phrases play (lang/en/vm/sounds.xml) that the daemon's stand-ins do not cover. */
const MOD_VOICEMAIL_SOUNDS = [
  'saved',
  'marked-urgent',
  'deleted',
  'emailed',
  'too-small',
  'record_message',
  'person',
  'not_available',
  'mailbox_full',
  'goodbye',
  'abort',
]
  .map((name) => `voicemail/vm-${name}.wav`)
  // `say` of the urgent key (`*`, `#`) in "press * to mark it urgent".
  .concat(['ascii/42.wav', 'ascii/35.wav'])

export interface BenchFreeswitch {
  fs: RealFreeswitch
  boxes: Boxes
}

export async function prepareFreeswitch(
  dir: string,
  options: { daemonPort: number; smtpPort: number; boxes: number },
): Promise<BenchFreeswitch> {
  const boxes = boxIds(options.boxes)
  const users: Record<string, string> = {}
  for (const box of boxes.daemon) users[box] = phoneUser()
  for (const box of boxes.modVoicemail) users[box] = modVoicemailUser(box)
  const fs = await RealFreeswitch.prepare(join(dir, 'fs'), {
    domain: DOMAIN,
    daemonPort: options.daemonPort,
    sipPassword: SIP_PASSWORD,
    keepModVoicemail: true,
    users,
    defaultDialplan: { '00_bench_mod_voicemail.xml': MOD_VOICEMAIL_EXTENSION },
  })
  const relay = join(dir, 'relay-mail.sh')
  await writeFile(relay, relayScript(options.smtpPort), { mode: 0o755 })
  const conf = join(dir, 'fs', 'conf')
  await edit(join(conf, 'autoload_configs', 'switch.conf.xml'), (xml) =>
    xml
      .replace(/<param name="mailer-app" value="sendmail"\/>/, `<param name="mailer-app" value="${relay}"/>`)
      // 60 loopback calls are 120 sessions started at once: vanilla's 30 per second would refuse most of them.
      .replace(
        /<param name="sessions-per-second" value="\d+"\/>/,
        '<param name="sessions-per-second" value="1000"/>',
      ),
  )
  const prefix = join(dir, 'fs', 'sounds', 'en', 'us', 'callie')
  const standIn = buildWav(150, 0)
  await mkdir(join(prefix, 'ascii'), { recursive: true })
  await Promise.all(MOD_VOICEMAIL_SOUNDS.map((file) => writeFile(join(prefix, file), standIn)))
  return { fs, boxes }
}

async function edit(path: string, change: (text: string) => string): Promise<void> {
  const before = await readFile(path, 'utf8')
  const after = change(before)
  if (after === before) throw new Error(`${path}: the edit changed nothing`)
  await writeFile(path, after)
}
