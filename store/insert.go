package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// inserter holds the prepared statements and the per-batch state of a batch
// insert of message rows (PutHeaders, a queued append). Per message it runs
// whatever lookups prefetch could not answer for the whole batch at once;
// new rows (after a prefetch), thread links and index rows are staged and
// written by flush in few statements. Fewer statements is the point: each
// costs a round through database/sql and the driver, and FTS5 flushes its
// pending segment at every statement savepoint, so one texts INSERT per
// message between other writes would make one tiny segment per message
// (10× slower). A staged row is written before anything reads or updates
// it (flushRowsFrom; a thread merge rewrites staged rows in place).
//
// Message IDs are chosen here (above every ID the table ever used, as
// AUTOINCREMENT would), so a new row's thread is known before its INSERT:
// no statement other than the inserter's may insert messages while it is
// in use.
type inserter struct {
	tx                                  *sql.Tx
	cache                               stmtCache
	existing, adopt, adoptSet, updFlags *sql.Stmt
	insert, liveBlob, stashed, unstash  *sql.Stmt
	threadLookup                        *sql.Stmt
	texts                               [][5]any
	nextID                              int64 // 0 until the first INSERT

	// rows holds new rows' INSERT arguments (insertCols each) that
	// flushRows writes in multi-row statements; nil: each row is
	// inserted at once (no prefetch, so per-message lookups must see it).
	rows []any

	// Answers prefetch gave for the whole batch; nil maps mean "ask per
	// message".
	known      map[UID]int64      // (folder, UID) rows of the batch that exist
	live       map[liveKey]liveAt // bodies stored for a Message-ID and size
	noAdopt    bool               // the folder has no provisional rows
	noStash    bool               // the account has no stashed bodies
	threads    map[linkKey]int64  // thread of a Message-ID; 0: known not to exist
	dirtyLinks map[linkKey]bool   // links flush writes
}

type liveKey struct {
	msgid string
	size  int64
}

type liveAt struct {
	hash []byte
	body string
}

type linkKey struct {
	acct  AccountID
	msgid string
}

const flushChunk = 2000

// The inserter's statements, prepared once per store on the writer's
// connection (see stmtCache).
const (
	qExisting = `SELECT id FROM messages WHERE folder_id = ? AND uid = ?`
	qAdopt    = `SELECT id FROM messages WHERE account_id = ? AND message_id = ? AND folder_id = ? AND uid <= 0 LIMIT 1`
	qAdoptSet = `UPDATE messages SET uid = ?, flags = ?, keywords = ?, modseq = ? WHERE id = ?`
	qUpdFlags = `UPDATE messages SET flags = ?, keywords = ?, modseq = ? WHERE id = ?`
	qInsert   = insertHead + insertRow
	qLiveBlob = `SELECT m.blob_hash, coalesce(t.body, '') FROM messages m LEFT JOIN texts t ON t.id = m.id
			WHERE m.account_id = ? AND m.message_id = ? AND m.size = ? AND m.blob_hash IS NOT NULL LIMIT 1`
	qStashed      = `SELECT id, blob_hash, body FROM detached WHERE account_id = ? AND message_id = ? AND size = ? LIMIT 1`
	qUnstash      = `DELETE FROM detached WHERE id = ?`
	qThreadLookup = `SELECT thread_id FROM thread_links WHERE account_id = ? AND msgid = ?`
	qNoAdopt      = `SELECT NOT EXISTS (SELECT 1 FROM messages WHERE folder_id = ? AND uid <= 0)`
	qNoStash      = `SELECT NOT EXISTS (SELECT 1 FROM detached WHERE account_id = ?)`
	qFlushLinks   = `INSERT INTO thread_links(account_id, msgid, thread_id)
			SELECT ?1, j.value, CAST(substr(?3, j.key * 20 + 1, 20) AS INTEGER) FROM json_each(?2) AS j WHERE true
			ON CONFLICT(account_id, msgid) DO UPDATE SET thread_id = excluded.thread_id`
	qFlushTexts = `INSERT INTO texts(id, subject, from_text, rcpt_text, body)
			SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?)`
	qLinkMissing = `UPDATE messages SET blob_hash = ?, indexed = 0 WHERE id = ? AND blob_hash IS NULL`
	qNextID      = `SELECT max(
			coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0),
			coalesce((SELECT max(id) FROM messages), 0)) + 1`
	qFolderAccount = `SELECT account_id FROM folders WHERE id = ?`
)

// The INSERT of new rows: qInsert for one, qInsertN(n) for n at once.
const (
	insertHead = `INSERT INTO messages(id, account_id, folder_id, uid, message_id, in_reply_to, refs,
			from_name, from_addr, to_list, cc_list, subject, date, internal_date, sort_date, size,
			flags, keywords, modseq, has_attachment, preview, blob_hash, indexed, thread_id) VALUES `
	insertRow  = `(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`
	insertCols = 24
	colThread  = 23 // thread_id's place in a row's arguments
)

// The row counts of the multi-row INSERTs flushRows runs (and then
// single rows).
const insertChunk, insertChunkSmall = 64, 8

func qInsertN(n int) string {
	return insertHead + strings.Repeat(insertRow+",", n-1) + insertRow
}

// newInserter prepares the inserter's statements in tx, reusing those of
// cache (nil: none).
func newInserter(ctx context.Context, tx *sql.Tx, cache stmtCache) (*inserter, error) {
	ins := &inserter{tx: tx, cache: cache, threads: map[linkKey]int64{}, dirtyLinks: map[linkKey]bool{}}
	for _, p := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&ins.existing, qExisting},
		{&ins.adopt, qAdopt},
		{&ins.adoptSet, qAdoptSet},
		{&ins.updFlags, qUpdFlags},
		{&ins.insert, qInsert},
		{&ins.liveBlob, qLiveBlob},
		{&ins.stashed, qStashed},
		{&ins.unstash, qUnstash},
		{&ins.threadLookup, qThreadLookup},
	} {
		st, err := cache.prepare(ctx, tx, p.q)
		if err != nil {
			ins.close()
			return nil, err
		}
		*p.dst = st
	}
	return ins, nil
}

func (ins *inserter) close() {
	for _, st := range []*sql.Stmt{ins.existing, ins.adopt, ins.adoptSet, ins.updFlags, ins.insert,
		ins.liveBlob, ins.stashed, ins.unstash, ins.threadLookup} {
		if st != nil {
			st.Close()
		}
	}
}

// prefetch answers, in a few statements for the whole batch, the lookups
// put would otherwise make per message: which UIDs exist, which bodies are
// stored already, the threads of every Message-ID the batch carries, and
// whether provisional rows or stashed bodies exist at all (usually not:
// then their lookups are skipped).
func (ins *inserter) prefetch(ctx context.Context, acct AccountID, folder FolderID, msgs []Message) error {
	uids := make([]UID, 0, len(msgs))
	wanted := map[liveKey]bool{} // the bodies the batch could reuse
	var msgids []string
	var keys []string
	for i := range msgs {
		m := &msgs[i]
		uids = append(uids, m.UID)
		msgid := normMsgID(m.MsgID)
		if msgid != "" && m.Size > 0 {
			wanted[liveKey{msgid, m.Size}] = true
			msgids = append(msgids, msgid)
		}
		keys = append(keys, threadKeys(msgid, normMsgID(m.InReplyTo), normRefs(m.References))...)
	}
	ins.known = map[UID]int64{}
	if ins.rows == nil {
		ins.rows = make([]any, 0, min(len(msgs), flushChunk)*insertCols)
	}
	err := ins.queryJSON(ctx, uids, prefetchExisting, folder, func(r *sql.Rows) error {
		var u UID
		var id int64
		err := r.Scan(&u, &id)
		ins.known[u] = id
		return err
	})
	if err != nil {
		return err
	}
	ins.live = map[liveKey]liveAt{}
	if len(msgids) > 0 {
		slices.Sort(msgids)
		msgids = slices.Compact(msgids)
		err = ins.queryJSON(ctx, msgids, prefetchLive, acct, func(r *sql.Rows) error {
			var k liveKey
			var at liveAt
			err := r.Scan(&k.msgid, &k.size, &at.hash, &at.body)
			if _, dup := ins.live[k]; !dup && wanted[k] {
				ins.live[k] = at
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	// A key known already (an earlier batch of the same transaction)
	// keeps what it has: its link may not be written yet.
	keys = slices.DeleteFunc(keys, func(k string) bool {
		_, known := ins.threads[linkKey{acct, k}]
		return known
	})
	for _, k := range keys {
		ins.threads[linkKey{acct, k}] = 0
	}
	err = ins.queryJSON(ctx, keys, prefetchThreads, acct, func(r *sql.Rows) error {
		var k string
		var t int64
		err := r.Scan(&k, &t)
		ins.threads[linkKey{acct, k}] = t
		return err
	})
	if err != nil {
		return err
	}
	if err := ins.cache.queryRow(ctx, ins.tx, qNoAdopt, folder).Scan(&ins.noAdopt); err != nil {
		return err
	}
	return ins.cache.queryRow(ctx, ins.tx, qNoStash, acct).Scan(&ins.noStash)
}

// The prefetch queries take a JSON list as ?2 and must walk it, looking
// each entry up by index (TestPrefetchPlans): CROSS JOIN keeps SQLite from
// scanning messages with json_each inside, which a partial index over
// stored bodies made look cheap to the planner (and took seconds). Each
// list is of plain values: prefetchLive finds the stored bodies of the
// batch's Message-IDs whatever their size, and prefetch keeps those of the
// sizes it wants (another size is rare), rather than parse a JSON object
// per message twice (->> 'm', ->> 's': ~half of that query's CPU).
const (
	prefetchExisting = `SELECT m.uid, m.id FROM json_each(?2) AS j CROSS JOIN messages m
		WHERE m.folder_id = ?1 AND m.uid = j.value`
	prefetchLive = `SELECT m.message_id, m.size, m.blob_hash, coalesce(t.body, '')
		FROM json_each(?2) AS j CROSS JOIN messages m INDEXED BY messages_msgid LEFT JOIN texts t ON t.id = m.id
		WHERE m.account_id = ?1 AND m.message_id = j.value AND m.blob_hash IS NOT NULL`
	prefetchThreads = `SELECT l.msgid, l.thread_id FROM json_each(?2) AS j CROSS JOIN thread_links l
		WHERE l.account_id = ?1 AND l.msgid = j.value`
)

// queryJSON runs q with arg as ?1 and list, as JSON, as ?2, and calls scan
// for each row.
func (ins *inserter) queryJSON(ctx context.Context, list any, q string, arg any, scan func(*sql.Rows) error) error {
	j, err := json.Marshal(list)
	if err != nil {
		return err
	}
	st, err := ins.cache.prepare(ctx, ins.tx, q)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := st.QueryContext(ctx, arg, string(j))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// flush writes the staged thread links and texts rows; call it before the
// transaction ends.
func (ins *inserter) flush(ctx context.Context) error {
	if err := ins.flushRows(ctx); err != nil {
		return err
	}
	if len(ins.dirtyLinks) > 0 {
		if err := ins.flushLinks(ctx); err != nil {
			return err
		}
	}
	for len(ins.texts) > 0 {
		n := min(flushChunk, len(ins.texts))
		b, err := json.Marshal(ins.texts[:n])
		if err != nil {
			return err
		}
		ins.texts = ins.texts[n:]
		if err := ins.cache.exec(ctx, ins.tx, qFlushTexts, string(b)); err != nil {
			return err
		}
	}
	return nil
}

// flushLinks writes the staged thread links, one statement per account
// (a batch has one): the Message-IDs as a JSON list and, beside it, their
// threads as 20-digit decimal numbers in one blob, the k-th at k*20, so
// that no JSON value per link is parsed and picked apart (->> per field
// was half of the statement's CPU). A blob, not a text: substr counts a
// text's characters from its start, which made the statement quadratic.
func (ins *inserter) flushLinks(ctx context.Context) error {
	type links struct {
		msgids  []string
		threads []byte
	}
	byAcct := map[AccountID]*links{}
	for k := range ins.dirtyLinks {
		l := byAcct[k.acct]
		if l == nil {
			l = &links{}
			byAcct[k.acct] = l
		}
		l.msgids = append(l.msgids, k.msgid)
		l.threads = fmt.Appendf(l.threads, "%020d", ins.threads[k])
	}
	clear(ins.dirtyLinks)
	for acct, l := range byAcct {
		b, err := json.Marshal(l.msgids)
		if err != nil {
			return err
		}
		if err := ins.cache.exec(ctx, ins.tx, qFlushLinks, acct, string(b), l.threads); err != nil {
			return err
		}
	}
	return nil
}

// put inserts m (Account, Folder set) or updates the flags of its existing
// row; it returns the row ID.
func (ins *inserter) put(ctx context.Context, m *Message) (MessageID, error) {
	return ins.putWith(ctx, m, nil)
}

// putWith is put for a message whose raw body is stored already under
// body (nil: not fetched): a new row links it from the start and waits for
// the index; an existing or adopted row without a body gets it.
func (ins *inserter) putWith(ctx context.Context, m *Message, body *Hash) (MessageID, error) {
	kw := normKeywords(m.Keywords)
	msgid := normMsgID(m.MsgID)
	id, found, err := ins.lookupExisting(ctx, m)
	if err != nil {
		return 0, err
	}
	if found {
		if err := ins.flushRowsFrom(ctx, id); err != nil {
			return 0, err
		}
		if _, err = ins.updFlags.ExecContext(ctx, m.Flags, kw, int64(m.ModSeq), id); err != nil {
			return 0, err
		}
		return MessageID(id), ins.linkMissing(ctx, id, body)
	}
	if msgid != "" && m.UID > 0 && !ins.noAdopt {
		err = ins.adopt.QueryRowContext(ctx, m.Account, msgid, m.Folder).Scan(&id)
		if err == nil {
			if _, err = ins.adoptSet.ExecContext(ctx, m.UID, m.Flags, kw, int64(m.ModSeq), id); err != nil {
				return 0, err
			}
			ins.remember(m.UID, id)
			return MessageID(id), ins.linkMissing(ctx, id, body)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	irt := normMsgID(m.InReplyTo)
	refs := normRefs(m.References)
	// A body already stored for the same mail?
	var at liveAt
	if body != nil {
		at.hash = body[:] // its text waits for the index (at.body empty)
	} else if msgid != "" && m.Size > 0 {
		if at, err = ins.storedBody(ctx, m.Account, liveKey{msgid, m.Size}); err != nil {
			return 0, err
		}
	}
	var blob any
	if at.hash != nil {
		blob = at.hash
	}
	// A new row's texts row (what FTS indexes) is written once, with the
	// body's text: here when a relinked body's text is known, else by the
	// index stage (PutTexts), which also indexes rows without a body.
	// Meanwhile (indexed = 0, no texts row) Search finds the row by its
	// headers (unindexedSQL). Writing it here too cost the header pass a
	// second FTS insert and delete per message: ~15% of a cold sync's CPU
	// to offline.
	indexed := boolInt(at.body != "")
	if id, err = ins.newID(ctx); err != nil {
		return 0, err
	}
	tid, err := ins.assignThread(ctx, m.Account, id, threadKeys(msgid, irt, refs))
	if err != nil {
		return 0, err
	}
	row := [insertCols]any{id, m.Account, m.Folder, m.UID, msgid, irt, strings.Join(refs, " "),
		m.From.Name, m.From.Addr, encodeAddrs(m.To), encodeAddrs(m.Cc), m.Subject,
		unix(m.Date), unix(m.InternalDate), unix(m.SortDate()), m.Size,
		m.Flags, kw, int64(m.ModSeq), boolInt(m.HasAttachment), m.Preview, blob, indexed, tid}
	if ins.rows != nil {
		ins.rows = append(ins.rows, row[:]...)
	} else if _, err = ins.insert.ExecContext(ctx, row[:]...); err != nil {
		return 0, err
	}
	ins.remember(m.UID, id)
	if indexed == 1 {
		rcpt := addrText(append(slices.Clone(m.To), m.Cc...))
		ins.texts = append(ins.texts, [5]any{id, m.Subject, addrText([]Address{m.From}), rcpt, at.body})
	}
	return MessageID(id), nil
}

// flushRowsFrom writes the staged rows if the row id may be one of them.
func (ins *inserter) flushRowsFrom(ctx context.Context, id int64) error {
	if len(ins.rows) == 0 || id < ins.rows[0].(int64) {
		return nil
	}
	return ins.flushRows(ctx)
}

// flushRows writes the staged rows: many per statement, for what a
// statement costs whatever its rows (a round through database/sql and
// the driver, opening a cursor on the table and each of its indexes,
// AUTOINCREMENT's lookup and update of sqlite_sequence).
func (ins *inserter) flushRows(ctx context.Context) error {
	rows := ins.rows
	for len(rows) > 0 {
		n := len(rows) / insertCols
		q := qInsert
		switch {
		case n >= insertChunk:
			n, q = insertChunk, qInsertN(insertChunk)
		case n >= insertChunkSmall:
			n, q = insertChunkSmall, qInsertN(insertChunkSmall)
		default:
			n = 1
		}
		if err := ins.cache.exec(ctx, ins.tx, q, rows[:n*insertCols]...); err != nil {
			return err
		}
		rows = rows[n*insertCols:]
	}
	clear(ins.rows)
	ins.rows = ins.rows[:0]
	return nil
}

// linkMissing gives row id the body stored under body when it has none.
func (ins *inserter) linkMissing(ctx context.Context, id int64, body *Hash) error {
	if body == nil {
		return nil
	}
	return ins.cache.exec(ctx, ins.tx, qLinkMissing, body[:], id)
}

func (ins *inserter) lookupExisting(ctx context.Context, m *Message) (int64, bool, error) {
	if ins.known != nil {
		id, ok := ins.known[m.UID]
		return id, ok, nil
	}
	var id int64
	err := ins.existing.QueryRowContext(ctx, m.Folder, m.UID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// remember records a row now holding (folder, uid) for the rest of the batch.
func (ins *inserter) remember(uid UID, id int64) {
	if ins.known != nil {
		ins.known[uid] = id
	}
}

// storedBody finds a body stored for a Message-ID and size: a live one
// (another folder holds the same mail), else a stashed one, which it
// takes out of the stash.
func (ins *inserter) storedBody(ctx context.Context, acct AccountID, k liveKey) (liveAt, error) {
	var at liveAt
	if ins.live != nil {
		if at, ok := ins.live[k]; ok {
			return at, nil
		}
	} else {
		err := ins.liveBlob.QueryRowContext(ctx, acct, k.msgid, k.size).Scan(&at.hash, &at.body)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return at, err
		}
	}
	if ins.noStash {
		return at, nil
	}
	var sid int64
	err := ins.stashed.QueryRowContext(ctx, acct, k.msgid, k.size).Scan(&sid, &at.hash, &at.body)
	if errors.Is(err, sql.ErrNoRows) {
		return liveAt{}, nil
	}
	if err != nil {
		return liveAt{}, err
	}
	if _, err := ins.unstash.ExecContext(ctx, sid); err != nil {
		return liveAt{}, err
	}
	if ins.live != nil {
		ins.live[k] = at // now live: a copy later in the batch finds it
	}
	return at, nil
}

// newID returns the next message ID: above every ID messages ever had,
// as AUTOINCREMENT promises (sqlite_sequence follows explicit IDs).
func (ins *inserter) newID(ctx context.Context) (int64, error) {
	if ins.nextID == 0 {
		err := ins.cache.queryRow(ctx, ins.tx, qNextID).Scan(&ins.nextID)
		if err != nil {
			return 0, err
		}
	}
	id := ins.nextID
	ins.nextID++
	return id, nil
}

// assignThread gives the message id, about to be inserted, its thread
// (see threader, whose rules it follows): the thread of any Message-ID it
// carries or references that is already known, merging several into the
// oldest. Rows already written are merged in place; the links of keys are
// staged for flush.
func (ins *inserter) assignThread(ctx context.Context, acct AccountID, id int64, keys []string) (int64, error) {
	var found []int64
	for _, k := range keys {
		lk := linkKey{acct, k}
		t, ok := ins.threads[lk]
		if !ok {
			err := ins.threadLookup.QueryRowContext(ctx, acct, k).Scan(&t)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return 0, err
			}
			ins.threads[lk] = t
		}
		if t != 0 && !slices.Contains(found, t) {
			found = append(found, t)
		}
	}
	tid := id
	if len(found) > 0 {
		tid = slices.Min(found)
	}
	for _, old := range found {
		if old == tid {
			continue
		}
		if _, err := ins.tx.ExecContext(ctx, `UPDATE messages SET thread_id = ? WHERE thread_id = ?`, tid, old); err != nil {
			return 0, err
		}
		for i := colThread; i < len(ins.rows); i += insertCols {
			if ins.rows[i] == any(old) {
				ins.rows[i] = tid
			}
		}
		if _, err := ins.tx.ExecContext(ctx, `UPDATE thread_links SET thread_id = ? WHERE thread_id = ?`, tid, old); err != nil {
			return 0, err
		}
		for k, t := range ins.threads {
			if t == old {
				ins.threads[k] = tid
				ins.dirtyLinks[k] = true
			}
		}
	}
	for _, k := range keys {
		lk := linkKey{acct, k}
		// A link that holds tid already (stored, or staged) is not
		// written again: a thread's root is referenced by every reply.
		if ins.threads[lk] != tid {
			ins.threads[lk] = tid
			ins.dirtyLinks[lk] = true
		}
	}
	return tid, nil
}
