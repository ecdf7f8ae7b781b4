package e2e

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/internal/benchstore"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/bench"
	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/store"
)

// The TUI benchmark: every client is started in the same 120×40 tmux
// window and timed from the key that starts it to the screen showing a
// first frame, and a full page of message rows; then PageDown is timed to
// the next full page, and the peak RSS read from /proc. Magpie reads a
// store pre-filled with 100k messages in one folder; aerc and neomutt open
// a 10k INBOX on a loopback Dovecot over IMAP.
const (
	benchW, benchH = 120, 40
	fullRows       = benchH - 6 // rows with a date that make "a full page"
)

// dateCell matches a list row's date in any of the clients' formats.
var dateCell = regexp.MustCompile(`\d{4}-\d\d-\d\d|\b\d\d-\d\d\b|\b\d\d:\d\d\b|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d\b`)

func fullPage(s string) bool {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if dateCell.MatchString(l) {
			n++
		}
	}
	return n >= fullRows
}

// benchRun is the figures of one start of a client.
type benchRun struct {
	frame, page time.Duration
	pageDown    []time.Duration
	rssKiB      int64
}

// tmux runs a command on the benchmark's own tmux server (socket sock).
func tmux(sock string, args ...string) *exec.Cmd {
	return exec.Command("tmux", append([]string{"-L", sock}, args...)...)
}

// benchSession is the session every client's window opens in.
const benchSession = "bench"

// benchTmux is the benchmark's tmux server and the control-mode client
// that drives it.
type benchTmux struct {
	ctl *tmuxCtl
	dir string // the start scripts
	n   int
}

// tmuxServer starts a tmux server of its own for the benchmark, kept up by
// an idle window of the benchmark's size between clients (so that no
// client's window is the server's first or last), attaches a control-mode
// client to it, and stops it all at the end.
func tmuxServer(b *testing.B) *benchTmux {
	sock := fmt.Sprintf("magpie-bench-%d", os.Getpid())
	if out, err := tmux(sock, "new-session", "-d", "-s", benchSession, "-x", strconv.Itoa(benchW), "-y", strconv.Itoa(benchH),
		"sleep", "86400").CombinedOutput(); err != nil {
		b.Fatalf("tmux: %v\n%s", err, out)
	}
	b.Cleanup(func() { tmux(sock, "kill-server").Run() })
	return &benchTmux{ctl: startCtl(b, sock, benchSession), dir: b.TempDir()}
}

// runClient starts command in a fresh window whose shell waits for a key,
// so that the clock starts at the key (sent on the control connection),
// not at tmux's shell; the shell then execs the client. Each figure runs
// to the arrival of the %output that brought the screen capture-pane then
// shows: a first frame (anything on screen), a full page (fullRows rows
// with a date), and after each PageDown the next full page.
func runClient(b *testing.B, tm *benchTmux, name, command string, env []string, pageDowns int) benchRun {
	b.Helper()
	tm.n++
	script := filepath.Join(tm.dir, fmt.Sprintf("run%d.sh", tm.n))
	must(b, os.WriteFile(script, []byte("read _\nexec env "+strings.Join(env, " ")+" "+command+"\n"), 0o600))
	c := tm.ctl
	pane, pid := c.newPane(b, benchSession, script)
	defer c.try("kill-pane -t " + pane) // gone already if the client quit
	c.watchPane(pane)
	var r benchRun
	start, reply := c.send(b, "send-keys -t "+pane+" Enter")
	reply()
	r.frame, _ = c.waitScreen(b, pane, name, "a first frame", start, func(s string) bool { return strings.TrimSpace(s) != "" })
	r.page, _ = c.waitScreen(b, pane, name, "a full page", start, fullPage)
	for range pageDowns {
		// The key is compared with the screen once the client is quiet:
		// what it drew after the page (a status line) is not the key's.
		before := c.settle(b, pane, 30*time.Millisecond)
		t0, reply := c.send(b, "send-keys -t "+pane+" PageDown")
		reply()
		d, _ := c.waitScreen(b, pane, name, "the next page", t0, func(s string) bool { return s != before && fullPage(s) })
		r.pageDown = append(r.pageDown, d)
	}
	r.rssKiB = peakRSS(pid)
	return r
}

// peakRSS is VmHWM of a running process, in KiB.
func peakRSS(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

// figures are a client's medians over its runs.
type figures struct {
	name                  string
	frame, page, pageDown time.Duration
	rssKiB                int64
}

func summarise(name string, runs []benchRun) figures {
	med := func(ds []time.Duration) time.Duration {
		ds = slices.Clone(ds)
		slices.Sort(ds)
		if len(ds) == 0 {
			return 0
		}
		return ds[len(ds)/2]
	}
	var frames, pages, downs []time.Duration
	var rss int64
	for _, r := range runs {
		frames, pages = append(frames, r.frame), append(pages, r.page)
		downs = append(downs, r.pageDown...)
		rss = max(rss, r.rssKiB)
	}
	return figures{name: name, frame: med(frames), page: med(pages), pageDown: med(downs), rssKiB: rss}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkTUI runs only from scripts/bench-tui.sh (MAGPIE_BENCH_TUI=1,
// MAGPIE_BIN set), once (-benchtime 1x). Knobs: BENCH_TUI_MESSAGES (100000
// in Magpie's store), BENCH_TUI_IMAP (10000 in the IMAP INBOX),
// BENCH_TUI_RUNS (5 starts per client), BENCH_TUI_OTHERS (0: Magpie
// alone, printed, nothing written), BENCH_TUI_CACHE (where the 100k
// store is kept between runs), BENCH_TUI_OUT (the Markdown to write).
func BenchmarkTUI(b *testing.B) {
	bin := os.Getenv("MAGPIE_BIN")
	if os.Getenv("MAGPIE_BENCH_TUI") != "1" || bin == "" {
		b.Skip("run by scripts/bench-tui.sh (make bench)")
	}
	needTmuxB(b)
	tm := tmuxServer(b)
	ctx := context.Background()
	load, _ := os.ReadFile("/proc/loadavg") // before anything of ours runs: the others' load
	runs := envInt("BENCH_TUI_RUNS", 5)
	work := b.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		var err error
		if work, err = os.MkdirTemp("/dev/shm", "magpie-tui-bench-"); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(work) })
	}

	// The method's own latency: a shell that prints a page of dated lines
	// in one write as soon as it starts, and again on every key typed,
	// reading the key with a builtin (PageDown's four bytes), so that no
	// process starts between key and page; its last line counts the keys,
	// so that each page differs from the one before.
	const instant = `bash --norc --noprofile -c 'p=""; for ((i = 0; i < 45; i++)); do p+="2026-01-01 row $i"$'"'"'\r\n'"'"'; done; ` +
		`n=0; printf "\033[H\033[2J%spage %d" "$p" $n; stty raw -echo; ` +
		`while IFS= read -rsN4 _; do n=$((n+1)); printf "\033[H\033[2J%spage %d" "$p" $n; done'`
	var base []benchRun
	for range runs {
		base = append(base, runClient(b, tm, "sh", instant, nil, 10))
	}
	baseline := summarise("sh printing a page (the method alone)", base)

	// Magpie over a pre-filled 100k store; its account's server is a
	// closed port, so it runs offline and never touches the store's rows.
	n := envInt("BENCH_TUI_MESSAGES", 100000)
	home := filepath.Join(work, "magpie")
	db := filepath.Join(home, "data", "magpie", "mail.db")
	must(b, os.MkdirAll(filepath.Dir(db), 0o700))
	must(b, copyFile(bigStore(b, ctx, n), db))
	cfg := &account.Config{Path: filepath.Join(home, "config", "magpie", "config.toml"), Language: "en", Accounts: []account.Account{{
		Name: "bench", Email: "bench@example.com", PasswordCmd: "echo x",
		IMAP: account.Endpoint{Host: "127.0.0.1", Port: 1, Security: account.SecurityInsecurePlain},
		SMTP: account.Endpoint{Host: "127.0.0.1", Port: 1, Security: account.SecurityInsecurePlain},
	}}}
	must(b, os.MkdirAll(filepath.Dir(cfg.Path), 0o700))
	must(b, cfg.Save())
	menv := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"), "LANG=en_US.UTF-8", "TERM=xterm-256color", "DBUS_SESSION_BUS_ADDRESS=disabled:"}
	var mruns []benchRun
	for range runs {
		mruns = append(mruns, runClient(b, tm, "magpie", bin, menv, 10))
	}
	magpie := summarise(fmt.Sprintf("Magpie (%d-message store)", n), mruns)
	// Inside tmux, without COLORTERM=truecolor (which most terminals set,
	// and tmux passes on), lipgloss would run `tmux info` when the program
	// starts to learn the colours (Magpie runs it after the first frame):
	// the same start with it set.
	mruns = nil
	for range runs {
		mruns = append(mruns, runClient(b, tm, "magpie", bin, append(menv, "COLORTERM=truecolor"), 10))
	}
	magpieTC := summarise("Magpie, COLORTERM=truecolor", mruns)

	if os.Getenv("BENCH_TUI_OTHERS") == "0" { // Magpie alone, for a quick look
		fmt.Println(tuiMarkdown(magpie, []figures{magpieTC, baseline}, n, 0, runs, "none", loadAvg(load)))
		return
	}

	// aerc and neomutt over IMAP on Dovecot.
	d := testenv.Dovecot(b)
	u := d.NewUser(b)
	m := envInt("BENCH_TUI_IMAP", 10000)
	server := "Dovecot " + d.Version + ", maildir on disk"
	if bench.IsTmpfs("/dev/shm") {
		// The mail on tmpfs, as in the sync benchmark: disk timings on
		// these machines drift 2-3× between runs.
		must(b, bench.Touch(bench.Login{Addr: d.IMAPAddr(), User: u.Name, Password: u.Password}))
		moved, err := bench.MoveToTmpfs(filepath.Join(d.Dir, "home", u.Name), "/dev/shm")
		if moved != "" {
			b.Cleanup(func() { os.RemoveAll(moved) })
		}
		must(b, err)
		server = "Dovecot " + d.Version + ", maildir on tmpfs"
	}
	up := time.Now()
	uploadInbox(b, d.IMAPAddr(), u, m)
	b.Logf("uploaded %d messages to INBOX in %s", m, time.Since(up).Round(time.Millisecond))
	host, port := d.Host, d.IMAPPort

	var others []figures
	if _, err := exec.LookPath("aerc"); err == nil {
		ahome := filepath.Join(work, "aerc")
		must(b, os.MkdirAll(filepath.Join(ahome, ".config", "aerc"), 0o700))
		src := url.URL{Scheme: "imap+insecure", User: url.UserPassword(u.Name, u.Password), Host: fmt.Sprintf("%s:%d", host, port)}
		conf := fmt.Sprintf("[bench]\nsource = %s\noutgoing = /bin/true\ndefault = INBOX\nfrom = Bench <%s>\n", src.String(), u.Email)
		must(b, os.WriteFile(filepath.Join(ahome, ".config", "aerc", "accounts.conf"), []byte(conf), 0o600))
		aenv := []string{"HOME=" + ahome, "XDG_CONFIG_HOME=" + filepath.Join(ahome, ".config"), "LANG=en_US.UTF-8", "TERM=xterm-256color"}
		var ar []benchRun
		for range runs {
			ar = append(ar, runClient(b, tm, "aerc", "aerc", aenv, 10))
		}
		others = append(others, summarise(fmt.Sprintf("aerc %s", version("aerc")), ar))
	}
	if _, err := exec.LookPath("neomutt"); err == nil {
		nhome := filepath.Join(work, "neomutt")
		must(b, os.MkdirAll(nhome, 0o700))
		rc := func(hcache string) string {
			p := filepath.Join(nhome, "muttrc"+filepath.Base(hcache))
			conf := fmt.Sprintf(`set folder="imap://%s:%d/"
set spoolfile="+INBOX"
set imap_user="%s"
set imap_pass="%s"
set ssl_starttls=no
set ssl_force_tls=no
set imap_check_subscribed=no
set sort=reverse-date
set header_cache="%s"
set message_cachedir=""
set mail_check_stats=no
`, host, port, u.Name, u.Password, hcache)
			must(b, os.WriteFile(p, []byte(conf), 0o600))
			return p
		}
		nenv := []string{"HOME=" + nhome, "LANG=en_US.UTF-8", "TERM=xterm-256color"}
		cold := rc("")
		var nr []benchRun
		for range runs {
			nr = append(nr, runClient(b, tm, "neomutt", "neomutt -n -F "+cold, nenv, 10))
		}
		others = append(others, summarise(fmt.Sprintf("neomutt %s, cold", version("neomutt")), nr))
		hc := filepath.Join(nhome, "hcache")
		must(b, os.MkdirAll(hc, 0o700))
		warm := rc(hc + "/")
		runClient(b, tm, "neomutt", "neomutt -n -F "+warm, nenv, 0) // fills the header cache
		nr = nil
		for range runs {
			nr = append(nr, runClient(b, tm, "neomutt", "neomutt -n -F "+warm, nenv, 10))
		}
		others = append(others, summarise(fmt.Sprintf("neomutt %s, header cache", version("neomutt")), nr))
	}
	doc := tuiMarkdown(magpie, append(append([]figures{magpieTC}, others...), baseline), n, m, runs, server, loadAvg(load))
	fmt.Println(doc)
	if out := os.Getenv("BENCH_TUI_OUT"); out != "" {
		must(b, os.WriteFile(out, []byte(doc), 0o644))
	}
}

func needTmuxB(b *testing.B) {
	if _, err := exec.LookPath("tmux"); err != nil {
		b.Fatal("tmux not installed (apt-get install tmux)")
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func version(bin string) string {
	out, _ := exec.Command("dpkg-query", "-W", "-f", "${Version}", bin).Output()
	v := strings.TrimSpace(string(out))
	if i := strings.IndexAny(v, "+-"); i > 0 {
		v = v[:i]
	}
	return v
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// bigStore returns a store file holding n messages in the INBOX of account
// "bench", built once and kept in BENCH_TUI_CACHE (or the temp dir), at
// this build's schema version.
func bigStore(b *testing.B, ctx context.Context, n int) string {
	dir := os.Getenv("BENCH_TUI_CACHE")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("magpie-tui-%d.db", n))
	if _, err := os.Stat(path); err == nil {
		// Brought to this build's schema here, so that no run of Magpie
		// pays for a migration.
		st, err := store.Open(ctx, path)
		must(b, err)
		must(b, st.Close())
		return path
	}
	tmp := path + ".part"
	os.Remove(tmp)
	st, err := store.Open(ctx, tmp)
	must(b, err)
	must(b, benchstore.Fill(ctx, st, n))
	must(b, st.Close())
	must(b, os.Rename(tmp, path))
	return path
}

// uploadInbox appends n corpus messages to the user's INBOX over four
// connections (plain IMAP: loopback only).
func uploadInbox(b *testing.B, addr string, u testenv.User, n int) {
	msgs := make(chan corpus.Message, 64)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			c, err := imapclient.DialInsecure(addr, nil)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			if err := c.Login(u.Name, u.Password).Wait(); err != nil {
				errs <- err
				return
			}
			for m := range msgs {
				cmd := c.Append("INBOX", int64(len(m.Raw)), &imap.AppendOptions{Time: m.InternalDate})
				if _, err := cmd.Write(m.Raw); err != nil {
					errs <- err
					return
				}
				if err := cmd.Close(); err != nil {
					errs <- err
					return
				}
				if _, err := cmd.Wait(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	err := corpus.Each(corpus.Options{Seed: 1, Messages: n}, func(m corpus.Message) error {
		select {
		case msgs <- m:
			return nil
		case err := <-errs:
			return err
		}
	})
	close(msgs)
	wg.Wait()
	if err != nil {
		b.Fatal(err)
	}
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }

func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", float64(a)/float64(b))
}

// tuiMarkdown is the TUI section of docs/benchmarks.md. others are Magpie
// with COLORTERM set, the other clients, and last the method's floor.
func tuiMarkdown(mg figures, others []figures, n, m, runs int, server, load string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "## The terminal app: Magpie against aerc and neomutt\n\n")
	fmt.Fprintf(&s, "- Date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&s, "- Machine: %d cores; load average before the run: %s (other work on the machine skews every figure)\n", runtime.NumCPU(), load)
	fmt.Fprintf(&s, "- Magpie: a store pre-filled with %d messages in one folder (its account offline); aerc and neomutt: a %d-message INBOX (internal/corpus seed 1) on %s over IMAP on loopback, plain text\n", n, m, server)
	fmt.Fprintf(&s, "- Method: each client starts in the same %d×%d tmux window, driven from one tmux control-mode client (`tmux -C`: commands are lines on its connection, no process per key or per look at the screen). "+
		"The window's shell waits for a key and then execs the client; the clock runs from the key written to the control connection (`send-keys`) to the arrival of the pane's `%%output` notification "+
		"that brought the screen to a first frame (anything on it), then to a full page (%d rows with a date), as read by `capture-pane` on the same connection after each output. "+
		"PageDown is timed the same way to the next full page, once the client has been quiet for 30 ms. Medians of %d starts (PageDown: of 10 presses each); RSS is the largest VmHWM.\n\n", benchW, benchH, fullRows, runs)
	fmt.Fprintf(&s, "| | first frame | first full page | PageDown | peak RSS |\n|---|---:|---:|---:|---:|\n")
	row := func(f figures) {
		fmt.Fprintf(&s, "| %s | %s | %s | %s | %.0f MB |\n", f.name, ms(f.frame), ms(f.page), ms(f.pageDown), float64(f.rssKiB)/1024)
	}
	row(mg)
	for _, o := range others {
		row(o)
	}
	fmt.Fprintf(&s, "| goal for Magpie (issue #4) | ≤ 40 ms | ≤ 50 ms | ≤ 6 ms | ≤ 150 MB |\n\n")
	if len(others) > 2 {
		fmt.Fprintf(&s, "Ratios, Magpie ÷ the other client (below 1: Magpie is faster or smaller):\n\n| | first frame | first full page | PageDown | peak RSS |\n|---|---:|---:|---:|---:|\n")
		for _, o := range others[1 : len(others)-1] {
			fmt.Fprintf(&s, "| ÷ %s | %s | %s | %s | %s |\n", o.name, ratio(mg.frame, o.frame), ratio(mg.page, o.page), ratio(mg.pageDown, o.pageDown),
				ratio(time.Duration(mg.rssKiB), time.Duration(o.rssKiB)))
		}
		s.WriteString("\n")
	}
	s.WriteString("Every figure includes the method's own latency — tmux passing the key to the pane and the output back to its control client, and the exec of the client by the window's shell: " +
		"the last row is its floor, a shell that prints a page in one write as it starts and again on every key typed. " +
		"Magpie reads 10× as many messages from its local store as the others fetch over IMAP; neither aerc nor neomutt keeps a local copy " +
		"of a folder (neomutt's header cache is the nearest thing, measured separately). Inside tmux without `COLORTERM=truecolor`, " +
		"lipgloss (the styling library) would run `tmux info` as Magpie starts, to learn the colours; Magpie keeps that out of its start " +
		"(internal/tmuxenv) and asks tmux once its first frame is drawn. The second Magpie row, with the variable set (most terminals set it " +
		"and tmux passes it on), shows what is left of the difference.\n\n")
	s.WriteString("Reproduce: `make bench`, or this part alone: `bash scripts/bench-tui.sh` (`BENCH_TUI_MESSAGES`, `BENCH_TUI_IMAP`, `BENCH_TUI_RUNS`; " +
		"`BENCH_TUI_OTHERS=0` times Magpie alone and writes nothing).\n")
	return s.String()
}

// loadAvg is the 1, 5 and 15 minute load averages of /proc/loadavg.
func loadAvg(b []byte) string {
	if f := strings.Fields(string(b)); len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}
