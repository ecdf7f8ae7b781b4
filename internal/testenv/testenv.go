// Package testenv runs real mail, calendar and secret-service peers on
// 127.0.0.1 for tests: Dovecot (IMAP, POP3, LMTP, ManageSieve), Postfix
// (submission), Radicale and Xandikos (CalDAV) and gnome-keyring on a private
// D-Bus session bus.
//
// A test package opts in with
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
//
// and then asks for a server in a test:
//
//	d := testenv.Dovecot(t)
//	u := d.NewUser(t)
//
// Every server is started lazily, at most once per test binary, on random
// free loopback ports, in its own temporary directory with its own
// configuration, and shared by all tests of that binary (tests isolate
// themselves by creating their own users). Main stops every server and
// removes every directory when the tests are done, and then checks that no
// process it started is left.
//
// When a server's program is not installed the test is skipped, except when
// the environment has CI=true: then it fails, so that CI never passes by
// skipping. scripts/test-deps.sh installs the Debian packages.
//
// When MAGPIE_TESTENV_REPORT names a file, one line per started server is
// appended to it: "<server> <version> <package>".
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// ownerEnv is the environment variable every started process carries; its
// value is unique to one Main call. Main's final check finds leftover
// processes by it, including ones that daemonised themselves.
const ownerEnv = "MAGPIE_TESTENV_OWNER"

// reportEnv names the file that receives one line per started server.
const reportEnv = "MAGPIE_TESTENV_REPORT"

// registry is the state shared by all tests of one test binary: the started
// servers, their processes and directories. It is the package's only
// mutable state (see reg).
type registry struct {
	mu       sync.Mutex
	active   bool   // Main is running
	closed   bool   // Main has stopped everything; no new servers
	pkg      string // import path of the test package, for the report
	owner    string // value of ownerEnv for processes of this binary
	procs    []*proc
	dirs     []string
	slots    map[string]*slot
	spawner  *spawner
	savedEnv map[string]*string // variables to restore at shutdown (nil: unset)
}

// slot holds one lazily started shared instance.
type slot struct {
	once sync.Once
	val  any
	err  error
}

// reg is the registry of this test binary. Main activates it; the servers
// started through it are stopped when Main returns. This is the one piece of
// package state the harness truly needs: servers are shared across the tests
// of a binary and must be stopped once, at the end.
var reg = &registry{}

// Main runs the tests of m and then stops every server started through this
// package, removes their directories and verifies that no process is left.
// It returns the exit code for os.Exit. Main also stops everything when the
// test binary receives SIGINT or SIGTERM. Child processes are started with a
// parent-death signal, so they die with the test binary even when a test
// panics.
func Main(m *testing.M) int {
	reg.activate(callerPackage())

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	stopSignals := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			fmt.Fprintf(os.Stderr, "testenv: %v: stopping servers\n", s)
			if err := reg.shutdown(); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
			os.Exit(2)
		case <-stopSignals:
		}
	}()

	code := func() (code int) {
		defer func() {
			if err := reg.shutdown(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				if code == 0 {
					code = 1
				}
			}
		}()
		return m.Run()
	}()
	signal.Stop(sigs)
	close(stopSignals)
	return code
}

func (r *registry) activate(pkg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active = true
	r.closed = false
	r.pkg = pkg
	r.owner = randomHex(12)
	r.slots = map[string]*slot{}
	if r.spawner == nil {
		r.spawner = newSpawner()
	}
	// Keyring changes these; until it runs no test may reach a real session
	// bus (a developer's keyring) or autolaunch one.
	r.savedEnv = map[string]*string{}
	for _, k := range []string{"DBUS_SESSION_BUS_ADDRESS", "DISPLAY"} {
		if v, ok := os.LookupEnv(k); ok {
			r.savedEnv[k] = &v
		} else {
			r.savedEnv[k] = nil
		}
	}
	_ = os.Setenv("DBUS_SESSION_BUS_ADDRESS", deadBus)
}

// shared returns the instance named name, starting it with start on first
// use. A failed start is remembered: later callers get the same error
// without another attempt.
func shared[T any](tb testing.TB, name string, start func() (T, error)) T {
	tb.Helper()
	reg.mu.Lock()
	if !reg.active || reg.closed {
		reg.mu.Unlock()
		var zero T
		tb.Fatalf("testenv: %s: testenv.Main is not running; add func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }", name)
		return zero
	}
	s := reg.slots[name]
	if s == nil {
		s = &slot{}
		reg.slots[name] = s
	}
	reg.mu.Unlock()

	s.once.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				s.err = fmt.Errorf("testenv: start %s: panic: %v", name, r)
			}
		}()
		v, err := start()
		s.val, s.err = v, err
	})
	if s.err != nil {
		var zero T
		tb.Fatalf("%v", s.err)
		return zero
	}
	return s.val.(T)
}

// addDir registers dir for removal by Main.
func (r *registry) addDir(dir string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dirs = append(r.dirs, dir)
}

// addProc registers p for stopping by Main.
func (r *registry) addProc(p *proc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.procs = append(r.procs, p)
}

// ownerValue returns the marker of this binary's processes.
func (r *registry) ownerValue() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.owner
}

// shutdown stops all processes (newest first), removes all directories and
// kills any process still carrying this binary's owner marker. It returns an
// error when something could not be cleaned up.
func (r *registry) shutdown() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	procs, dirs, owner, saved := r.procs, r.dirs, r.owner, r.savedEnv
	r.procs, r.dirs, r.savedEnv = nil, nil, nil
	r.mu.Unlock()

	for k, v := range saved {
		if v != nil {
			_ = os.Setenv(k, *v)
		} else {
			_ = os.Unsetenv(k)
		}
	}

	var problems []string
	for i := len(procs) - 1; i >= 0; i-- {
		if err := procs[i].stop(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if left := killOwned(owner); len(left) > 0 {
		problems = append(problems, fmt.Sprintf("processes left running: %s", strings.Join(left, "; ")))
	}
	for _, d := range dirs {
		if err := os.RemoveAll(d); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("testenv: cleanup: %s", strings.Join(problems, "; "))
	}
	return nil
}

// unavailable skips tb because a server cannot run here, or fails it when
// CI=true.
func unavailable(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := "testenv: " + fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + " (CI=true: not skipping)")
	}
	tb.Skip(msg)
}

// report appends a line for a started server to $MAGPIE_TESTENV_REPORT.
func report(server, version string) {
	path := os.Getenv(reportEnv)
	if path == "" {
		return
	}
	reg.mu.Lock()
	pkg := reg.pkg
	reg.mu.Unlock()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "testenv: report: %v\n", err)
		return
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s %s %s\n", server, version, pkg); err != nil {
		fmt.Fprintf(os.Stderr, "testenv: report: %v\n", err)
	}
}

// callerPackage returns the import path of the package whose TestMain called
// Main, or the binary's name when that cannot be told.
func callerPackage() string {
	if pc, _, _, ok := runtime.Caller(2); ok {
		if fn := runtime.FuncForPC(pc); fn != nil {
			name := fn.Name() // e.g. github.com/x/y/account_test.TestMain
			slash := strings.LastIndex(name, "/")
			if dot := strings.Index(name[slash+1:], "."); dot >= 0 {
				return strings.TrimSuffix(name[:slash+1+dot], "_test")
			}
		}
	}
	return strings.TrimSuffix(filepathBase(os.Args[0]), ".test")
}

func filepathBase(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("testenv: random: %v", err))
	}
	return hex.EncodeToString(b)
}

// isRoot reports whether the test binary runs as root.
func isRoot() bool { return os.Geteuid() == 0 }
