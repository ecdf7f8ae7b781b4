package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointer copies committed WAL frames back into the database file
// (PRAGMA wal_checkpoint(PASSIVE)) on a connection of its own, woken after
// write transactions, so the single writer does not do it inside its
// commits: in an initial sync, where every body is written to the WAL and
// then copied again, that copy was about a tenth of the writer's time, and
// the writer is the one serial stage of the download. PASSIVE never blocks
// the writer or readers. Durability is unchanged: a commit is durable once
// in the WAL (the checkpoint only moves it), and a WAL left by a killed
// process is replayed at the next open. The writer keeps checkpointing
// itself past walWriterLimit frames, should this fall behind.
type checkpointer struct {
	db   *sql.DB
	wake chan struct{}
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

// checkpointEvery spaces the checkpoints out: each copies what the writer
// committed meanwhile, and costs one fsync of the database file.
const checkpointEvery = 100 * time.Millisecond

// walWriterLimit is the writer's own wal_autocheckpoint, in frames (16 MB
// of 4 KB pages): four times SQLite's default.
const walWriterLimit = 4000

func startCheckpointer(ctx context.Context, path string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	c := &checkpointer{db: db, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.quit:
			return
		case <-c.wake:
		}
		// A failure (busy: another process checkpoints) only leaves the
		// work to the next wake or to the writer.
		_, _ = c.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		select {
		case <-c.quit:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// nudge asks for a checkpoint soon; it never blocks.
func (c *checkpointer) nudge() {
	if c == nil {
		return
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.once.Do(func() { close(c.quit) })
	<-c.done
	return c.db.Close()
}
