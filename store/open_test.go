package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestOpenUpToDateTakesNoWriteLock: a store at this version opens and
// reads while another connection holds its write lock (a running `magpie
// sync`): opening it takes no write transaction. An older one still
// migrates (TestMigrateFromV1).
func TestOpenUpToDateTakesNoWriteLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mail.db")
	s1, err := Open(ctx, path)
	must(t, err)
	defer s1.Close()
	tx, err := s1.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock
	must(t, err)
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, "INSERT INTO accounts(name) VALUES ('held')")
	must(t, err)

	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open beside a held write lock: %v", err)
	}
	defer s2.Close()
	var n int
	must(t, s2.r.QueryRowContext(ctx, "SELECT count(*) FROM accounts").Scan(&n))
	if n != 0 {
		t.Fatalf("read %d accounts, want the committed 0", n)
	}
}
