package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
)

// reducedCaps is what Exmail and NetEase advertise: no MULTIAPPEND,
// LITERAL+, MOVE, CONDSTORE or SPECIAL-USE.
var reducedCaps = []string{"IMAP4rev1", "ID", "IDLE", "UIDPLUS", "NAMESPACE"}

// migBench is the state shared by the migration benchmark's runs.
type migBench struct {
	b     *testing.B
	ctx   context.Context
	d     *testenv.DovecotServer
	bin   string
	work  string
	tmpfs string
	old   testenv.User
	oldPw string
	// tls: every tool reaches Dovecot over IMAPS (dsync's imapc too),
	// else over plain IMAP on loopback (BENCH_MIGRATE_TLS=0). (b)'s
	// proxy is reached in plain IMAP either way.
	tls bool
}

// srcEndpoint is where the tools read the source: host, port and
// whether over IMAPS.
func (mb *migBench) srcEndpoint() (string, int, bool) {
	if mb.tls {
		return "localhost", mb.d.IMAPSPort, true
	}
	return "127.0.0.1", mb.d.IMAPPort, false
}

// BenchmarkMigrate compares `magpie migrate` with mbsync (IMAP→IMAP) and
// `doveadm backup -R` through imapc, on one loopback Dovecot: a corpus in
// one user is copied into a fresh user by each tool, once into a
// destination offering everything (MULTIAPPEND, LITERAL+…) and once
// through CapFilter, a destination advertising only reducedCaps. Then
// each runs again with nothing to do, and Magpie's peak RSS is taken at
// BENCH_MESSAGES and at BENCH_MIGRATE_LARGE messages (0: skipped).
//
// It runs only from scripts/bench-migrate.sh (MAGPIE_BENCH_MIGRATE=1,
// MAGPIE_BIN set) and writes its section of BENCH_DOC.
func BenchmarkMigrate(b *testing.B) {
	bin := os.Getenv("MAGPIE_BIN")
	if os.Getenv("MAGPIE_BENCH_MIGRATE") != "1" || bin == "" {
		b.Skip("run by scripts/bench-migrate.sh (make bench)")
	}
	for _, p := range []string{TimeBin, "mbsync", "doveadm"} {
		if _, err := exec.LookPath(p); err != nil {
			b.Fatalf("%s not installed (apt-get install time isync dovecot-core)", p)
		}
	}
	mb := &migBench{b: b, ctx: context.Background(), bin: bin, tls: os.Getenv("BENCH_MIGRATE_TLS") != "0"}
	machine := ThisMachine()
	mb.d = testenv.Dovecot(b)
	mb.tmpfs = os.Getenv("BENCH_TMPFS")
	if mb.tmpfs == "" {
		mb.tmpfs = "/dev/shm"
	}
	server := "Dovecot " + mb.d.Version + ", maildir"
	mb.work = b.TempDir()
	if IsTmpfs(mb.tmpfs) {
		var err error
		if mb.work, err = os.MkdirTemp(mb.tmpfs, "magpie-bench-migrate-"); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(mb.work) })
		server += " on tmpfs (every user's mail); clients' state on tmpfs"
	} else {
		server += " on disk (no tmpfs; expect 2-3× drift between runs)"
		mb.tmpfs = ""
	}
	filter, err := StartCapFilter(mb.d.IMAPAddr(), reducedCaps)
	if err != nil {
		b.Fatal(err)
	}
	defer filter.Close()

	opts := corpus.Options{Seed: 1, Messages: envInt("BENCH_MESSAGES", 10000), LargeEvery: envInt("BENCH_LARGE_EVERY", 500)}
	var up UploadStats
	mb.old, mb.oldPw, up = mb.source(opts)
	rep := MigrateReport{Date: time.Now(), Machine: machine, Server: server, Messages: up.Messages, NoopRuns: noopRuns,
		Corpus: fmt.Sprintf("%d messages, %.0f MB, %d folders (internal/corpus seed %d, a 1–5 MB attachment every %d messages)",
			up.Messages, float64(up.Bytes)/(1<<20), up.Folders+1, opts.Seed, opts.LargeEvery)}
	if out, err := exec.Command(bin, "version").Output(); err == nil {
		rep.MagpieVersion = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("mbsync", "--version").Output(); err == nil {
		rep.MbsyncVersion = "mbsync " + strings.TrimPrefix(strings.TrimSpace(string(out)), "isync ")
	}

	rep.TLS = mb.tls
	direct := destination{name: "full", host: "localhost", port: mb.d.IMAPSPort, tls: true}
	if !mb.tls {
		direct = destination{name: "full", host: "127.0.0.1", port: mb.d.IMAPPort}
	}
	reduced := destination{name: "reduced", host: "127.0.0.1", port: filter.Port()}
	// BENCH_MIGRATE_ONLY=reduced runs (b) alone, =reduced-magpie Magpie
	// into (b) alone: for A/B runs of a change to that path.
	// =memory: Magpie into (a) alone, then the large run: the two peak
	// RSS figures of the memory table, without the other tools.
	only := os.Getenv("BENCH_MIGRATE_ONLY")
	if only == "" || only == "memory" {
		rep.Full.Magpie = mb.magpie(direct, mb.old, mb.oldPw, true)
	}
	if only == "" {
		rep.Full.Mbsync = mb.mbsync(direct)
		rep.Full.Dsync = mb.dsync()
	}
	// =reduced-ab: Magpie into (b) with MAGPIE_BIN and MAGPIE_BIN_B in
	// turn, twice each (A/B of two builds under the same load; the log
	// has their figures, the report the last A's).
	if binB := os.Getenv("MAGPIE_BIN_B"); only == "reduced-ab" && binB != "" {
		for range 2 {
			for _, bin := range []string{binB, mb.bin} {
				mb.bin = bin
				b.Logf("magpie %s:", bin)
				rep.Reduced.Magpie = mb.magpie(reduced, mb.old, mb.oldPw, false)
			}
		}
	} else if only != "memory" {
		rep.Reduced.Magpie = mb.magpie(reduced, mb.old, mb.oldPw, true)
	}
	if !strings.HasPrefix(only, "reduced-") && only != "memory" {
		rep.Reduced.Mbsync = mb.mbsync(reduced)
	}
	if large := envInt("BENCH_MIGRATE_LARGE", 50000); large > 1 && os.Getenv("BENCH_MIGRATE_LARGE") != "0" {
		// The same seed as the small corpus, which is then its first
		// BENCH_MESSAGES messages (the generator draws them in order): the
		// two peak RSS figures differ by the mailbox's size alone, not by
		// another corpus's largest attachments.
		lopts := opts
		lopts.Messages = large
		lu, lpw, lup := mb.source(lopts)
		rep.Large = mb.magpie(direct, lu, lpw, false)
		rep.LargeMessages = lup.Messages
	}
	fmt.Printf("\n%s\n", rep.Markdown())
	b.ReportMetric(rep.Full.Magpie.rate(), "magpie-full-msg/s")
	b.ReportMetric(rep.Reduced.Magpie.rate(), "magpie-reduced-msg/s")
	if doc := os.Getenv("BENCH_DOC"); doc != "" {
		if err := SpliceSection(doc, "bench-migrate", rep.Markdown()); err != nil {
			b.Fatal(err)
		}
		b.Logf("wrote %s", doc)
	}
}

// serverCPU starts counting the CPU time of the servers: Dovecot's
// processes and this process (CapFilter's goroutines; the benchmark
// itself only waits meanwhile). The returned function, called after the
// run, gives the time since.
func (mb *migBench) serverCPU() func() time.Duration {
	dove, self := serverCPU(mb.d), selfCPU()
	return func() time.Duration {
		self = selfCPU() - self
		time.Sleep(300 * time.Millisecond) // the server's processes end after the logouts
		return serverCPU(mb.d) - dove + self
	}
}

// destination is where the copies go: Dovecot itself, or CapFilter.
type destination struct {
	name string
	host string
	port int
	tls  bool
}

// newUser adds a Dovecot user whose mail lives on tmpfs when there is one.
func (mb *migBench) newUser() (testenv.User, string) {
	u := mb.d.NewUser(mb.b)
	if mb.tmpfs != "" {
		if err := Touch(Login{Addr: mb.d.IMAPAddr(), User: u.Name, Password: u.Password}); err != nil {
			mb.b.Fatal(err)
		}
		moved, err := MoveToTmpfs(filepath.Join(mb.d.Dir, "home", u.Name), mb.tmpfs)
		if moved != "" {
			mb.b.Cleanup(func() { os.RemoveAll(moved) })
		}
		if err != nil {
			mb.b.Fatal(err)
		}
	}
	pw := filepath.Join(mb.work, u.Name+".pw")
	if err := os.WriteFile(pw, []byte(u.Password), 0o600); err != nil {
		mb.b.Fatal(err)
	}
	return u, pw
}

// source makes a user holding the corpus of opts.
func (mb *migBench) source(opts corpus.Options) (testenv.User, string, UploadStats) {
	u, pw := mb.newUser()
	start := time.Now()
	up, err := Upload(mb.ctx, Login{Addr: mb.d.IMAPAddr(), User: u.Name, Password: u.Password}, opts, envInt("BENCH_CONNS", 4))
	if err != nil {
		mb.b.Fatal(err)
	}
	mb.b.Logf("uploaded %d messages (%d MB) in %s", up.Messages, up.Bytes>>20, time.Since(start).Round(time.Millisecond))
	return u, pw, up
}

// count sums STATUS MESSAGES (RFC 3501 §6.3.10) over u's folders.
func (mb *migBench) count(u testenv.User) int {
	c, err := dial(Login{Addr: mb.d.IMAPAddr(), User: u.Name, Password: u.Password})
	if err != nil {
		mb.b.Fatal(err)
	}
	defer c.Close()
	list, err := c.List("", "*", &imap.ListOptions{ReturnStatus: &imap.StatusOptions{NumMessages: true}}).Collect()
	if err != nil {
		mb.b.Fatal(err)
	}
	n := 0
	for _, l := range list {
		if l.Status != nil && l.Status.NumMessages != nil {
			n += int(*l.Status.NumMessages)
		}
	}
	return n
}

func (mb *migBench) magpie(dst destination, src testenv.User, srcPw string, noop bool) MigTool {
	b := mb.b
	nu, npw := mb.newUser()
	home, err := os.MkdirTemp(mb.work, "magpie-")
	if err != nil {
		b.Fatal(err)
	}
	env := []string{"HOME=" + home, "LANG=C.UTF-8", "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_DATA_HOME=" + filepath.Join(home, "data"), "XDG_CACHE_HOME=" + filepath.Join(home, "cache")}
	add := func(args ...string) {
		cmd := exec.CommandContext(mb.ctx, mb.bin, append([]string{"account", "add"}, args...)...)
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("magpie account add: %v\n%s", err, out)
		}
	}
	sh, sp, stls := mb.srcEndpoint()
	sec := "insecure-plain"
	if stls {
		sec = "tls"
	}
	add("old", "--email", src.Name, "--imap", fmt.Sprintf("%s:%d", sh, sp), "--security", sec,
		"--ca-file", mb.d.CAFile, "--password-cmd", "cat "+srcPw)
	sec = "insecure-plain"
	if dst.tls {
		sec = "tls"
	}
	add("new", "--email", nu.Name, "--imap", fmt.Sprintf("%s:%d", dst.host, dst.port), "--security", sec,
		"--ca-file", mb.d.CAFile, "--password-cmd", "cat "+npw)
	// --json: the report on stdout says when the copy phase ended.
	argv := []string{mb.bin, "migrate", "--from", "old", "--to", "new", "--json"}
	var t MigTool
	var tl *cpuTimeline
	server := mb.serverCPU()
	start := time.Now()
	out := ""
	if t.Cold, out, err = MeasureWatch(mb.ctx, home, env, func(pid int) func() {
		tl = startTimeline(mb.d, pid, map[string]string{src.Name: "source", nu.Name: "dest"})
		return tl.stop
	}, argv...); err != nil {
		b.Fatal(err)
	}
	t.ServerCPU = server()
	var rep struct {
		Copied time.Time `json:"copied"`
	}
	if err := json.NewDecoder(strings.NewReader(out)).Decode(&rep); err != nil || rep.Copied.IsZero() {
		b.Fatalf("magpie migrate --json: no copied time (%v):\n%s", err, tail(out, 20))
	}
	t.Copied = rep.Copied.Sub(start)
	t.CopiedCPU, t.CopiedServerCPU = tl.at(rep.Copied)
	b.Logf("magpie → %s: mail copied at %s (CPU %s, servers %s); cores busy every 0.5 s (tool+servers): %s; servers' CPU by process: %s", dst.name,
		t.Copied.Round(time.Millisecond), t.CopiedCPU, t.CopiedServerCPU.Round(time.Millisecond), tl, tl.split())
	t.Messages, t.Ran = mb.count(nu), true
	if noop {
		if t.Noop, err = MeasureMedian(mb.ctx, noopRuns, home, env, argv...); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("magpie → %s: cold %s (%d messages; CPU %s, servers %s), no-op %s, RSS %d MB", dst.name, t.Cold.Wall.Round(time.Millisecond), t.Messages,
		t.Cold.CPU.Round(time.Millisecond), t.ServerCPU, t.Noop.Wall.Round(time.Millisecond), t.Cold.RSSKiB>>10)
	return t
}

func (mb *migBench) mbsync(dst destination) MigTool {
	b := mb.b
	nu, npw := mb.newUser()
	dir, err := os.MkdirTemp(mb.work, "mbsync-")
	if err != nil {
		b.Fatal(err)
	}
	ssl := "None"
	if dst.tls {
		ssl = "IMAPS"
	}
	sh, sp, stls := mb.srcEndpoint()
	sssl := "None"
	if stls {
		sssl = "IMAPS"
	}
	cfg := filepath.Join(dir, "mbsyncrc")
	conf := fmt.Sprintf(`# generated by magpie internal/bench
IMAPAccount old
Host %s
Port %d
User %s
PassCmd "cat %s"
SSLType %s
CertificateFile %s
SystemCertificates no

IMAPAccount new
Host %s
Port %d
User %s
PassCmd "cat %s"
SSLType %s
CertificateFile %s
SystemCertificates no

IMAPStore old-store
Account old

IMAPStore new-store
Account new

Channel move
Far :old-store:
Near :new-store:
Patterns *
Sync Pull
Create Near
Expunge None
CopyArrivalDate yes
SyncState %s/state/
`, sh, sp, mb.old.Name, mb.oldPw, sssl, mb.d.CAFile, dst.host, dst.port, nu.Name, npw, ssl, mb.d.CAFile, dir)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "state"), 0o700); err != nil {
		b.Fatal(err)
	}
	env := []string{"HOME=" + dir}
	argv := []string{"mbsync", "-q", "-c", cfg, "move"}
	var t MigTool
	var tl *cpuTimeline
	server := mb.serverCPU()
	if t.Cold, _, err = MeasureWatch(mb.ctx, dir, env, func(pid int) func() {
		tl = startTimeline(mb.d, pid, map[string]string{mb.old.Name: "source", nu.Name: "dest"})
		return tl.stop
	}, argv...); err != nil {
		b.Fatal(err)
	}
	t.ServerCPU = server()
	t.Messages, t.Ran = mb.count(nu), true
	if t.Noop, err = MeasureMedian(mb.ctx, noopRuns, dir, env, argv...); err != nil {
		b.Fatal(err)
	}
	b.Logf("mbsync → %s: cold %s (%d messages; CPU %s, servers %s: %s), no-op %s", dst.name, t.Cold.Wall.Round(time.Millisecond), t.Messages,
		t.Cold.CPU.Round(time.Millisecond), t.ServerCPU, tl.split(), t.Noop.Wall.Round(time.Millisecond))
	return t
}

// dsync is `doveadm backup -R` pulling the source over IMAP (imapc) into
// a fresh user's local mail store, as the anchors measured it; over
// IMAPS like the other tools (imapc_ssl=imaps, the certificate checked
// against the test CA) unless BENCH_MIGRATE_TLS=0.
func (mb *migBench) dsync() MigTool {
	b := mb.b
	nu, _ := mb.newUser()
	sh, sp, stls := mb.srcEndpoint()
	argv := []string{"doveadm", "-c", filepath.Join(mb.d.Dir, "dovecot.conf"),
		"-o", "imapc_host=" + sh, "-o", fmt.Sprintf("imapc_port=%d", sp)}
	if stls {
		argv = append(argv, "-o", "imapc_ssl=imaps", "-o", "imapc_ssl_verify=yes", "-o", "ssl_client_ca_file="+mb.d.CAFile)
	}
	argv = append(argv,
		"-o", "imapc_user="+mb.old.Name, "-o", "imapc_password="+mb.old.Password, "-o", "mail_prefetch_count=20",
		"backup", "-R", "-u", nu.Name, "imapc:")
	var t MigTool
	var err error
	server := mb.serverCPU()
	if t.Cold, _, err = Measure(mb.ctx, mb.work, nil, argv...); err != nil {
		b.Fatal(err)
	}
	t.ServerCPU = server()
	t.Messages, t.Ran = mb.count(nu), true
	if t.Noop, err = MeasureMedian(mb.ctx, noopRuns, mb.work, nil, argv...); err != nil {
		b.Fatal(err)
	}
	b.Logf("dsync: cold %s (%d messages; CPU %s, servers %s), no-op %s", t.Cold.Wall.Round(time.Millisecond), t.Messages,
		t.Cold.CPU.Round(time.Millisecond), t.ServerCPU, t.Noop.Wall.Round(time.Millisecond))
	return t
}
