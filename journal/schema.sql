-- schema.sql - the runbook journal, format version 1 (PRAGMA user_version = 1).
--
-- Embedded at build time (build/schema_sql.h) and run once, inside the transaction
-- that creates a new journal. An existing journal is never re-created: later versions
-- add forward-only migration steps in journal.c. See docs/journal-format.md.
--
-- Only built-in functions that SQLite treats as safe under trusted_schema=OFF are used
-- here (no json_* in CHECK constraints or views: SQLite 3.40 refuses them). The CHECKs
-- are few and cheap on purpose: PRAGMA integrity_check evaluates every one of them for
-- every row during verify (typeof() and GLOB checks doubled its time on a million
-- events). journal_append enforces the finer rules (UUID digits, kind alphabet, sizes)
-- and verify checks every column's storage class.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY NOT NULL CHECK (typeof(key) = 'text' AND length(key) BETWEEN 1 AND 64),
	value TEXT NOT NULL CHECK (typeof(value) = 'text' AND length(value) <= 1024)
);

CREATE TABLE events (
	seq       INTEGER PRIMARY KEY,
	id        TEXT NOT NULL CHECK (length(id) = 36),
	incident  TEXT NOT NULL CHECK (length(incident) = 36),
	ts        TEXT NOT NULL CHECK (length(ts) = 24),
	mono_ns   INTEGER NOT NULL,
	operator  TEXT NOT NULL,
	os_user   TEXT NOT NULL,
	host      TEXT NOT NULL,
	pid       INTEGER NOT NULL,
	flow      TEXT NOT NULL,
	state     TEXT NOT NULL,
	kind      TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
	data      TEXT NOT NULL,
	prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
	hash      BLOB NOT NULL CHECK (length(hash) = 32)
);

CREATE INDEX events_incident ON events (incident, seq);
CREATE INDEX events_kind ON events (kind, seq);

-- Append-only: corrections are new events. Not a security boundary (the chain is).
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
	SELECT RAISE(ABORT, 'journal is append-only');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
	SELECT RAISE(ABORT, 'journal is append-only');
END;

CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta
BEGIN
	SELECT RAISE(ABORT, 'journal is append-only');
END;

CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta
BEGIN
	SELECT RAISE(ABORT, 'journal is append-only');
END;
