package migrate

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
)

// srcMsgs is n source messages of 1,000 bytes, UIDs 1 to n.
func srcMsgs(n int) []srcMsg {
	out := make([]srcMsg, n)
	for i := range out {
		out[i] = srcMsg{UID: imap.UID(i + 1), Size: 1000}
	}
	return out
}

// The biggest folder's batches go to every worker that asks until it is
// no bigger than the next folder: several connections append into it.
func TestBatchQueueSharesTheBiggestFolder(t *testing.T) {
	big := &folderRun{fp: FolderPlan{Source: "INBOX"}, pending: srcMsgs(100)}
	small := &folderRun{fp: FolderPlan{Source: "Sent"}, pending: srcMsgs(20)}
	q := newBatchQueue([]*folderRun{small, big}, 10, false, false)
	var order []string
	for {
		f, b, ok := q.next(0)
		if !ok {
			break
		}
		if len(b) != 10 {
			t.Fatalf("batch of %d", len(b))
		}
		order = append(order, f.fp.Source)
	}
	want := slices.Repeat([]string{"INBOX"}, 8)
	if len(order) != 12 || !slices.Equal(order[:8], want) {
		t.Fatalf("order %v", order)
	}
	// A failed folder's batches are dropped.
	q = newBatchQueue([]*folderRun{small, big}, 10, false, false)
	big.failed = true
	if f, _, _ := q.next(0); f != small {
		t.Fatalf("a failed folder's batch was handed out")
	}
}

// Exclusive (single APPENDs), a folder's batches all go to the worker
// that took its first one, the others take other folders, and a worker
// with no unowned folder left is done: no two sessions append into one
// folder at once.
func TestBatchQueueExclusiveGivesEachFolderOneWorker(t *testing.T) {
	big := &folderRun{fp: FolderPlan{Source: "INBOX"}, pending: srcMsgs(100)}
	small := &folderRun{fp: FolderPlan{Source: "Sent"}, pending: srcMsgs(20)}
	q := newBatchQueue([]*folderRun{small, big}, 10, false, true)
	if f, _, _ := q.next(0); f != big {
		t.Fatalf("worker 0 took %s first, not the biggest folder", f.fp.Source)
	}
	if f, _, _ := q.next(1); f != small {
		t.Fatalf("worker 1 took %s, owned by worker 0", f.fp.Source)
	}
	if f, _, _ := q.next(1); f != small {
		t.Fatalf("worker 1 left its folder for %s", f.fp.Source)
	}
	if _, _, ok := q.next(1); ok {
		t.Fatalf("worker 1 took a batch of worker 0's folder")
	}
	if _, _, ok := q.next(2); ok {
		t.Fatalf("worker 2 took a batch of an owned folder")
	}
	n := 1
	for {
		f, _, ok := q.next(0)
		if !ok {
			break
		}
		if f != big {
			t.Fatalf("worker 0 took %s", f.fp.Source)
		}
		n++
	}
	if n != 10 {
		t.Fatalf("worker 0 took %d batches of INBOX, want 10", n)
	}
}

// Four workers append small batches into the same folders while
// destination connections are cut mid-APPEND: every worker's index of
// the destination is rebuilt while others append, and still no message
// is lost or doubled, source duplicates included.
func TestWorkersShareFoldersThroughDropsWithoutDuplicates(t *testing.T) {
	d := testenv.Dovecot(t)
	src := dovecotSide(t, d, d.NewUser(t))
	du := d.NewUser(t)
	upload(t, src, corpus.Options{Seed: 21, Messages: 240, Malformed: true})
	drop := startDropper(t, d.IMAPAddr(), 150<<10, 4)
	dst := plainSide(t, drop.ln.Addr().String(), du.Name, du.Password)
	opts := Options{JournalDir: t.TempDir(), Backoff: 10 * time.Millisecond, Batch: 4, Jobs: 4}
	p := plan(t, src, dst, opts)
	rep := run(t, p, opts)
	if tot := rep.Totals(); !rep.Verified() || tot.Extra != 0 || tot.Missing != 0 || tot.Copied+tot.Already != 240 {
		t.Fatalf("verified=%v %+v", rep.Verified(), tot)
	}
	if drop.cuts.Load() >= 0 {
		t.Fatalf("only %d of 4 connections were cut", 4-drop.cuts.Load()-1)
	}
	sameFolders(t, p, snapshot(t, src), snapshot(t, dst))
}

// A re-run skips the folders verified before and unchanged since on both
// sides, still reporting them verified; a folder changed on either side
// is listed and verified again.
func TestUnchangedFoldersAreSkippedYetVerified(t *testing.T) {
	d := testenv.Dovecot(t)
	su, du := d.NewUser(t), d.NewUser(t)
	src, dst := dovecotSide(t, d, su), dovecotSide(t, d, du)
	upload(t, src, corpus.Options{Seed: 3, Messages: 60})
	opts := Options{JournalDir: t.TempDir()}
	run(t, plan(t, src, dst, opts), opts)

	p := plan(t, src, dst, opts)
	for _, f := range p.Folders {
		if !f.Unchanged || f.Pending != 0 {
			t.Errorf("plan: %s unchanged=%v pending=%d", f.Source, f.Unchanged, f.Pending)
		}
	}
	if p.TotalCount != 60 {
		t.Errorf("plan counts %d", p.TotalCount)
	}
	rep := run(t, p, opts)
	for _, f := range rep.Folders {
		if !f.Unchanged || f.Verdict != VerdictOK || f.VerifiedAt.IsZero() {
			t.Errorf("re-run: %s unchanged=%v %s", f.Source, f.Unchanged, f.Verdict)
		}
	}
	if tot := rep.Totals(); !rep.Verified() || tot.Previously != 60 || tot.SourceCount != 60 || tot.DestCount != 60 {
		t.Errorf("re-run: verified=%v %+v", rep.Verified(), tot)
	}

	// New mail on the source: INBOX is looked at again, the rest is not.
	d.Deliver(t, su.Email, []byte("From: a@example.test\r\nTo: "+su.Email+"\r\nSubject: late\r\nMessage-ID: <late-2@example.test>\r\n\r\nlate\r\n"))
	d.WaitMessage(t, su.Email, "INBOX", "late-2@example.test")
	// And a message put on the destination by someone else, in Sent.
	c := dial(t, dst)
	raw := "From: b@example.test\r\nSubject: extra\r\n\r\nextra\r\n"
	cmd := c.Append("Sent", int64(len(raw)), nil)
	cmd.Write([]byte(raw))
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	rep = run(t, plan(t, src, dst, opts), opts)
	for _, f := range rep.Folders {
		changed := f.Source == "INBOX" || f.Source == "Sent"
		if f.Unchanged == changed {
			t.Errorf("after changes: %s unchanged=%v", f.Source, f.Unchanged)
		}
		if f.Source == "Sent" && f.Extra != 1 || f.Source == "INBOX" && f.Copied != 1 {
			t.Errorf("after changes: %s %+v", f.Source, f)
		}
	}
	if tot := rep.Totals(); !rep.Verified() || tot.Copied != 1 || tot.Extra != 1 {
		t.Errorf("after changes: verified=%v %+v", rep.Verified(), tot)
	}
	s, ds := snapshot(t, src), snapshot(t, dst)
	if len(ds["INBOX"]) != len(s["INBOX"]) || len(ds["Sent"]) != len(s["Sent"])+1 {
		t.Errorf("INBOX %d → %d, Sent %d → %d", len(s["INBOX"]), len(ds["INBOX"]), len(s["Sent"]), len(ds["Sent"]))
	}
}

// Verification reads the destination's bytes: a message Magpie copied
// (APPENDUID known, its hash in the journal) whose bytes were altered on
// the destination since is found missing and extra, and the folder is
// not verified, although its UID is the one APPENDUID named. The
// destination is read back in parts of 3 messages, by all the workers.
func TestVerifyCatchesAnAlteredDestinationMessage(t *testing.T) {
	d := testenv.Dovecot(t)
	su, du := d.NewUser(t), d.NewUser(t)
	src, dst := dovecotSide(t, d, su), dovecotSide(t, d, du)
	upload(t, src, corpus.Options{Seed: 5, Messages: 30})
	opts := Options{JournalDir: t.TempDir(), verifyChunk: 3}
	if rep := run(t, plan(t, src, dst, opts), opts); !rep.Verified() {
		t.Fatalf("first run not verified: %+v", rep.Totals())
	}
	// Flip the last byte of one INBOX message in the destination's
	// maildir: same size, same UID, other content.
	files, err := filepath.Glob(filepath.Join(d.Dir, "home", du.Name, "Maildir", "cur", "*"))
	more, _ := filepath.Glob(filepath.Join(d.Dir, "home", du.Name, "Maildir", "new", "*"))
	if files = append(files, more...); err != nil || len(files) == 0 {
		t.Fatalf("destination INBOX files: %v %v", files, err)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-3] ^= 0x01 // before the final CRLF
	if err := os.WriteFile(files[0], raw, 0o600); err != nil {
		t.Fatal(err)
	}
	// New source mail, so that INBOX is not skipped as unchanged.
	d.Deliver(t, su.Email, []byte("From: a@example.test\r\nTo: "+su.Email+"\r\nSubject: late\r\nMessage-ID: <late-v@example.test>\r\n\r\nlate\r\n"))
	d.WaitMessage(t, su.Email, "INBOX", "late-v@example.test")
	rep := run(t, plan(t, src, dst, opts), opts)
	for _, f := range rep.Folders {
		if f.Source != "INBOX" {
			continue
		}
		if f.Missing != 1 || f.Extra != 1 || f.Verdict == VerdictOK {
			t.Fatalf("INBOX after the alteration: missing %d, extra %d, verdict %s", f.Missing, f.Extra, f.Verdict)
		}
		return
	}
	t.Fatal("no INBOX in the report")
}

// A Run of a plan made a moment before takes the plan's word for the
// folders unchanged since verified: a re-run with nothing to do dials
// neither side (here both are unreachable once the plan is made). An
// older plan is checked again.
func TestFreshPlanOfUnchangedFoldersDialsNothing(t *testing.T) {
	d := testenv.Dovecot(t)
	su, du := d.NewUser(t), d.NewUser(t)
	src, dst := dovecotSide(t, d, su), dovecotSide(t, d, du)
	upload(t, src, corpus.Options{Seed: 8, Messages: 20})
	opts := Options{JournalDir: t.TempDir(), Retries: 1, Backoff: time.Millisecond}
	run(t, plan(t, src, dst, opts), opts)

	p := plan(t, src, dst, opts)
	var dials atomic.Int32
	cut := func(s *Side) {
		d := *s.Dialer
		d.NetDial = func(context.Context, string, string) (net.Conn, error) {
			dials.Add(1)
			return nil, errors.New("unreachable")
		}
		s.Dialer = &d
	}
	cut(&p.Source)
	cut(&p.Dest)
	rep, err := Run(context.Background(), p, opts)
	if err != nil || !rep.Verified() || dials.Load() != 0 {
		t.Fatalf("fresh plan: err %v, verified %v, %d dials", err, rep.Verified(), dials.Load())
	}
	for _, f := range rep.Folders {
		if !f.Unchanged {
			t.Errorf("%s not unchanged", f.Source)
		}
	}
	// Made longer ago than unchangedMaxAge: Run asks again.
	p.Made = p.Made.Add(-unchangedMaxAge - time.Second)
	if _, err := Run(context.Background(), p, opts); err == nil || dials.Load() == 0 {
		t.Fatalf("stale plan: err %v, %d dials", err, dials.Load())
	}
}

// A folder's copy ends (its finishing may start) once every batch of it
// was handed out and stored, not when the last one is handed out; a
// failed folder's ends with its batches in flight; a folder with nothing
// to copy is idle from the start.
func TestBatchQueueTellsWhenAFolderIsCopied(t *testing.T) {
	a := &folderRun{fp: FolderPlan{Source: "INBOX"}, pending: srcMsgs(30)}
	b := &folderRun{fp: FolderPlan{Source: "Sent"}, pending: srcMsgs(20)}
	empty := &folderRun{fp: FolderPlan{Source: "Drafts"}}
	q := newBatchQueue([]*folderRun{a, b, empty}, 10, false, false)
	var ended []string
	q.ended = func(f *folderRun) { ended = append(ended, f.fp.Source) }
	if idle := q.idle([]*folderRun{a, b, empty}); len(idle) != 1 || idle[0] != empty {
		t.Fatalf("idle %v", idle)
	}
	var got []*folderRun
	for {
		f, _, ok := q.next(0)
		if !ok {
			break
		}
		got = append(got, f)
	}
	if len(ended) != 0 {
		t.Fatalf("ended before any batch was stored: %v", ended)
	}
	for _, f := range got[:len(got)-1] {
		q.stored(f)
	}
	last := got[len(got)-1]
	if len(ended) != 1 || ended[0] == last.fp.Source {
		t.Fatalf("ended %v with a batch of %s in flight", ended, last.fp.Source)
	}
	q.stored(last)
	if len(ended) != 2 {
		t.Fatalf("ended %v", ended)
	}
	// Failed with a batch in flight: the rest is dropped, and the
	// folder's copy ends when that batch comes back.
	c := &folderRun{fp: FolderPlan{Source: "Archive"}, pending: srcMsgs(30)}
	q = newBatchQueue([]*folderRun{c}, 10, false, false)
	ended = nil
	q.ended = func(f *folderRun) { ended = append(ended, f.fp.Source) }
	f, _, _ := q.next(0)
	c.failed = true
	q.stored(f)
	if len(ended) != 1 {
		t.Fatalf("a failed folder's copy did not end: %v", ended)
	}
	if _, _, ok := q.next(0); ok {
		t.Fatalf("a failed folder's batch was handed out")
	}
}

// Into a destination with MULTIAPPEND, a big folder's batches go to
// several workers, each appending over its own connection; the status
// a verification records must count them all (a status taken on a
// connection that had the folder selected gave that session's older
// view), so that the re-run finds every folder unchanged and skips it.
func TestRerunAfterSharedCopySkipsEveryFolder(t *testing.T) {
	d := testenv.Dovecot(t)
	su, du := d.NewUser(t), d.NewUser(t)
	src, dst := dovecotSide(t, d, su), dovecotSide(t, d, du)
	upload(t, src, corpus.Options{Seed: 13, Messages: 200})
	opts := Options{JournalDir: t.TempDir(), Jobs: 4, Batch: 5}
	if rep := run(t, plan(t, src, dst, opts), opts); !rep.Verified() {
		t.Fatalf("first run not verified: %+v", rep.Totals())
	}
	rep := run(t, plan(t, src, dst, opts), opts)
	for _, f := range rep.Folders {
		if f.SourceCount > 0 && !f.Unchanged {
			t.Errorf("%s: verified again on a re-run with nothing new (src %d, dst %d)", f.Source, f.SourceCount, f.DestCount)
		}
	}
}
