package store

import (
	"context"
	"database/sql"
)

// stmtCache holds statements of the write path prepared once, when the
// store opens, on the writer's single connection. A transaction uses one
// through Tx.StmtContext, which reuses the statement already prepared on
// that connection: preparing the inserter's statements and the batch
// lookups anew in every transaction of an initial sync cost about a tenth
// of the writer's time. The map is filled before the store is shared and
// only read afterwards; a nil cache prepares each statement in the
// transaction.
type stmtCache map[string]*sql.Stmt

// cachedQueries are the statements stmtCache prepares.
var cachedQueries = [...]string{
	qExisting, qAdopt, qAdoptSet, qUpdFlags, qInsert, qLiveBlob, qStashed, qUnstash, qThreadLookup,
	qNoAdopt, qNoStash, qFlushLinks, qFlushTexts, qLinkMissing, qNextID, qFolderAccount,
	prefetchExisting, prefetchLive, prefetchThreads, insertBlobSQL, qInsertBlobs, qInsertWritten, qLinkRaw,
	qInsertN(insertChunk), qInsertN(insertChunkSmall),
}

// prepareCache prepares cachedQueries on w, which must have exactly one
// connection and no transaction open.
func prepareCache(ctx context.Context, w *sql.DB) (stmtCache, error) {
	c := stmtCache{}
	for _, q := range cachedQueries {
		st, err := w.PrepareContext(ctx, q)
		if err != nil {
			c.close()
			return nil, err
		}
		c[q] = st
	}
	return c, nil
}

func (c stmtCache) close() {
	for _, st := range c {
		st.Close()
	}
}

// prepare returns q as a statement of tx; the caller closes it (which
// leaves a cached statement prepared).
func (c stmtCache) prepare(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	if st, ok := c[q]; ok {
		return tx.StmtContext(ctx, st), nil
	}
	return tx.PrepareContext(ctx, q)
}

func (c stmtCache) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) error {
	st, err := c.prepare(ctx, tx, q)
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = st.ExecContext(ctx, args...)
	return err
}

// queryRow is tx.QueryRowContext through the cache: Scan runs the query.
func (c stmtCache) queryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) cachedRow {
	return cachedRow{ctx, c, tx, q, args}
}

type cachedRow struct {
	ctx  context.Context
	c    stmtCache
	tx   *sql.Tx
	q    string
	args []any
}

func (r cachedRow) Scan(dst ...any) error {
	st, err := r.c.prepare(r.ctx, r.tx, r.q)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.QueryRowContext(r.ctx, r.args...).Scan(dst...)
}
