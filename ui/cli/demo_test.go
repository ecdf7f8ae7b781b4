package cli

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/demo"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/ui/app"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// noKeyring fails the test if anything asks the user's keyring.
type noKeyring struct{ t *testing.T }

var _ account.SecretStore = noKeyring{}

func (k noKeyring) Get(context.Context, string) (string, error) {
	k.t.Error("the demo read the user's keyring")
	return "", account.ErrKeyringUnavailable
}

func (k noKeyring) Set(context.Context, string, string) error {
	k.t.Error("the demo wrote to the user's keyring")
	return account.ErrKeyringUnavailable
}

func (k noKeyring) Delete(context.Context, string) error {
	k.t.Error("the demo deleted from the user's keyring")
	return account.ErrKeyringUnavailable
}

// demoSession is a Session as Run builds it, on a harness whose config
// must stay untouched.
func demoSession(t *testing.T, h *harness, out, errOut *bytes.Buffer) *Session {
	return &Session{
		Env: Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: errOut,
			Getenv: func(k string) string { return h.env[k] }, Secrets: noKeyring{t}, Version: "test"},
		P: i18n.New(i18n.ZH), ConfigPath: h.configPath(),
	}
}

// seenDemo is what a stub app saw of the demo.
type seenDemo struct {
	dir        string
	imap, smtp string
}

func (d seenDemo) gone(t *testing.T, before int) {
	t.Helper()
	if _, err := os.Stat(d.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the demo directory %s is still there: %v", d.dir, err)
	}
	for _, addr := range []string{d.imap, d.smtp} {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after the demo", addr)
		}
	}
	// Bounded settle: a leak is the failure, not slowness.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutines: %d before the demo, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// inspect checks the deps the app gets and records where the demo lives.
func inspect(t *testing.T, h *harness, deps app.Deps) seenDemo {
	t.Helper()
	if len(deps.Engines) != 2 || deps.Engines[demo.MemberAccount] == nil || deps.Engines[demo.SalesAccount] == nil {
		t.Fatalf("engines: %v", deps.Engines)
	}
	dir := filepath.Dir(deps.Config.Path)
	if !strings.HasPrefix(filepath.Base(dir), "magpie-demo-") || strings.HasPrefix(deps.Config.Path, h.home) {
		t.Fatalf("the demo config is %s", deps.Config.Path)
	}
	if filepath.Dir(deps.Store.Path()) != dir {
		t.Fatalf("the demo store is %s, the config %s", deps.Store.Path(), deps.Config.Path)
	}
	if deps.Printer.Lang() != i18n.ZH || deps.Events == nil {
		t.Fatalf("printer %v, events %v", deps.Printer.Lang(), deps.Events)
	}
	a, _ := deps.Config.Account(demo.MemberAccount)
	return seenDemo{dir: dir, imap: a.IMAP.Addr(), smtp: a.SMTP.Addr()}
}

func TestDemoQuitAtOnce(t *testing.T) {
	h := newHarness(t, "zh_CN.UTF-8")
	var out, errOut bytes.Buffer
	s := demoSession(t, h, &out, &errOut)
	before := runtime.NumGoroutine()
	var seen seenDemo
	err := s.demo(context.Background(), func(_ context.Context, deps app.Deps) error {
		seen = inspect(t, h, deps)
		return nil // the user quit at once: the engines are still connecting
	})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut.String())
	}
	seen.gone(t, before)
	if _, err := os.Stat(h.configPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the demo touched the user's config: %v", err)
	}
}

func TestDemoEnginesSyncBothAccounts(t *testing.T) {
	h := newHarness(t, "zh_CN.UTF-8")
	var out, errOut bytes.Buffer
	s := demoSession(t, h, &out, &errOut)
	before := runtime.NumGoroutine()
	var seen seenDemo
	err := s.demo(context.Background(), func(ctx context.Context, deps app.Deps) error {
		seen = inspect(t, h, deps)
		deps.Started() // as the app does once its first frame is drawn
		// Both engines' INBOX passes arrive on the one channel.
		synced := map[string]bool{}
		limit := time.After(2 * time.Minute) // only stops a hang
		for len(synced) < 2 {
			select {
			case ev := <-deps.Events:
				if e, ok := ev.(mailsync.SyncError); ok {
					return e.Err
				}
				if e, ok := ev.(mailsync.FolderSynced); ok && e.Summary.Folder == "INBOX" && e.Summary.Total > 0 {
					synced[e.Account] = true
				}
			case <-limit:
				t.Fatalf("INBOX synced for %v only", synced)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut.String())
	}
	seen.gone(t, before)
}

func TestDemoAppErrorIsWorded(t *testing.T) {
	h := newHarness(t, "zh_CN.UTF-8")
	var out, errOut bytes.Buffer
	s := demoSession(t, h, &out, &errOut)
	before := runtime.NumGoroutine()
	var seen seenDemo
	err := s.demo(context.Background(), func(_ context.Context, deps app.Deps) error {
		seen = inspect(t, h, deps)
		return errors.New("app: terminal too small")
	})
	var f failure
	if !errors.As(err, &f) || !strings.Contains(errOut.String(), "终端界面异常退出：app: terminal too small") {
		t.Fatalf("err %v, stderr %q", err, errOut.String())
	}
	seen.gone(t, before)
}

func TestDemoFlag(t *testing.T) {
	h := newHarness(t, "zh_CN.UTF-8")
	r := h.run("", "--help")
	if r.code != ExitOK || !strings.Contains(r.stdout, "--demo") || !strings.Contains(r.stdout, "试用演示") {
		t.Fatalf("help: exit %d\n%s", r.code, r.stdout)
	}
	r = h.run("", "--demo", "--config", filepath.Join(h.home, "other.toml"))
	if r.code != ExitUsage || !strings.Contains(r.stderr, "不能与 --config 同时使用") {
		t.Fatalf("--demo --config: exit %d\n%s", r.code, r.stderr)
	}
	// Subcommands do not take it.
	if r = h.run("", "account", "list", "--demo"); r.code != ExitUsage {
		t.Fatalf("account list --demo: exit %d\n%s", r.code, r.stderr)
	}
}

func TestDemoCtrlC(t *testing.T) {
	h := newHarness(t, "zh_CN.UTF-8")
	var out, errOut bytes.Buffer
	s := demoSession(t, h, &out, &errOut)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seen seenDemo
	err := s.demo(ctx, func(appCtx context.Context, deps app.Deps) error {
		seen = inspect(t, h, deps)
		cancel() // Ctrl-C: the app ends with its context
		<-appCtx.Done()
		return appCtx.Err()
	})
	if err != nil || errOut.Len() > 0 {
		t.Fatalf("demo after Ctrl-C: %v\n%s", err, errOut.String())
	}
	seen.gone(t, before)
}

// TestDemoThroughTheApp runs `magpie --demo` through the command line and
// the real terminal app, which quits on the q typed on its input.
func TestDemoThroughTheApp(t *testing.T) {
	h := newHarness(t, "zh_CN.UTF-8")
	h.secrets = noKeyring{t}
	before := runtime.NumGoroutine()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the demo makes its directory
	r := h.run("q", "--demo")
	if r.code != ExitOK {
		t.Fatalf("magpie --demo: exit %d\nstderr: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "\x1b]2;Magpie") { // the app set the window title
		t.Errorf("the app did not start:\n%q", r.stdout)
	}
	if left, err := os.ReadDir(tmp); err != nil || len(left) > 0 {
		t.Errorf("left in the temporary directory: %v %v", left, err)
	}
	if _, err := os.Stat(h.configPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the demo touched the user's config: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutines: %d before the demo, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
