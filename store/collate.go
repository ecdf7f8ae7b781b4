package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"modernc.org/sqlite"
)

// The list's sort by sender and by subject follows the Unicode Collation
// Algorithm with the CLDR tailoring for Chinese (golang.org/x/text/collate):
// letters fold case in every script (É, e and E alike; Ω and ω alike),
// accents and full-width forms are ignored, and Chinese sorts by pinyin,
// after the Latin, Greek and Cyrillic letters. Ties — and keys equal in
// their first sortKeyBytes bytes, about the first 16 letters or 10 Chinese
// characters — fall back to the date. SQLite's lower() folded ASCII only.
//
// The key is an SQL function (sortKeyFunc) so that the list's indexes can be
// on it: it is computed once per message as it is stored, and a page is an
// index range as before. Its text is the collation key's first sortKeyBytes
// bytes in hex, so that SQLite's byte-wise TEXT comparison orders it.
//
// The function is registered with the SQLite driver for the whole process
// (every connection of every Store; the driver has no other way), so a
// store file can be written only by Magpie: another program inserting into
// messages fails with "no such function: magpie_sortkey".
const (
	sortKeyFunc  = "magpie_sortkey"
	sortKeyBytes = 32
)

func init() {
	// A Collator is not safe for concurrent use and costs ~20 µs to make:
	// a pool, held by the function (no package state).
	pool := &sync.Pool{New: func() any { return NewSortKeyer() }}
	sqlite.MustRegisterDeterministicScalarFunction(sortKeyFunc, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		var s string
		switch v := args[0].(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		}
		k := pool.Get().(*SortKeyer)
		defer pool.Put(k)
		return k.Key(s), nil
	})
}

// SortKeyer computes sort keys, as the store's sender and subject orders
// compare them (SortCursor.Key). It is not safe for concurrent use.
type SortKeyer struct {
	c   *collate.Collator
	buf collate.Buffer
}

// NewSortKeyer returns a SortKeyer.
func NewSortKeyer() *SortKeyer {
	return &SortKeyer{c: collate.New(language.Chinese, collate.Loose)}
}

// Key is s's sort key: strings compare (byte-wise) as the list sorts them.
func (k *SortKeyer) Key(s string) string {
	k.buf.Reset()
	key := k.c.KeyFromString(&k.buf, s)
	return hex.EncodeToString(key[:min(len(key), sortKeyBytes)])
}

// migrateCollatedOrders rebuilds the sender and subject indexes of
// migrateListOrders on the collation keys (senderKey and subjectKey,
// without the table alias), under the same names.
func migrateCollatedOrders(ctx context.Context, tx *sql.Tx) error {
	return execAll(ctx, tx,
		`DROP INDEX IF EXISTS messages_folder_sender`,
		`DROP INDEX IF EXISTS messages_folder_subject`,
		`CREATE INDEX messages_folder_sender ON messages(folder_id,
			magpie_sortkey(CASE WHEN from_name <> '' THEN from_name ELSE from_addr END), sort_date)`,
		`CREATE INDEX messages_folder_subject ON messages(folder_id, magpie_sortkey(subject), sort_date)`,
	)
}
