package migrate

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
)

// waitParked waits (bounded: the harness waiting for a goroutine, not a
// timing assertion) until a Run is parked at g, reading the Progress the
// Run sends meanwhile; it returns how many were read.
func waitParked(t *testing.T, g *Gate, progress <-chan Progress) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	n := 0
	for g.Waiting() == 0 {
		select {
		case _, ok := <-progress:
			if !ok {
				t.Fatal("Run ended instead of parking at the gate")
			}
			n++
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("Run never parked at the gate")
		}
	}
	return n
}

// A paused Run of several workers copies nothing more once parked, goes
// on after Resume, and a stop while paused ends cleanly with the next Run
// finishing the job: every message once, verified.
func TestGatePauseResumeStop(t *testing.T) {
	d := testenv.Dovecot(t)
	su, du := d.NewUser(t), d.NewUser(t)
	src, dst := dovecotSide(t, d, su), dovecotSide(t, d, du)
	upload(t, src, corpus.Options{Seed: 5, Messages: 40})
	journal := t.TempDir()
	p := plan(t, src, dst, Options{JournalDir: journal})

	g := &Gate{}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	// Unbuffered: the Run is at most one message ahead of what the test
	// has seen; waitParked drains it while the message in flight ends.
	progress := make(chan Progress)
	done := make(chan struct{})
	var rep Report
	var runErr error
	go func() {
		defer close(done)
		// Batches of one message: a Progress per message, as counted
		// below. Four workers: the Run counts as parked only once all
		// four are, and then nothing moves.
		rep, runErr = Run(ctx, p, Options{JournalDir: journal, Progress: progress, Gate: g, Batch: 1, Jobs: 4})
		close(progress)
	}()
	copied, pauses := 0, 0
	for pr := range progress {
		if pr.Phase != PhaseCopy || pr.Done == 0 {
			continue
		}
		copied++
		switch copied {
		case 5, 15: // pause, check nothing moves while parked, resume
			g.Pause()
			waitParked(t, g, progress)
			n1 := count(snapshot(t, dst))
			n2 := count(snapshot(t, dst))
			if n1 != n2 || n1 < copied {
				t.Fatalf("paused after %d: destination %d then %d", copied, n1, n2)
			}
			pauses++
			g.Resume()
		case 25: // pause, then stop while parked
			g.Pause()
			waitParked(t, g, progress)
			stop()
		}
	}
	<-done
	if pauses != 2 || !errors.Is(runErr, context.Canceled) || !rep.Interrupted {
		t.Fatalf("pauses %d, err %v, interrupted %v", pauses, runErr, rep.Interrupted)
	}
	mid := count(snapshot(t, dst))
	if mid < 25 || mid >= 40 {
		t.Fatalf("stopped with %d of 40 on the destination", mid)
	}
	// The next run (gate open again) continues from the journal.
	g.Resume()
	rep2 := run(t, plan(t, src, dst, Options{}), Options{JournalDir: journal, Gate: g})
	tot := rep2.Totals()
	if !rep2.Verified() || tot.Previously != mid || tot.Copied != 40-mid || tot.Extra != 0 {
		t.Fatalf("after stop: verified %v %+v (had %d)", rep2.Verified(), tot, mid)
	}
	sameFolders(t, p, snapshot(t, src), snapshot(t, dst))
}

func TestGateNilAndZero(t *testing.T) {
	var nilGate *Gate
	if err := nilGate.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	g := &Gate{}
	if g.Paused() || g.Wait(context.Background()) != nil {
		t.Fatal("zero gate not open")
	}
	g.Pause()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if !g.Paused() || !errors.Is(g.Wait(ctx), context.Canceled) {
		t.Fatal("paused gate did not return ctx's error")
	}
}

// A Run counts as parked at a Gate only once every worker at work is
// parked; a worker that leaves lets the others' parking count.
func TestRunGateCountsTheRunOnceAllWorkersPark(t *testing.T) {
	g := &Gate{}
	rg := newRunGate(g)
	rg.join()
	rg.join()
	g.Pause()
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { done <- rg.wait(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rg.mu.Lock()
		parked := rg.parked
		rg.mu.Unlock()
		if parked == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("worker never parked")
		}
		time.Sleep(time.Millisecond)
	}
	if g.Waiting() != 0 {
		t.Fatal("counted as parked with one of two workers still at work")
	}
	rg.leave() // the other worker finished its work
	if g.Waiting() != 1 {
		t.Fatalf("waiting %d once the only worker left is parked", g.Waiting())
	}
	g.Resume()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if g.Waiting() != 0 {
		t.Fatalf("waiting %d after resume", g.Waiting())
	}
}

// A pause once every message is copied holds the verification too (its
// parts read the destination): the Run parks instead of ending, and
// verifies after Resume.
func TestGatePausesVerification(t *testing.T) {
	d := testenv.Dovecot(t)
	su, du := d.NewUser(t), d.NewUser(t)
	src, dst := dovecotSide(t, d, su), dovecotSide(t, d, du)
	upload(t, src, corpus.Options{Seed: 6, Messages: 40})
	opts := Options{JournalDir: t.TempDir(), verifyChunk: 1}
	p := plan(t, src, dst, opts)
	g := &Gate{}
	progress := make(chan Progress)
	done := make(chan struct{})
	var rep Report
	var runErr error
	go func() {
		defer close(done)
		o := opts
		o.Progress, o.Gate = progress, g
		rep, runErr = Run(context.Background(), p, o)
		close(progress)
	}()
	paused := false
	for pr := range progress {
		if pr.Phase == PhaseCopied && !paused {
			// The Run waits for this send: the last folder's
			// verification is still to come.
			g.Pause()
			paused = true
			waitParked(t, g, progress)
			g.Resume()
		}
	}
	<-done
	if !paused || runErr != nil || !rep.Verified() {
		t.Fatalf("paused %v, err %v, verified %v", paused, runErr, rep.Verified())
	}
}
