package migrate

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/quirkserver"
	"github.com/magpie-mail/magpie/internal/testenv"
)

// dropper forwards TCP to backend and cuts each of the first cuts
// connections after limit bytes from the client: a connection lost in the
// middle of an APPEND.
type dropper struct {
	ln      net.Listener
	backend string
	limit   int64
	cuts    atomic.Int32
	wg      sync.WaitGroup
}

func startDropper(t *testing.T, backend string, limit int64, cuts int32) *dropper {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &dropper{ln: ln, backend: backend, limit: limit}
	d.cuts.Store(cuts)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d.wg.Add(1)
			go func() { defer d.wg.Done(); d.serve(c) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); d.wg.Wait() })
	return d
}

func (d *dropper) serve(c net.Conn) {
	defer c.Close()
	b, err := net.Dial("tcp", d.backend)
	if err != nil {
		return
	}
	defer b.Close()
	cut := d.cuts.Add(-1) >= 0
	go func() { io.Copy(c, b); c.Close() }()
	if cut {
		io.CopyN(b, c, d.limit)
		return // both closed by the defers
	}
	io.Copy(b, c)
}

// Connections to the destination drop in the middle of APPENDs: the run
// reconnects, checks what arrived, and ends with no duplicate.
func TestConnectionDropsAreRetriedWithoutDuplicates(t *testing.T) {
	d := testenv.Dovecot(t)
	src := dovecotSide(t, d, d.NewUser(t))
	du := d.NewUser(t)
	upload(t, src, corpus.Options{Seed: 8, Messages: 80, Malformed: true})
	migrateThroughDropper(t, src, d.IMAPAddr(), du.Name, du.Password)
}

// The same into a destination without MULTIAPPEND or LITERAL+ (Exmail's
// capabilities): connections drop in the middle of the appender's
// pipelined single APPENDs, and the run still ends with every message
// once.
func TestConnectionDropsWithoutMultiAppend(t *testing.T) {
	d := testenv.Dovecot(t)
	src := dovecotSide(t, d, d.NewUser(t))
	du := d.NewUser(t)
	upload(t, src, corpus.Options{Seed: 9, Messages: 80, Malformed: true})
	proxy, err := quirkserver.Start(quirkserver.Options{Profile: quirkserver.Exmail, Backend: d.IMAPAddr()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	migrateThroughDropper(t, src, proxy.Addr(), du.Name, du.Password)
}

// migrateThroughDropper migrates src's 80 messages into the destination
// at backend through a dropper that cuts its first 3 connections after
// 40 KB each, and checks that the run verified with every message once.
// The destination is read back in parts of 5 messages: without
// MULTIAPPEND, the first ones while the folders are still copied.
func migrateThroughDropper(t *testing.T, src Side, backend, user, password string) {
	t.Helper()
	drop := startDropper(t, backend, 40<<10, 3)
	dst := plainSide(t, drop.ln.Addr().String(), user, password)
	opts := Options{JournalDir: t.TempDir(), Backoff: 10 * time.Millisecond, verifyChunk: 5, listWindow: 6}
	p := plan(t, src, dst, opts)
	rep := run(t, p, opts)
	if tot := rep.Totals(); !rep.Verified() || tot.Extra != 0 || tot.Copied+tot.Already != 80 {
		for _, f := range rep.Folders {
			t.Logf("%s: %s %s src %d dst %d", f.Source, f.Verdict, f.Err, f.SourceCount, f.DestCount)
		}
		t.Fatalf("verified=%v %+v", rep.Verified(), tot)
	}
	if drop.cuts.Load() >= 0 {
		t.Fatalf("only %d of 3 connections were cut", 3-drop.cuts.Load()-1)
	}
	sameFolders(t, p, snapshot(t, src), snapshot(t, dst))
}

// Without MULTIAPPEND one worker appends into a big folder while the
// others, done copying, read back what it stored so far, part by part,
// each on the appender connection it holds (which keeps the folder of
// its last part selected): every part must see what was stored after
// that connection's last command, and the run verifies.
func TestEarlyPartsSeeLaterAppends(t *testing.T) {
	d := testenv.Dovecot(t)
	src := dovecotSide(t, d, d.NewUser(t))
	du := d.NewUser(t)
	upload(t, src, corpus.Options{Seed: 12, Messages: 1000})
	proxy, err := quirkserver.Start(quirkserver.Options{Profile: quirkserver.Exmail, Backend: d.IMAPAddr()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	dst := plainSide(t, proxy.Addr(), du.Name, du.Password)
	opts := Options{JournalDir: t.TempDir(), Jobs: 4, verifyChunk: 5, listWindow: 50}
	p := plan(t, src, dst, opts)
	rep := run(t, p, opts)
	if tot := rep.Totals(); !rep.Verified() || tot.Missing != 0 || tot.Extra != 0 || tot.Copied != 1000 {
		for _, f := range rep.Folders {
			t.Logf("%s: %s src %d dst %d missing %d", f.Source, f.Verdict, f.SourceCount, f.DestCount, f.Missing)
		}
		t.Fatalf("verified=%v %+v", rep.Verified(), tot)
	}
	sameFolders(t, p, snapshot(t, src), snapshot(t, dst))
}
