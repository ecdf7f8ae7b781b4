package batch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/migrate"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func rawMail(to, subject string) []byte {
	return []byte(fmt.Sprintf("From: 王芳 <wang@example.test>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s.%d@example.test>\r\nDate: Sat, 21 Nov 2026 10:00:00 +0800\r\n\r\nhello\r\n",
		to, subject, strings.ReplaceAll(subject, " ", "."), time.Now().UnixNano()))
}

// adminTemplate is the test Dovecot over IMAPS with its master user as
// admin, the password coming from a file through a password command.
func adminTemplate(t *testing.T, d *testenv.DovecotServer, mode Admin) Template {
	t.Helper()
	ep, err := account.ParseEndpoint(d.IMAPSAddr(), account.SecurityTLS)
	if err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(t.TempDir(), "master")
	if err := os.WriteFile(pw, []byte(d.MasterPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return Template{Admin: mode, Account: account.Account{Name: "admin-" + string(mode), Email: d.MasterUser + "@" + testenv.TestDomain,
		Username: d.MasterUser, PasswordCmd: "cat " + pw, IMAP: ep, CAFile: d.CAFile, Kind: account.KindMember}}
}

func statuses(table []RowState) string {
	var out []string
	for _, r := range table {
		out = append(out, string(r.Status))
	}
	return strings.Join(out, " ")
}

// Three mailboxes through the master user (source) and SASL authorization
// identity (destination), one of which does not exist yet: two succeed,
// one fails; re-runs leave the succeeded rows alone, a fixed row then
// succeeds; repeated failures give a row up until retried on purpose.
func TestBatchMasterUser(t *testing.T) {
	d := testenv.Dovecot(t)
	s1, s2 := d.NewUser(t), d.NewUser(t)
	d1, d2, d3 := d.NewUser(t), d.NewUser(t), d.NewUser(t)
	ghostLocal := "ghost-" + strings.ToLower(strings.SplitN(s1.Email, "@", 2)[0])
	ghost := ghostLocal + "@" + testenv.TestDomain
	for i := range 3 {
		d.Deliver(t, s1.Email, rawMail(s1.Email, fmt.Sprintf("s1 %d", i)))
		d.Deliver(t, s2.Email, rawMail(s2.Email, fmt.Sprintf("s2 %d", i)))
	}
	d.WaitMessages(t, s1.Email, "INBOX", 3)
	d.WaitMessages(t, s2.Email, "INBOX", 3)
	csvText := "source,destination\n" + s1.Email + "," + d1.Email + "\n" + s2.Email + "," + d2.Email + "\n" + ghost + "," + d3.Email + "\n"
	rows, err := Parse(strings.NewReader(csvText))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var mu sync.Mutex
	seen := map[string]map[Status]bool{}
	cfg := Config{From: adminTemplate(t, d, AdminMaster), To: adminTemplate(t, d, AdminAuthzid),
		Dialer: &account.Dialer{Timeout: 10 * time.Second}, Dir: dir, Parallel: 2,
		OnChange: func(rs RowState) {
			mu.Lock()
			defer mu.Unlock()
			if seen[rs.Source] == nil {
				seen[rs.Source] = map[Status]bool{}
			}
			seen[rs.Source][rs.Status] = true
		}}
	st, _ := LoadState(dir)
	if tb, c := st.Table(rows); statuses(tb) != "queued queued queued" || c.All != 3 || c.By[StatusQueued] != 3 {
		t.Fatalf("before: %s %+v", statuses(tb), c)
	}

	table, err := Run(context.Background(), rows, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(table); got != "succeeded succeeded failed" {
		t.Fatalf("first run: %s\n%+v", got, table)
	}
	if g := table[2]; g.Err != ErrSource || g.Problem != string(account.ProblemWrongPassword) || g.Failures != 1 {
		t.Errorf("ghost row: %+v", g)
	}
	for i, want := range []int{3, 3} {
		if r := table[i]; r.Total != want || r.Copied != want || r.Failed != 0 || r.Attempts != 1 {
			t.Errorf("row %d counts: %+v", i, r)
		}
	}
	if n := d.MessageCount(t, d1.Email, "INBOX"); n != 3 {
		t.Errorf("d1 has %d", n)
	}
	if !seen[s1.Email][StatusRunning] || !seen[ghost][StatusRunning] {
		t.Errorf("running never reported: %v", seen)
	}
	st, _ = LoadState(dir)
	if _, c := st.Table(rows); c.By[StatusSucceeded] != 2 || c.By[StatusFailed] != 1 {
		t.Errorf("saved counts %+v", c)
	}

	// Mail arrives on a succeeded source: a re-run must not touch that
	// row (only the failed one runs, and fails again).
	d.Deliver(t, s1.Email, rawMail(s1.Email, "late"))
	d.WaitMessages(t, s1.Email, "INBOX", 4)
	table, err = Run(context.Background(), rows, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(table); got != "succeeded succeeded failed" || table[0].Attempts != 1 || table[2].Attempts != 2 || table[2].Failures != 2 {
		t.Fatalf("second run: %s %+v", got, table)
	}
	if n := d.MessageCount(t, d1.Email, "INBOX"); n != 3 {
		t.Errorf("a succeeded row ran again: d1 has %d", n)
	}

	// A third failure gives the row up; the next run skips it.
	table, _ = Run(context.Background(), rows, cfg)
	if got := statuses(table); got != "succeeded succeeded given-up" || table[2].Attempts != 3 {
		t.Fatalf("third run: %s %+v", got, table[2])
	}
	// Fixed (the mailbox now exists): still given up until retried.
	gu := d.NewUserWith(t, testenv.UserOptions{Local: ghostLocal})
	d.Deliver(t, gu.Email, rawMail(gu.Email, "ghost mail"))
	d.WaitMessages(t, gu.Email, "INBOX", 1)
	table, _ = Run(context.Background(), rows, cfg)
	if got := statuses(table); got != "succeeded succeeded given-up" || table[2].Attempts != 3 {
		t.Fatalf("given up row ran: %s %+v", got, table[2])
	}
	cfg.RetryGivenUp = true
	table, err = Run(context.Background(), rows, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(table); got != "succeeded succeeded succeeded" || table[2].Copied != 1 || table[2].Attempts != 4 || table[0].Attempts != 1 {
		t.Fatalf("after the fix: %s %+v", got, table)
	}
	if n := d.MessageCount(t, d3.Email, "INBOX"); n != 1 {
		t.Errorf("d3 has %d", n)
	}
	if n := d.MessageCount(t, d1.Email, "INBOX"); n != 3 {
		t.Errorf("d1 has %d after the fix run", n)
	}
	if _, err := os.Stat(table[2].Report); err != nil {
		t.Errorf("report: %v", err)
	}
}

// Stopping a batch while its rows are paused puts them back in the queue;
// the next run finishes them.
func TestBatchStopWhilePaused(t *testing.T) {
	d := testenv.Dovecot(t)
	s, dst := d.NewUser(t), d.NewUser(t)
	for i := range 4 {
		d.Deliver(t, s.Email, rawMail(s.Email, fmt.Sprintf("m %d", i)))
	}
	d.WaitMessages(t, s.Email, "INBOX", 4)
	rows, err := Parse(strings.NewReader("destination,source\n" + dst.Email + "," + s.Email + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	g := &migrate.Gate{}
	g.Pause()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	cfg := Config{From: adminTemplate(t, d, AdminMaster), To: adminTemplate(t, d, AdminMaster),
		Dialer: &account.Dialer{Timeout: 10 * time.Second}, Dir: t.TempDir(), Gate: g}
	done := make(chan []RowState)
	go func() {
		table, _ := Run(ctx, rows, cfg)
		done <- table
	}()
	deadline := time.Now().Add(30 * time.Second) // the harness waiting, not a timing assertion
	for g.Waiting() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if g.Waiting() == 0 {
		t.Fatal("the row never reached the gate")
	}
	stop()
	table := <-done
	if got := statuses(table); got != "queued" || table[0].Copied != 0 {
		t.Fatalf("after stop: %s %+v", got, table)
	}
	g.Resume()
	table, err = Run(context.Background(), rows, cfg)
	if err != nil || statuses(table) != "succeeded" || table[0].Copied != 4 {
		t.Fatalf("after resume: %v %s %+v", err, statuses(table), table)
	}
	if errors.Is(err, context.Canceled) {
		t.Fatal("stale cancel")
	}
}
