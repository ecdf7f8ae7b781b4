package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/quirkserver"
	"github.com/magpie-mail/magpie/internal/testenv"
)

// A destination already holding part of the mail (the same corpus's first
// 80 messages) gets no second copy.
func TestPartlyFilledDestinationGetsNoSecondCopy(t *testing.T) {
	d := testenv.Dovecot(t)
	src, dst := dovecotSide(t, d, d.NewUser(t)), dovecotSide(t, d, d.NewUser(t))
	upload(t, src, corpus.Options{Seed: 5, Messages: 200, Malformed: true})
	upload(t, dst, corpus.Options{Seed: 5, Messages: 80, Malformed: true})
	opts := Options{JournalDir: t.TempDir(), listWindow: 9} // the destination checked window by window
	p := plan(t, src, dst, opts)
	rep := run(t, p, opts)
	tot := rep.Totals()
	if !rep.Verified() || tot.Already != 80 || tot.Copied != 120 || tot.Extra != 0 {
		t.Errorf("verified=%v %+v", rep.Verified(), tot)
	}
	sameFolders(t, p, snapshot(t, src), snapshot(t, dst))
}

// Stopping the run at several points (ctx cancelled after k messages), and
// a journal left saying in-flight, never yields a duplicate.
func TestInterruptedRunsThenCatchUp(t *testing.T) {
	d := testenv.Dovecot(t)
	src, dst := dovecotSide(t, d, d.NewUser(t)), dovecotSide(t, d, d.NewUser(t))
	upload(t, src, corpus.Options{Seed: 9, Messages: 150, Malformed: true})
	dir := t.TempDir()
	p := plan(t, src, dst, Options{JournalDir: dir})
	for _, stopAfter := range []int{1, 5, 12, 20, 33} {
		ctx, cancel := context.WithCancel(context.Background())
		progress := make(chan Progress)
		done := make(chan struct{})
		go func() {
			defer close(done)
			copied := map[string]int{} // this run's copies by folder
			for pr := range progress {
				copied[pr.Folder] = pr.Copied
				total := 0
				for _, n := range copied {
					total += n
				}
				if total >= stopAfter {
					cancel()
				}
			}
		}()
		// Small batches on one worker, so that the stop lands mid-run.
		rep, err := Run(ctx, p, Options{JournalDir: dir, Progress: progress, Batch: 3, Jobs: 1, listWindow: 11})
		close(progress)
		<-done
		cancel()
		if !errors.Is(err, context.Canceled) || !rep.Interrupted {
			t.Fatalf("stop after %d: err %v, interrupted %v", stopAfter, err, rep.Interrupted)
		}
	}
	// Make the journal say in-flight for messages that did arrive, and
	// for one whose copy is then removed from the destination.
	j, err := OpenJournal(context.Background(), JournalPath(dir, src, dst), src.ID(), dst.ID())
	if err != nil {
		t.Fatal(err)
	}
	entries, err := j.Folder(context.Background(), "INBOX", uidValidity(t, src, "INBOX"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var removed Entry
	for _, e := range entries {
		if e.Outcome == OutcomeCopied && n < 5 {
			e.Outcome = OutcomeInFlight
			if err := j.Put(context.Background(), e); err != nil {
				t.Fatal(err)
			}
			removed = e
			n++
		}
	}
	j.Close()
	if n == 0 {
		t.Fatal("no copied INBOX entries to mark in-flight")
	}
	if removed.DstUID != 0 {
		d.Doveadm(t, "expunge", "-u", dst.Account.Email, "mailbox", "INBOX", "uid", fmt.Sprint(removed.DstUID))
	}
	rep := run(t, p, Options{JournalDir: dir})
	if !rep.Verified() || rep.Totals().Extra != 0 {
		t.Errorf("after catch-up: verified=%v %+v", rep.Verified(), rep.Totals())
	}
	sameFolders(t, p, snapshot(t, src), snapshot(t, dst))
}

func uidValidity(t *testing.T, s Side, mailbox string) uint32 {
	t.Helper()
	c := dial(t, s)
	sel, err := scanSelect(c, mailbox)
	if err != nil {
		t.Fatal(err)
	}
	return sel
}

func scanSelect(c *account.IMAPClient, mailbox string) (uint32, error) {
	_, sel, err := scanSource(c.Client, mailbox, time.Time{})
	if err != nil {
		return 0, err
	}
	return sel.UIDValidity, nil
}

// Exmail refuses APPENDs over its limit ("NO Mail length N exceeded!")
// and go-imap drops the connection after the refused literal: the big
// messages are reported, the rest arrives.
func TestExmailAppendLimitReportedAndRunGoesOn(t *testing.T) {
	d := testenv.Dovecot(t)
	src := dovecotSide(t, d, d.NewUser(t))
	du := d.NewUser(t)
	proxy, err := quirkserver.Start(quirkserver.Options{Profile: quirkserver.Exmail, Backend: d.IMAPAddr(), AppendLimit: 512 << 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	dst := plainSide(t, proxy.Addr(), du.Name, du.Password)
	upload(t, src, corpus.Options{Seed: 3, Messages: 60, LargeEvery: 20})
	opts := Options{JournalDir: t.TempDir()}
	p := plan(t, src, dst, opts)
	rep := run(t, p, opts)
	tot := rep.Totals()
	if rep.Verified() || tot.Failed != 3 || tot.Copied != 57 || tot.Missing != 3 {
		t.Fatalf("verified=%v %+v", rep.Verified(), tot)
	}
	for _, f := range rep.Folders {
		for _, fl := range f.Failures {
			if fl.Reason != ReasonTooBig || !strings.Contains(fl.Detail, "exceeded") {
				t.Errorf("failure %+v", fl)
			}
		}
	}
	// A second run tries the failed ones again, copies nothing twice.
	rep = run(t, p, opts)
	if tot := rep.Totals(); tot.Failed != 3 || tot.Copied != 0 || tot.Extra != 0 {
		t.Errorf("second run %+v", tot)
	}
}

// A destination over quota answers NO [OVERQUOTA]: reported, run goes on.
func TestDestinationOverQuota(t *testing.T) {
	d := testenv.Dovecot(t)
	src := dovecotSide(t, d, d.NewUser(t))
	dst := dovecotSide(t, d, d.NewUserWith(t, testenv.UserOptions{QuotaStorage: "100k"}))
	upload(t, src, corpus.Options{Seed: 4, Messages: 80})
	opts := Options{JournalDir: t.TempDir()}
	rep := run(t, plan(t, src, dst, opts), opts)
	tot := rep.Totals()
	if rep.Verified() || tot.Failed == 0 || tot.Copied == 0 || tot.Copied+tot.Failed != 80 {
		t.Fatalf("verified=%v %+v", rep.Verified(), tot)
	}
	for _, f := range rep.Folders {
		for _, fl := range f.Failures {
			if fl.Reason != ReasonOverQuota {
				t.Errorf("failure %+v", fl)
			}
		}
	}
}

// Mail delivered to the source between runs is copied by the next run,
// and only that.
func TestNewMailBetweenRuns(t *testing.T) {
	d := testenv.Dovecot(t)
	su := d.NewUser(t)
	src, dst := dovecotSide(t, d, su), dovecotSide(t, d, d.NewUser(t))
	upload(t, src, corpus.Options{Seed: 2, Messages: 40})
	opts := Options{JournalDir: t.TempDir()}
	run(t, plan(t, src, dst, opts), opts)
	d.Deliver(t, su.Email, []byte("From: 王芳 <wang@example.test>\r\nTo: "+su.Email+"\r\nSubject: 新邮件\r\nMessage-ID: <late-1@example.test>\r\n\r\n搬家以后到的信\r\n"))
	d.WaitMessage(t, su.Email, "INBOX", "late-1@example.test")
	p := plan(t, src, dst, opts)
	rep := run(t, p, opts)
	if tot := rep.Totals(); !rep.Verified() || tot.Copied != 1 || tot.Previously != 40 {
		t.Errorf("verified=%v %+v", rep.Verified(), tot)
	}
	sameFolders(t, p, snapshot(t, src), snapshot(t, dst))
}

// An Exmail source names its folders 已发送/草稿箱/已删除/垃圾箱 without
// SPECIAL-USE: they go to Dovecot's Sent/Drafts/Trash/Junk; a nested
// Chinese folder keeps its tree.
func TestExmailFolderNamesMapToRoles(t *testing.T) {
	d := testenv.Dovecot(t)
	srv, be := quirkserver.StartTest(t, quirkserver.Exmail, nil, quirkserver.WithFolders("客户邮件", "客户邮件/2024"))
	for i, folder := range []string{"INBOX", "已发送", "已发送", "草稿箱", "垃圾箱", "客户邮件/2024"} {
		raw := fmt.Sprintf("From: a@example.cn\r\nSubject: 第%d封\r\nMessage-ID: <x%d@example.cn>\r\n\r\n正文\r\n", i, i)
		if _, err := be.Append(quirkserver.TestUser, folder, []byte(raw), nil, time.Date(2025, 3, i+1, 8, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
	src := plainSide(t, srv.Addr(), quirkserver.TestUser, quirkserver.TestPassword)
	dst := dovecotSide(t, d, d.NewUser(t))
	opts := Options{JournalDir: t.TempDir()}
	p := plan(t, src, dst, opts)
	want := map[string]string{"已发送": "Sent", "草稿箱": "Drafts", "已删除": "Trash", "垃圾箱": "Junk", "客户邮件/2024": "客户邮件/2024", "INBOX": "INBOX"}
	for _, f := range p.Folders {
		if w, ok := want[f.Source]; ok && f.Dest != w {
			t.Errorf("%q → %q, want %q", f.Source, f.Dest, w)
		}
	}
	rep := run(t, p, opts)
	if !rep.Verified() || rep.Totals().Copied != 6 {
		t.Fatalf("verified=%v %+v", rep.Verified(), rep.Totals())
	}
	if n := d.MessageCount(t, dst.Account.Email, "Sent"); n != 2 {
		t.Errorf("Sent holds %d, want 2", n)
	}
	sameFolders(t, p, snapshot(t, src), snapshot(t, dst))
}

// The plan reads the destination's quota (GETQUOTAROOT, RFC 9208) and
// says whether what is still to copy fits; after a run, what was copied
// no longer counts as pending.
func TestPlanChecksDestinationQuota(t *testing.T) {
	d := testenv.Dovecot(t)
	src := dovecotSide(t, d, d.NewUser(t))
	dst := dovecotSide(t, d, d.NewUserWith(t, testenv.UserOptions{QuotaStorage: "100k"}))
	roomy := dovecotSide(t, d, d.NewUserWith(t, testenv.UserOptions{QuotaStorage: "100M", QuotaMessages: 1000}))
	upload(t, src, corpus.Options{Seed: 4, Messages: 80})
	opts := Options{JournalDir: t.TempDir()}
	p := plan(t, src, dst, opts)
	q := p.Quota
	if q == nil || q.StorageLimit != 100<<10 || q.NeedBytes != p.TotalSize || q.NeedMessages != 80 || q.Fits() {
		t.Fatalf("quota %+v, plan total %d", q, p.TotalSize)
	}
	p = plan(t, src, roomy, opts)
	if q := p.Quota; q == nil || !q.Fits() || q.MessagesLimit != 1000 || q.StorageLimit != 100<<20 {
		t.Fatalf("roomy quota %+v", q)
	}
	run(t, p, opts)
	p = plan(t, src, roomy, opts)
	if q := p.Quota; p.PendingCount != 0 || q == nil || q.NeedBytes != 0 || q.MessagesUsed != 80 || !q.Fits() {
		t.Errorf("after the run: pending %d, quota %+v", p.PendingCount, q)
	}
}
