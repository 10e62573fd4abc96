import type { Db } from './db.js'

/** A recording FreeSWITCH was asked to make (migration 5): what adoption needs if nobody commits it. */
export interface RecordingInProgress {
  /** Relative to the state directory, as `messages.file` stores it. */
  file: string
  mailboxRowId: number
  /** The channel that records it (the outbound socket's call). */
  callUuid: string
  /** The FreeSWITCH node that ran the call (its `Core-UUID`), when it said. */
  coreUuid?: string
  callerIdName: string
  callerIdNumber: string
  startedAt: number
}

/**
 * The journal of recordings being made (SPEC §8 "nothing lost"). The deposit flow writes a row just before each
 * `record` and removes it with a discarded take; `storeNewMessage` removes it in the transaction that stores the
 * message. A row that outlives its call is a recording the daemon was killed (or failed to commit) in the middle
 * of: the RecordingWatch asks FreeSWITCH about its channel and adopts the file once FreeSWITCH has finished it.
 *
 * Calls this process is running are held in memory (`begin` holds, `releaseCall` lets go when the flow ends), so
 * the daemon never adopts a file its own live call may still review, re-record or commit. Another process
 * (voicemailctl) holds nothing: it sees every row as an orphan candidate.
 */
export class RecordingJournal {
  private readonly liveCalls = new Set<string>()

  constructor(private readonly db: Db) {}

  /** Note a recording about to start, and hold its call as live in this process. */
  async begin(recording: RecordingInProgress): Promise<void> {
    this.liveCalls.add(recording.callUuid)
    await this.db.run(
      `INSERT OR REPLACE INTO recordings_in_progress
         (file, mailbox_id, call_uuid, core_uuid, caller_id_name, caller_id_number, started_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        recording.file,
        recording.mailboxRowId,
        recording.callUuid,
        recording.coreUuid ?? null,
        recording.callerIdName,
        recording.callerIdNumber,
        recording.startedAt,
      ],
    )
  }

  /** The recording is done with (stored as a message, discarded, adopted or quarantined). */
  async finish(file: string): Promise<void> {
    await this.db.run('DELETE FROM recordings_in_progress WHERE file = ?', [file])
  }

  /** The call's flow ended: whatever it left behind is an orphan now (reconcile and the watch may take it). */
  releaseCall(callUuid: string): void {
    this.liveCalls.delete(callUuid)
  }

  /** Whether a call of this process still owns the recording. */
  isLive(recording: Pick<RecordingInProgress, 'callUuid'>): boolean {
    return this.liveCalls.has(recording.callUuid)
  }

  async get(file: string): Promise<RecordingInProgress | undefined> {
    const row = await this.db.get<Row>(`${SELECT} WHERE file = ?`, [file])
    return row === undefined ? undefined : fromRow(row)
  }

  /** Every row, oldest first. */
  async all(): Promise<RecordingInProgress[]> {
    const rows = await this.db.all<Row>(`${SELECT} ORDER BY started_at, file`)
    return rows.map(fromRow)
  }
}

const SELECT = `SELECT file, mailbox_id, call_uuid, core_uuid, caller_id_name, caller_id_number, started_at
  FROM recordings_in_progress`

interface Row {
  file: string
  mailbox_id: number
  call_uuid: string
  core_uuid: string | null
  caller_id_name: string
  caller_id_number: string
  started_at: number
}

function fromRow(r: Row): RecordingInProgress {
  return {
    file: r.file,
    mailboxRowId: r.mailbox_id,
    callUuid: r.call_uuid,
    ...(r.core_uuid === null ? {} : { coreUuid: r.core_uuid }),
    callerIdName: r.caller_id_name,
    callerIdNumber: r.caller_id_number,
    startedAt: r.started_at,
  }
}
