/**
 * A throw-away copy of FreeSWITCH's vanilla configuration, changed the way docs/operator-guide.md tells an operator to
 * (our `freeswitch-xml/` snippets dropped in, vanilla 5000/5001 removed, vanilla's voicemail routes pointed at
 * the daemon, mod_voicemail unloaded), plus what only a test box needs: loopback addresses, its own ports so
 * several FreeSWITCHes can run side by side, no STUN, a directory password other than 1234 (vanilla's default
 * dialplan sleeps 10 s on every call while it is 1234), and no "Error Loading module" noise for modules this
 * build does not have.
 */
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { MODULE_DIR, VANILLA_CONF } from './installed.js'
import { confRoot } from '../fs-conf.js'

export interface FreeswitchPorts {
  sip: number
  esl: number
  /** First of a block of 100 RTP ports (only SIP calls with media use them). */
  rtpStart: number
}

export interface ConfOptions {
  ports: FreeswitchPorts
  /** vars.xml `domain`: the domain phones register in and `$${domain}` (public routes). */
  domain: string
  /** Where the daemon listens for the `socket` application (the snippets say 127.0.0.1:8084). */
  daemonPort: number
  /** SIP password of every directory user (`default_password`). */
  sipPassword: string
  /** Keep mod_voicemail loaded (the bench's side-by-side run; never beside the daemon's lamps). */
  keepModVoicemail?: boolean
  /** Extra directory users `id` → params/variables XML (inside `<user>`). */
  users?: Readonly<Record<string, string>>
  /** Extra dialplan files for the default context (`name.xml` → content of `<include>`). */
  defaultDialplan?: Readonly<Record<string, string>>
  /** Last step: a test's own changes to the copy (e.g. a second SIP profile, sip-caller.ts). */
  customize?: (confDir: string) => Promise<void>
}

/** The password the event socket of the copy uses (vanilla's and the shipped snippet's). */
export const ESL_PASSWORD = 'ClueCon'

export async function writeConf(confDir: string, options: ConfOptions): Promise<void> {
  await rm(confDir, { recursive: true, force: true })
  await cp(VANILLA_CONF, confDir, { recursive: true })
  await operatorSteps(confDir, options)
  await testBoxSteps(confDir, options)
  await options.customize?.(confDir)
}

/** What docs/operator-guide.md's "FreeSWITCH integration step by step" has an operator do. */
async function operatorSteps(conf: string, options: ConfOptions): Promise<void> {
  // 1. Copy the snippets, same relative paths. The socket address is the one thing a test box changes.
  for (const rel of [
    'dialplan/default/00_voicemaild.xml',
    'dialplan/public/00_voicemaild.xml',
    'autoload_configs/event_socket.conf.xml',
    'ivr_menus/voicemaild_main.xml',
    'directory/default/100.xml',
    'directory/default/101.xml',
    'directory/default/102.xml',
  ]) {
    const text = await readFile(join(confRoot, rel), 'utf8')
    await mkdir(join(conf, rel, '..'), { recursive: true })
    await writeFile(join(conf, rel), text.replaceAll('127.0.0.1:8084', `127.0.0.1:${options.daemonPort}`))
  }
  // 2. Vanilla's 5000 and 5001 come before default/*.xml and would win; its voicemail routes go to the daemon.
  await edit(join(conf, 'dialplan/default.xml'), (xml) =>
    pointVanillaVoicemailAtDaemon(
      removeExtension(removeExtension(xml, 'ivr_demo'), 'dynamic_conference'),
      options.daemonPort,
    ),
  )
  // 3. Unload mod_voicemail.
  if (options.keepModVoicemail !== true) {
    await edit(join(conf, 'autoload_configs/modules.conf.xml'), (xml) =>
      commentOutModule(xml, 'mod_voicemail'),
    )
  }
}

/** A test box's own addresses and ports, and the build's missing modules. */
async function testBoxSteps(conf: string, options: ConfOptions): Promise<void> {
  const { ports } = options
  await edit(join(conf, 'vars.xml'), (xml) =>
    xml
      .replace('<include>', '<include>\n  <X-PRE-PROCESS cmd="set" data="local_ip_v4=127.0.0.1"/>')
      .replace(
        /<X-PRE-PROCESS cmd="stun-set" data="(external_(?:rtp|sip)_ip)=[^"]*"\/>/g,
        '<X-PRE-PROCESS cmd="set" data="$1=127.0.0.1"/>',
      )
      .replace(/data="default_password=[^"]*"/, `data="default_password=${options.sipPassword}"`)
      .replace(/data="domain=[^"]*"/, `data="domain=${options.domain}"`)
      .replace(/data="internal_sip_port=\d+"/, `data="internal_sip_port=${ports.sip}"`),
  )
  await edit(join(conf, 'autoload_configs/event_socket.conf.xml'), (xml) =>
    xml.replace(/name="listen-port" value="\d+"/, `name="listen-port" value="${ports.esl}"`),
  )
  await edit(join(conf, 'autoload_configs/switch.conf.xml'), (xml) =>
    xml
      .replace(/<!-- *(<param name="rtp-start-port" value=")\d+("\/>) *-->/, `$1${ports.rtpStart}$2`)
      .replace(/<!-- *(<param name="rtp-end-port" value=")\d+("\/>) *-->/, `$1${ports.rtpStart + 99}$2`),
  )
  // Only the internal profile, and without its fixed WebSocket ports.
  for (const file of ['external.xml', 'external-ipv6.xml', 'internal-ipv6.xml']) {
    await rm(join(conf, 'sip_profiles', file), { force: true })
  }
  await edit(join(conf, 'sip_profiles/internal.xml'), (xml) =>
    xml.replace(/\s*<param name="wss?-binding"[^>]*\/>/g, ''),
  )
  const built = new Set((await readdir(MODULE_DIR)).map((f) => f.replace(/\.so$/, '')))
  await edit(join(conf, 'autoload_configs/modules.conf.xml'), (xml) =>
    // Only lines that load a module: the file also has commented-out loads, and comments do not nest.
    xml.replace(/^(\s*)<load module="(mod_[a-z0-9_]+)"\/>/gm, (line, indent: string, name: string) =>
      built.has(name) ? line : `${indent}<!-- not built: ${name} -->`,
    ),
  )
  for (const [id, inner] of Object.entries(options.users ?? {})) {
    await writeFile(
      join(conf, 'directory/default', `${id}.xml`),
      `<include>\n  <user id="${id}">\n${inner}\n  </user>\n</include>\n`,
    )
  }
  for (const [name, inner] of Object.entries(options.defaultDialplan ?? {})) {
    await writeFile(join(conf, 'dialplan/default', name), `<include>\n${inner}\n</include>\n`)
  }
  if (!existsSync(join(conf, 'dialplan/default/00_voicemaild.xml'))) throw new Error('snippets not copied')
}

async function edit(path: string, change: (text: string) => string): Promise<void> {
  const before = await readFile(path, 'utf8')
  const after = change(before)
  if (after === before) throw new Error(`${path}: the edit changed nothing (vanilla changed?)`)
  await writeFile(path, after)
}

/** Drop `<extension name="NAME">…</extension>` (the first one of that name). */
export function removeExtension(xml: string, name: string): string {
  const start = xml.indexOf(`<extension name="${name}"`)
  if (start < 0) throw new Error(`no extension ${name}`)
  const end = xml.indexOf('</extension>', start) + '</extension>'.length
  return xml.slice(0, start) + xml.slice(end)
}

export function commentOutModule(xml: string, name: string): string {
  return xml.replace(
    new RegExp(`^(\\s*)<load module="${name}"/>`, 'm'),
    `$1<!-- <load module="${name}"/> -->`,
  )
}

/**
 * The replacement freeswitch-xml/README.md gives for vanilla's Local_Extension / Local_Extension_Skinny tails
 * (`answer`, `sleep`, `bridge loopback/app=voicemail:…`) and for `vmain`.
 */
function pointVanillaVoicemailAtDaemon(xml: string, port: number): string {
  const deposit = [
    '<action application="set" data="vm_action=deposit"/>',
    '<action application="set" data="vm_mailbox=${dialed_extension}"/>',
    '<action application="set" data="vm_domain=${domain_name}"/>',
    `<action application="socket" data="127.0.0.1:${port} async full"/>`,
    '<action application="hangup"/>',
  ].join('\n\t')
  const menu = [
    '<action application="set" data="vm_action=menu"/>',
    '<action application="set" data="vm_domain=${domain_name}"/>',
    `<action application="socket" data="127.0.0.1:${port} async full"/>`,
    '<action application="hangup"/>',
  ].join('\n\t')
  return xml
    .replace(
      /<action application="answer"\/>\s*<action application="sleep" data="1000"\/>\s*<action application="bridge" data="loopback\/app=voicemail:default \$\{domain_name\} \$\{dialed_extension\}"\/>/g,
      deposit,
    )
    .replace(
      /<action application="answer"\/>\s*<action application="sleep" data="1000"\/>\s*<action application="voicemail" data="check default \$\{domain_name\}"\/>/,
      menu,
    )
}
