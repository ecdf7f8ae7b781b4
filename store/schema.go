package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations[i] upgrades a store from schema version i to i+1
// (PRAGMA user_version). Each runs in its own transaction together with the
// version bump, so a crash leaves the store at a whole version. Append only:
// never edit a migration that has shipped.
var migrations = []func(ctx context.Context, tx *sql.Tx) error{
	migrateV1Core,
	migrateV2ThreadsAndSearch,
	migrateV3Queue,
	migrateV4Outbox,
	migrateCalendar,       // v5, store/calendar.go
	migrateRules,          // v6, store/rules.go
	migrateIndexQueue,     // v7, store/index.go
	migrateListOrders,     // v8, store/read_ui.go
	migrateCollatedOrders, // v9, store/collate.go
	migrateSearchShort,    // v10, store/search_short.go
	migrateCalBriefs,      // v11, store/calendar_brief.go
	migrateBlobGC,         // v12, store/gc.go
	migrateBlobFiles,      // v13, store/blobfiles.go
}

// migrate brings db up to version target (≤ len(migrations)). The version
// is read inside each write transaction, so two processes opening an old
// store at once do not both run a step.
func migrate(ctx context.Context, db *sql.DB, target int) error {
	for {
		done, err := migrateStep(ctx, db, target)
		if err != nil || done {
			return err
		}
	}
}

func migrateStep(ctx context.Context, db *sql.DB, target int) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE on the write pool
	if err != nil {
		return false, fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback()
	var have int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return false, fmt.Errorf("store: read schema version: %w", err)
	}
	if have > len(migrations) {
		return false, &VersionError{Have: have, Known: len(migrations)}
	}
	if have >= target {
		return true, nil
	}
	if err := migrations[have](ctx, tx); err != nil {
		return false, fmt.Errorf("store: migrate to v%d: %w", have+1, err)
	}
	// user_version cannot be bound as a parameter; have is our own integer.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", have+1)); err != nil {
		return false, fmt.Errorf("store: migrate to v%d: %w", have+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: migrate to v%d: commit: %w", have+1, err)
	}
	return false, nil
}

func execAll(ctx context.Context, tx *sql.Tx, stmts ...string) error {
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%.60s…: %w", q, err)
		}
	}
	return nil
}

// migrateV1Core: accounts, folders, messages, blobs.
func migrateV1Core(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE accounts(
			id   INTEGER PRIMARY KEY AUTOINCREMENT,
			name TEXT NOT NULL UNIQUE)`,
		`CREATE TABLE folders(
			id            INTEGER PRIMARY KEY AUTOINCREMENT,
			account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
			name          TEXT NOT NULL,
			raw_name      TEXT NOT NULL,
			delim         TEXT NOT NULL DEFAULT '',
			role          TEXT NOT NULL DEFAULT '',
			parent_id     INTEGER REFERENCES folders(id) ON DELETE SET NULL,
			subscribed    INTEGER NOT NULL DEFAULT 0,
			uidvalidity   INTEGER NOT NULL DEFAULT 0,
			uidnext       INTEGER NOT NULL DEFAULT 0,
			highestmodseq INTEGER NOT NULL DEFAULT 0,
			total         INTEGER NOT NULL DEFAULT 0,
			unseen        INTEGER NOT NULL DEFAULT 0,
			last_sync     INTEGER NOT NULL DEFAULT 0,
			UNIQUE(account_id, raw_name))`,
		`CREATE INDEX folders_parent ON folders(parent_id)`,
		`CREATE TABLE blobs(
			hash  BLOB PRIMARY KEY,
			size  INTEGER NOT NULL,
			codec INTEGER NOT NULL,
			data  BLOB NOT NULL) WITHOUT ROWID`,
		`CREATE TABLE messages(
			id             INTEGER PRIMARY KEY AUTOINCREMENT,
			account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
			folder_id      INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
			uid            INTEGER NOT NULL,
			message_id     TEXT NOT NULL DEFAULT '',
			in_reply_to    TEXT NOT NULL DEFAULT '',
			refs           TEXT NOT NULL DEFAULT '',
			from_name      TEXT NOT NULL DEFAULT '',
			from_addr      TEXT NOT NULL DEFAULT '',
			to_list        TEXT NOT NULL DEFAULT '',
			cc_list        TEXT NOT NULL DEFAULT '',
			subject        TEXT NOT NULL DEFAULT '',
			date           INTEGER NOT NULL DEFAULT 0,
			internal_date  INTEGER NOT NULL DEFAULT 0,
			sort_date      INTEGER NOT NULL DEFAULT 0,
			size           INTEGER NOT NULL DEFAULT 0,
			flags          INTEGER NOT NULL DEFAULT 0,
			keywords       TEXT NOT NULL DEFAULT '',
			modseq         INTEGER NOT NULL DEFAULT 0,
			has_attachment INTEGER NOT NULL DEFAULT 0,
			preview        TEXT NOT NULL DEFAULT '',
			blob_hash      BLOB REFERENCES blobs(hash),
			UNIQUE(folder_id, uid))`,
		`CREATE INDEX messages_folder_date ON messages(folder_id, sort_date)`,
		`CREATE INDEX messages_unread ON messages(folder_id, flags) WHERE (flags & 1) = 0`,
		`CREATE INDEX messages_msgid ON messages(account_id, message_id)`,
		`CREATE INDEX messages_blob ON messages(blob_hash) WHERE blob_hash IS NOT NULL`,
		`CREATE INDEX messages_nobody ON messages(folder_id, sort_date) WHERE blob_hash IS NULL`,
		`CREATE INDEX messages_account_date ON messages(account_id, sort_date)`,
	)
}

// migrateV2ThreadsAndSearch adds thread IDs and the full-text index, and
// backfills both for rows an older store already holds.
//
// The FTS5 table is external-content over texts (one row per message:
// subject, from, recipients, body text). External content rather than
// contentless because (a) 1–2 character queries (common in Chinese: 邮箱)
// cannot use the trigram index and fall back to LIKE over texts, which needs
// the text; (b) snippets and a future tokenizer change ('rebuild') need it;
// (c) texts is an ordinary table with ON DELETE CASCADE from messages, and
// its triggers keep the index in step on every insert, update and delete,
// however the row goes away. The trigram tokenizer matches substrings in any
// script, so Chinese needs no word segmentation.
func migrateV2ThreadsAndSearch(ctx context.Context, tx *sql.Tx) error {
	err := execAll(ctx, tx,
		`ALTER TABLE messages ADD COLUMN thread_id INTEGER NOT NULL DEFAULT 0`,
		`CREATE INDEX messages_thread ON messages(thread_id, sort_date)`,
		`CREATE TABLE thread_links(
			account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
			msgid      TEXT NOT NULL,
			thread_id  INTEGER NOT NULL,
			PRIMARY KEY(account_id, msgid)) WITHOUT ROWID`,
		`CREATE INDEX thread_links_thread ON thread_links(thread_id)`,
		`CREATE TABLE texts(
			id        INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
			subject   TEXT NOT NULL DEFAULT '',
			from_text TEXT NOT NULL DEFAULT '',
			rcpt_text TEXT NOT NULL DEFAULT '',
			body      TEXT NOT NULL DEFAULT '')`,
		`CREATE VIRTUAL TABLE fts USING fts5(subject, from_text, rcpt_text, body,
			content='texts', content_rowid='id', tokenize='trigram remove_diacritics 1')`,
		`CREATE TRIGGER texts_ai AFTER INSERT ON texts BEGIN
			INSERT INTO fts(rowid, subject, from_text, rcpt_text, body)
			VALUES (new.id, new.subject, new.from_text, new.rcpt_text, new.body);
		END`,
		`CREATE TRIGGER texts_ad AFTER DELETE ON texts BEGIN
			INSERT INTO fts(fts, rowid, subject, from_text, rcpt_text, body)
			VALUES ('delete', old.id, old.subject, old.from_text, old.rcpt_text, old.body);
		END`,
		`CREATE TRIGGER texts_au AFTER UPDATE ON texts BEGIN
			INSERT INTO fts(fts, rowid, subject, from_text, rcpt_text, body)
			VALUES ('delete', old.id, old.subject, old.from_text, old.rcpt_text, old.body);
			INSERT INTO fts(rowid, subject, from_text, rcpt_text, body)
			VALUES (new.id, new.subject, new.from_text, new.rcpt_text, new.body);
		END`,
	)
	if err != nil {
		return err
	}
	return backfillV2(ctx, tx)
}

func backfillV2(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, account_id, message_id, in_reply_to, refs,
		subject, from_name, from_addr, to_list, cc_list FROM messages ORDER BY id`)
	if err != nil {
		return err
	}
	type row struct {
		id, account        int64
		msgid, irt, refs   string
		subj, fname, faddr string
		toList, ccList     string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.account, &r.msgid, &r.irt, &r.refs, &r.subj, &r.fname, &r.faddr, &r.toList, &r.ccList); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	th, err := newThreader(ctx, tx)
	if err != nil {
		return err
	}
	defer th.close()
	for _, r := range all {
		ids := threadKeys(r.msgid, r.irt, splitRefs(r.refs))
		if _, err := th.assign(ctx, AccountID(r.account), MessageID(r.id), ids); err != nil {
			return err
		}
		to, _ := decodeAddrs(r.toList)
		cc, _ := decodeAddrs(r.ccList)
		if _, err := tx.ExecContext(ctx, `INSERT INTO texts(id, subject, from_text, rcpt_text) VALUES (?,?,?,?)`,
			r.id, r.subj, addrText([]Address{{Name: r.fname, Addr: r.faddr}}), addrText(append(to, cc...))); err != nil {
			return err
		}
	}
	return nil
}

// migrateV3Queue adds the offline operations queue and the detached-body
// stash that lets a re-listed message find its body again without a download.
func migrateV3Queue(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`CREATE TABLE ops(
			id         INTEGER PRIMARY KEY AUTOINCREMENT,
			account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
			kind       INTEGER NOT NULL,
			folder_id  INTEGER REFERENCES folders(id) ON DELETE SET NULL,
			target_id  INTEGER REFERENCES folders(id) ON DELETE SET NULL,
			flags      INTEGER NOT NULL DEFAULT 0,
			keywords   TEXT NOT NULL DEFAULT '',
			payload    BLOB,
			blob_hash  BLOB,
			created    INTEGER NOT NULL,
			updated    INTEGER NOT NULL,
			attempts   INTEGER NOT NULL DEFAULT 0,
			state      INTEGER NOT NULL DEFAULT 0,
			reason     TEXT NOT NULL DEFAULT '')`,
		`CREATE INDEX ops_state ON ops(account_id, state, id)`,
		`CREATE TABLE op_uids(
			op_id      INTEGER NOT NULL REFERENCES ops(id) ON DELETE CASCADE,
			seq        INTEGER NOT NULL,
			uid        INTEGER NOT NULL,
			new_uid    INTEGER NOT NULL DEFAULT 0,
			message_id INTEGER NOT NULL DEFAULT 0,
			PRIMARY KEY(op_id, seq)) WITHOUT ROWID`,
		`CREATE TABLE detached(
			id          INTEGER PRIMARY KEY AUTOINCREMENT,
			account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
			message_id  TEXT NOT NULL,
			size        INTEGER NOT NULL,
			blob_hash   BLOB NOT NULL REFERENCES blobs(hash),
			body        TEXT NOT NULL DEFAULT '',
			detached_at INTEGER NOT NULL)`,
		`CREATE INDEX detached_msgid ON detached(account_id, message_id, size)`,
		`CREATE INDEX detached_blob ON detached(blob_hash)`,
	)
}
