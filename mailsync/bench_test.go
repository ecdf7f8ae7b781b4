package mailsync

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/store"
)

// BenchmarkColdSync is a cold SyncOnce (bodies included) of a corpus on the
// harness's Dovecot into an empty store, for profiling the engine in
// process (`go test -bench ColdSync -cpuprofile cpu.out ./mailsync`).
// BENCH_MESSAGES sets the corpus size (default 2000). The corpus is
// uploaded once; every iteration syncs into a fresh store.
func BenchmarkColdSync(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("BENCH_MESSAGES")); err == nil && v > 0 {
		n = v
	}
	d := testenv.Dovecot(b)
	u := d.NewUser(b)
	ep, err := account.ParseEndpoint(d.IMAPSAddr(), account.SecurityTLS)
	if err != nil {
		b.Fatal(err)
	}
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(context.Background(), "dove", u.Password)
	acct := account.Account{Name: "dove", Email: u.Email, Kind: account.KindMember, IMAP: ep, CAFile: d.CAFile}
	dialer := &account.Dialer{Secrets: secrets, Timeout: 10 * time.Second}
	c, err := dialer.DialIMAP(context.Background(), acct, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := corpus.Upload(c.Client, corpus.Options{Seed: 1, Messages: n, LargeEvery: 500}, dovecotRoles); err != nil {
		b.Fatal(err)
	}
	closeClient(c)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), strconv.Itoa(i)+".db"))
		if err != nil {
			b.Fatal(err)
		}
		events := make(chan Event, 64)
		start := time.Now()
		offline := make(chan time.Duration, 1)
		go func() {
			var at time.Duration
			for ev := range events {
				if _, ok := ev.(FolderSynced); ok && at == 0 {
					at = time.Since(start)
				}
			}
			offline <- at
		}()
		b.StartTimer()
		sum, err := New(acct, dialer, st, Options{Events: events}).SyncOnce(context.Background())
		if err != nil || sum.Failed() {
			b.Fatalf("SyncOnce: %v %+v", err, sum)
		}
		b.StopTimer()
		all := time.Since(start)
		close(events)
		b.Logf("offline after %s, indexed after %s (%d indexed)", (<-offline).Round(time.Millisecond), all.Round(time.Millisecond), sum.Indexed)
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}
