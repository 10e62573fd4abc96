/**
 * Schema migrations, applied in order; the database's `PRAGMA user_version` is the number applied so far. Never
 * edit a released migration: add the next one.
 *
 * Times are integer milliseconds since the epoch (from the injected clock). File paths are stored relative to the
 * state directory, so a restored backup can move. Lists (email recipients, MWI accounts) are JSON arrays.
 */
export const migrations: readonly string[] = [
  // 1: the initial schema.
  `
  CREATE TABLE domains (
    name            TEXT PRIMARY KEY,
    mode            TEXT NOT NULL DEFAULT 'dual' CHECK (mode IN ('dual', 'unified')),
    unified_mailbox TEXT,
    operator        TEXT,
    auto_provision  INTEGER NOT NULL DEFAULT 1,
    timezone        TEXT NOT NULL DEFAULT 'UTC',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
  );

  CREATE TABLE mailboxes (
    id                INTEGER PRIMARY KEY,
    domain            TEXT NOT NULL REFERENCES domains(name) ON UPDATE CASCADE,
    number            TEXT NOT NULL CHECK (length(number) BETWEEN 2 AND 10 AND number NOT GLOB '*[^0-9]*'),
    kind              TEXT NOT NULL CHECK (kind IN ('personal', 'general')),
    name              TEXT NOT NULL DEFAULT '',
    pin_hash          TEXT,
    pin_temporary     INTEGER NOT NULL DEFAULT 0,
    email             TEXT NOT NULL DEFAULT '[]',
    attach_audio      INTEGER NOT NULL DEFAULT 1,
    keep_after_email  INTEGER NOT NULL DEFAULT 1,
    notify_full       INTEGER NOT NULL DEFAULT 1,
    mwi_accounts      TEXT NOT NULL DEFAULT '[]',
    quota_bytes       INTEGER,
    timezone          TEXT,
    active_greeting   TEXT NOT NULL DEFAULT 'unavailable'
                      CHECK (active_greeting IN ('unavailable', 'busy', 'temporary', 'name')),
    enabled           INTEGER NOT NULL DEFAULT 1,
    full_notified     INTEGER NOT NULL DEFAULT 0,
    locked_until      INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (domain, number)
  );

  CREATE TABLE greetings (
    mailbox_id  INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('unavailable', 'busy', 'temporary', 'name')),
    file        TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, kind)
  );

  CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT NOT NULL UNIQUE,
    mailbox_id       INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    folder           TEXT NOT NULL DEFAULT 'new' CHECK (folder IN ('new', 'saved')),
    deleted          INTEGER NOT NULL DEFAULT 0,
    urgent           INTEGER NOT NULL DEFAULT 0,
    caller_id_name   TEXT NOT NULL DEFAULT '',
    caller_id_number TEXT NOT NULL DEFAULT '',
    received_at      INTEGER NOT NULL,
    saved_at         INTEGER,
    heard_at         INTEGER,
    duration_ms      INTEGER NOT NULL,
    size_bytes       INTEGER NOT NULL,
    file             TEXT NOT NULL,
    missing          INTEGER NOT NULL DEFAULT 0,
    forwarded_from   TEXT
  );
  CREATE INDEX messages_by_box ON messages (mailbox_id, deleted, folder, urgent, received_at);
  -- Retention runs over every box at once (SPEC §6: 100,000 messages in ≤ 10 s).
  CREATE INDEX messages_by_age ON messages (folder, received_at);

  CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    mailbox_id      INTEGER REFERENCES mailboxes(id) ON DELETE SET NULL,
    message_id      INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    recipients      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT
  );
  CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);

  CREATE TABLE login_failures (
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    at         INTEGER NOT NULL
  );
  CREATE INDEX login_failures_by_box ON login_failures (mailbox_id, at);

  CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    mailbox_id INTEGER,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX audit_log_by_time ON audit_log (at);
  `,
  // 2: deletions recorded before the file is unlinked (SPEC §8 "one message lifecycle"). A row here says "this
  // file belongs to a message (or greeting) that was removed": reconcile never adopts it and finishes the unlink.
  // `unlinked_at` is set once the file is gone; the row is kept a day longer so a reconcile that looked at the file
  // just before the unlink still finds the tombstone when it is about to adopt it. No foreign key: the box may be
  // gone (mailbox remove).
  `
  CREATE TABLE deleted_files (
    file        TEXT PRIMARY KEY,
    mailbox_id  INTEGER,
    reason      TEXT NOT NULL,
    deleted_at  INTEGER NOT NULL,
    unlinked_at INTEGER
  );
  CREATE INDEX deleted_files_pending ON deleted_files (unlinked_at);
  `,
  // 3: PIN failures and locks per kind of access (SPEC §4 owner 1: nobody outside can lock the owner out).
  // `locked_until` stays the lock of remote access (5000, `*` from a greeting, `login`, the web page);
  // `owner_locked_until` is the lock of the box's own authenticated phone. `*_lock_mailed_at` rate-limit the
  // lockout mail. Failures recorded before this migration count as remote ones.
  `
  ALTER TABLE mailboxes ADD COLUMN owner_locked_until INTEGER;
  ALTER TABLE mailboxes ADD COLUMN lock_mailed_at INTEGER;
  ALTER TABLE mailboxes ADD COLUMN owner_lock_mailed_at INTEGER;
  ALTER TABLE login_failures ADD COLUMN access TEXT NOT NULL DEFAULT 'remote'
    CHECK (access IN ('owner', 'remote'));
  DROP INDEX login_failures_by_box;
  CREATE INDEX login_failures_by_box ON login_failures (mailbox_id, access, at);
  CREATE INDEX login_failures_by_age ON login_failures (at);
  `,
  // 4: MWI accounts phones asked about in unified domains (MESSAGE_QUERY), kept across restarts so the resync
  // re-lights phones that have no box of their own (sofia queries only on first registration).
  `
  CREATE TABLE mwi_learned_accounts (
    domain     TEXT NOT NULL,
    user       TEXT NOT NULL,
    learned_at INTEGER NOT NULL,
    PRIMARY KEY (domain, user)
  );
  `,
  // 5: recordings being made (SPEC §8 "nothing lost"). A row is written just before FreeSWITCH starts a `record`
  // and removed with the take (discarded) or in the transaction that stores it as a message. A row left behind
  // names a recording the daemon was killed in the middle of: its call (to ask FreeSWITCH whether the channel
  // still records it), the node that ran it (Core-UUID) and the caller, which adoption would otherwise lose.
  `
  CREATE TABLE recordings_in_progress (
    file             TEXT PRIMARY KEY,
    mailbox_id       INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    call_uuid        TEXT NOT NULL,
    core_uuid        TEXT,
    caller_id_name   TEXT NOT NULL,
    caller_id_number TEXT NOT NULL,
    started_at       INTEGER NOT NULL
  );
  `,
]
