/**
 * A hand-built mod_voicemail installation for unit tests: its SQLite database with the schema mod_voicemail 1.11
 * creates (copied from `vm_sql` / `vm_pref_sql` in mod_voicemail.c, and identical to what the real FreeSWITCH of
 * the integration tier writes), its storage folder with WAV files, and directory XML as `xml_locate directory`
 * prints it.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import sqlite3 from 'sqlite3'
import wavefile from 'wavefile'
import { buildWav } from '../support/freeswitch/wav.js'

export const MOD_VOICEMAIL_SCHEMA = `
CREATE TABLE voicemail_msgs (
   created_epoch INTEGER,
   read_epoch    INTEGER,
   username      VARCHAR(255),
   domain        VARCHAR(255),
   uuid          VARCHAR(255),
   cid_name      VARCHAR(255),
   cid_number    VARCHAR(255),
   in_folder     VARCHAR(255),
   file_path     VARCHAR(255),
   message_len   INTEGER,
   flags         VARCHAR(255),
   read_flags    VARCHAR(255),
   forwarded_by  VARCHAR(255)
);
CREATE TABLE voicemail_prefs (
   username        VARCHAR(255),
   domain          VARCHAR(255),
   name_path       VARCHAR(255),
   greeting_path   VARCHAR(255),
   password        VARCHAR(255)
);
create index voicemail_msgs_idx1 on voicemail_msgs(created_epoch);
create index voicemail_msgs_idx4 on voicemail_msgs(uuid);
create index voicemail_prefs_idx1 on voicemail_prefs(username);
`

export type Row = Record<string, string | number | null>

export interface ModVoicemailFixture {
  db: string
  storage: string
  /** `storage/voicemail/default/<domain>/<box>/<name>` */
  boxDir(domain: string, box: string): string
  /** Insert rows (column → value; the SQL is parameterised, so hostile values go in as they are). */
  insert(table: 'voicemail_msgs' | 'voicemail_prefs', row: Row): Promise<void>
  /** Run one statement (an owner's change in mod_voicemail between two imports). */
  sql(statement: string, params?: Array<string | number | null>): Promise<void>
  /** Write a file (creating folders); returns its path. */
  file(path: string, bytes: Buffer): Promise<string>
}

export async function modVoicemailFixture(dir: string): Promise<ModVoicemailFixture> {
  const db = join(dir, 'fs', 'db', 'voicemail_default.db')
  const storage = join(dir, 'fs', 'storage')
  await mkdir(dirname(db), { recursive: true })
  await mkdir(storage, { recursive: true })
  await run(db, MOD_VOICEMAIL_SCHEMA, [], true)
  return {
    db,
    storage,
    boxDir: (domain, box) => join(storage, 'voicemail', 'default', domain, box),
    async insert(table, row) {
      const cols = Object.keys(row)
      await run(
        db,
        `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
        Object.values(row),
      )
    },
    sql: (statement, params = []) => run(db, statement, params),
    async file(path, bytes) {
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, bytes)
      return path
    },
  }
}

function run(path: string, sql: string, params: Array<string | number | null>, exec = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, (err) => {
      if (err !== null) return reject(err)
      const done = (e: Error | null): void => db.close(() => (e === null ? resolve() : reject(e)))
      if (exec) db.exec(sql, done)
      else db.run(sql, params, done)
    })
  })
}

/** A message row as mod_voicemail writes it at deposit (new, normal), with overrides. */
export function messageRow(over: Row): Row {
  return {
    created_epoch: 1_790_000_000,
    read_epoch: 0,
    username: '1000',
    domain: 'pbx.test',
    uuid: '00000000-0000-4000-8000-000000000000',
    cid_name: 'Bob',
    cid_number: '5550123',
    in_folder: 'inbox',
    file_path: '',
    message_len: 3,
    flags: '',
    read_flags: 'B_NORMAL',
    forwarded_by: '',
    ...over,
  }
}

/** 8 kHz mono 16-bit: copied as it is. */
export function voicemailWav(ms: number): Buffer {
  return buildWav(ms, 0)
}

/** What a wideband phone leaves with record-sample-rate unset: 16 kHz; here stereo too, to exercise the downmix. */
export function widebandStereoWav(ms: number): Buffer {
  const n = Math.round((16000 * ms) / 1000)
  const left = new Int16Array(n).map((_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 16000)))
  const w = new wavefile.WaveFile()
  w.fromScratch(2, 16000, '16', [left, left])
  return Buffer.from(w.toBuffer())
}

/** `xml_locate directory` output for one domain (params → `<param>`, variables → `<variable>`). */
export function directoryXml(
  domain: string,
  users: Record<string, { params?: Record<string, string>; variables?: Record<string, string> }>,
  domainParams: Record<string, string> = {},
): string {
  const list = (tag: string, entries: Record<string, string> = {}): string =>
    `<${tag}s>${Object.entries(entries)
      .map(
        ([k, v]) =>
          `<${tag} name="${k}" value="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}"/>`,
      )
      .join('')}</${tag}s>`
  return `<section name="directory"><domain name="${domain}">${list('param', domainParams)}<groups><group name="default"><users>${Object.entries(
    users,
  )
    .map(([id, u]) => `<user id="${id}">${list('param', u.params)}${list('variable', u.variables)}</user>`)
    .join(
      '',
    )}</users></group><group name="sales"><users><user id="1000" type="pointer"/></users></group></groups></domain></section>`
}
