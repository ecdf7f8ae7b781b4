package testenv

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperEnv makes TestHelperStartAll run (in a child test binary).
const helperEnv = "MAGPIE_TESTENV_HELPER"

// TestHelperStartAll is not a test: TestMainStopsEverything runs it in a
// child copy of this test binary. It starts every server and prints the
// owner marker, the pids and the directories; with helperEnv=panic it then
// panics, which kills the binary without running Main's cleanup.
func TestHelperStartAll(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper for TestMainStopsEverything")
	}
	d := Dovecot(t)
	d.NewUser(t)
	Radicale(t)
	Xandikos(t)
	Keyring(t)
	if isRoot() {
		Postfix(t)
	}
	reg.mu.Lock()
	var out strings.Builder
	out.WriteString("OWNER " + reg.owner + "\n")
	for _, p := range reg.procs {
		out.WriteString("PID " + strconv.Itoa(p.cmd.Process.Pid) + " " + p.name + "\n")
	}
	for _, dir := range reg.dirs {
		out.WriteString("DIR " + dir + "\n")
	}
	reg.mu.Unlock()
	os.Stdout.WriteString(out.String())
	if mode == "panic" {
		panic("testenv helper: simulated crash")
	}
}

type helperRun struct {
	owner  string
	pids   map[int]string
	dirs   []string
	report string
	output string
}

func runHelper(t *testing.T, mode string) helperRun {
	t.Helper()
	reportFile := filepath.Join(t.TempDir(), "report")
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperStartAll$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, reportEnv+"="+reportFile)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if mode == "panic" {
		if err == nil {
			t.Fatalf("helper did not crash:\n%s", out.String())
		}
	} else if err != nil {
		t.Fatalf("helper failed: %v\n%s", err, out.String())
	}
	h := helperRun{pids: map[int]string{}, output: out.String()}
	sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "OWNER":
			h.owner = f[1]
		case len(f) == 3 && f[0] == "PID":
			pid, _ := strconv.Atoi(f[1])
			h.pids[pid] = f[2]
		case len(f) == 2 && f[0] == "DIR":
			h.dirs = append(h.dirs, f[1])
		}
	}
	if h.owner == "" || len(h.pids) == 0 {
		t.Fatalf("helper printed no servers:\n%s", out.String())
	}
	if b, err := os.ReadFile(reportFile); err == nil {
		h.report = string(b)
	}
	return h
}

// alive reports whether pid names a live, non-zombie process.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	st, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	return err == nil && !isZombie(st)
}

func TestMainStopsEverything(t *testing.T) {
	h := runHelper(t, "clean")
	// Main has returned in the child: nothing may be left at all.
	if left := ownedProcs(h.owner); len(left) > 0 {
		for _, pid := range left {
			t.Errorf("process %d (%s) outlived Main", pid, procName(pid))
		}
		killOwned(h.owner)
	}
	for pid, name := range h.pids {
		if alive(pid) {
			t.Errorf("%s (pid %d) outlived Main", name, pid)
		}
	}
	for _, dir := range h.dirs {
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("directory %s left behind (%v)", dir, err)
		}
	}
	servers := []string{"dovecot 2.3.", "radicale ", "xandikos ", "gnome-keyring "}
	if isRoot() {
		servers = append(servers, "postfix 3.")
	}
	for _, server := range servers {
		if !strings.Contains(h.report, server) {
			t.Errorf("report lacks %q:\n%s", server, h.report)
		}
	}
	if !strings.Contains(h.report, " github.com/magpie-mail/magpie/internal/testenv\n") {
		t.Errorf("report does not name the package:\n%s", h.report)
	}
}

func TestCrashedBinaryLeavesNothingRunning(t *testing.T) {
	h := runHelper(t, "panic")
	t.Cleanup(func() {
		killOwned(h.owner)
		for _, dir := range h.dirs { // Main could not remove them
			os.RemoveAll(dir)
		}
	})
	// The children die by their parent-death signal; daemons' own children
	// notice their master is gone. Wait (bounded) for that to happen.
	deadline := time.Now().Add(stopTimeout)
	for {
		left := ownedProcs(h.owner)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			for _, pid := range left {
				t.Errorf("process %d (%s) outlived the crashed test binary", pid, procName(pid))
			}
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
}
