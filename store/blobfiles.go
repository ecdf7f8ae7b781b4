package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Raw message bytes live in files beside the database, one per distinct
// content: <database>-blobs/ab/<sha256 in hex>, holding the bytes as
// encoded by their row's codec (S2 when that pays, see Encoder). The
// blobs table keeps one row per file (hash, size, codec; its data column
// is empty), so messages, stashed bodies and queued appends reference
// blobs by foreign key as before and GC finds unreferenced ones by SQL.
//
// Why files: an initial sync writes every message's bytes once. Through
// SQLite (modernc's pure-Go build) each byte was copied into the page
// cache, the WAL and back into the database by the checkpoint, all on the
// single writer connection, which the header rows also need. A file is
// written by whichever goroutine prepared the body, in parallel, and the
// writer only inserts a small row.
//
// Crash safety: a file is written under blobs/tmp, fsynced, renamed into
// place and its directory fsynced before any transaction that references
// it commits (WriteBlob or PrepareWrite, or the writer itself when a body comes
// unwritten). So a committed row always has its file, whatever SQLite's
// synchronous=NORMAL later loses: that is stronger than the database's
// own durability, as it must be, since the row may survive a power loss
// that the bytes would not. A process killed between the rename and the
// commit leaves a file no row names; GC removes such files.
//
// Before v13, bytes were stored in blobs.data; migrateBlobFiles moves
// them out, and reads still accept a row whose data is not empty.

// blobDirFor is the blob directory of the database at path.
func blobDirFor(path string) string { return path + "-blobs" }

// blobPath is where the file of h lives under dir: 256 subdirectories by
// the first byte, so no directory grows past a few thousand entries per
// million messages.
func blobPath(dir string, h Hash) string {
	x := hex.EncodeToString(h[:])
	return filepath.Join(dir, x[:2], x)
}

// txBlobDir is the blob directory of the database tx writes to, for the
// paths that do not know the Store (migrations, queued appends).
func txBlobDir(ctx context.Context, tx *sql.Tx) (string, error) {
	var seq int
	var name, file string
	if err := tx.QueryRowContext(ctx, `SELECT seq, name, file FROM pragma_database_list WHERE name = 'main'`).Scan(&seq, &name, &file); err != nil {
		return "", fmt.Errorf("store: database path: %w", err)
	}
	if file == "" {
		return "", errors.New("store: database path: an in-memory database has no blob directory")
	}
	return blobDirFor(file), nil
}

// writeBlobFile makes the file of h hold data (the encoded bytes)
// durably: written under tmp, fsynced, renamed into place and its
// directory fsynced. It does not look for an existing file first: the
// same content twice is rare (a duplicate message), and renaming equal
// bytes over a file is harmless, while a lookup per blob is not free. A
// system call per step, no more (see writeSynced): an initial sync
// writes one file per message. (Keeping the 257 blob directories open
// to write relative to them saved ~1% of a cold sync's CPU: not worth a
// descriptor per directory in every process with a store open.)
func writeBlobFile(dir string, h Hash, data []byte) error {
	x := hex.EncodeToString(h[:])
	sub := filepath.Join(dir, x[:2])
	dst := filepath.Join(sub, x)
	// Unique among concurrent writers of the same content too.
	tmp := filepath.Join(dir, "tmp", x[:16]+"."+strconv.FormatUint(rand.Uint64(), 36))
	// The directories exist but for the first blobs: each is made when
	// a create or rename finds it missing, not looked up for every blob.
	err := writeSynced(tmp, data)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(tmp), 0o700); err != nil {
			return fmt.Errorf("store: blob directory: %w", err)
		}
		err = writeSynced(tmp, data)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: write blob: %w", err)
	}
	err = renameFile(tmp, dst)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(sub, 0o700); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("store: blob directory: %w", err)
		}
		err = renameFile(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: write blob: %w", err)
	}
	if err := syncDir(sub); err != nil {
		return fmt.Errorf("store: write blob: %w", err)
	}
	return nil
}

// WriteBlob writes p's bytes to their file now, from the calling
// goroutine, so that the Put method p goes to only records the blob: the
// sync engine calls it from its parallel encoders, off the single writer.
// It is safe for concurrent use. p keeps its raw bytes (Body.Raw), so the
// writer can write the file again should GC remove it meanwhile.
func (s *Store) WriteBlob(p *PreparedBody) error {
	if err := writeBlobFile(s.blobs, p.sum, p.data); err != nil {
		return fmt.Errorf("store: write blob of %d: %w", p.ID, err)
	}
	p.data = nil // on disk now; the writer re-encodes Body.Raw if it must
	p.written = true
	return nil
}

// PrepareWrite is Prepare followed by WriteBlob, from the calling
// goroutine, without copying the compressed bytes out of e's buffer: they
// are on disk before e encodes again. The sync engine's encoders use it;
// a compressed copy per body was a third of the bytes they allocated.
// The error is WriteBlob's (p is complete all the same).
func (e *Encoder) PrepareWrite(s *Store, id MessageID, b Body) (PreparedBody, error) {
	p := PreparedBody{ID: id, Body: b, sum: sha256.Sum256(b.Raw)}
	codec, data, _, err := e.encodeShared(b.Raw)
	if err != nil {
		return p, fmt.Errorf("store: prepare body %d: %w", id, err)
	}
	p.codec = codec
	if err := writeBlobFile(s.blobs, p.sum, data); err != nil {
		// data stays nil: recordBlob encodes Body.Raw again if it must.
		return p, fmt.Errorf("store: write blob of %d: %w", id, err)
	}
	p.written = true
	return p, nil
}

// recordBlob inserts the row of a blob (unless its hash has one) and makes
// sure its file exists, writing it if not: WriteBlob may have run before a
// GC removed the file of an unreferenced blob with the same hash. The
// check runs inside the writer's transaction, and GC removes files inside
// its own, so no GC can remove the file between this check and the
// commit. written says the caller wrote the file in codec (see
// PreparedBody.written): a row of the same content in an older codec then
// takes codec, as the file now holds it.
func recordBlob(ctx context.Context, tx *sql.Tx, dir string, sum Hash, size int, codec Codec, data []byte, raw []byte, written bool) error {
	if !fileExists(blobPath(dir, sum)) {
		if data == nil {
			var e Encoder
			var err error
			if codec, data, err = e.encode(raw); err != nil {
				return err
			}
		}
		if err := writeBlobFile(dir, sum, data); err != nil {
			return err
		}
		// A row left by a GC whose commit failed after it removed the
		// file takes the codec of the file just written.
		_, err := tx.ExecContext(ctx, upsertBlobSQL, sum[:], size, codec)
		return err
	}
	if written {
		_, err := tx.ExecContext(ctx, upsertBlobSQL, sum[:], size, codec)
		return err
	}
	_, err := tx.ExecContext(ctx, insertBlobSQL, sum[:], size, codec, []byte{})
	return err
}

const upsertBlobSQL = `INSERT INTO blobs(hash, size, codec, data) VALUES (?1, ?2, ?3, x'')
	ON CONFLICT(hash) DO UPDATE SET size = ?2, codec = ?3, data = x''`

// readBlobFile reads the encoded bytes of h.
func readBlobFile(dir string, h Hash) ([]byte, error) {
	data, err := os.ReadFile(blobPath(dir, h))
	if err != nil {
		return nil, err
	}
	return data, nil
}

// removeBlobFiles removes the files of hashes whose rows GC deleted; a
// missing file is not an error.
func removeBlobFiles(dir string, hashes []Hash) error {
	for _, h := range hashes {
		if err := os.Remove(blobPath(dir, h)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// orphanAge is how old a file without a row must be before GC removes it:
// a sync in progress (this process or another) writes files a little
// before the rows that name them commit.
const orphanAge = time.Hour

// sweepOrphans removes, in one random subdirectory of dir (of 256, so each
// GC costs a few hundred lookups whatever the store's size), files older
// than orphanAge that no blob row names, and stale temporary files: what
// a process killed mid-sync leaves. It runs inside GC's transaction, so
// no writer can record one of these hashes meanwhile.
func sweepOrphans(ctx context.Context, tx *sql.Tx, dir string, now time.Time) (int64, error) {
	var n int64
	old := func(e fs.DirEntry) bool {
		info, err := e.Info()
		return err == nil && now.Sub(info.ModTime()) > orphanAge
	}
	tmp, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	for _, e := range tmp {
		if old(e) && os.Remove(filepath.Join(dir, "tmp", e.Name())) == nil {
			n++
		}
	}
	sub := fmt.Sprintf("%02x", rand.IntN(256))
	entries, err := os.ReadDir(filepath.Join(dir, sub))
	if err != nil {
		return n, nil // no such subdirectory yet
	}
	for _, e := range entries {
		raw, err := hex.DecodeString(e.Name())
		if err != nil || len(raw) != len(Hash{}) || !strings.HasPrefix(e.Name(), sub) || !old(e) {
			continue
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM blobs WHERE hash = ?`, raw).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			if os.Remove(filepath.Join(dir, sub, e.Name())) == nil {
				n++
			}
			continue
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// migrateBlobFiles (v13) moves every blob's bytes out of the database into
// its file, a few rows at a time so memory holds only those; the files
// are durable before the rows are emptied, and the whole step is one
// transaction, so a crash leaves the store at v12 with (harmless, equal)
// files that the step writes again. The database file keeps its size
// (freed pages are reused by later writes) until a VACUUM.
func migrateBlobFiles(ctx context.Context, tx *sql.Tx) error {
	dir, err := txBlobDir(ctx, tx)
	if err != nil {
		return err
	}
	for {
		rows, err := tx.QueryContext(ctx, `SELECT rowid, hash, data FROM blobs WHERE length(data) > 0 LIMIT 16`)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			var hash, data []byte
			if err := rows.Scan(&id, &hash, &data); err != nil {
				rows.Close()
				return err
			}
			var h Hash
			copy(h[:], hash)
			if err := writeBlobFile(dir, h, data); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE blobs SET data = x'' WHERE rowid = ?`, id); err != nil {
				return err
			}
		}
	}
}
