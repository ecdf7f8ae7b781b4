package batch

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestLock(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	var be *BusyError
	if _, err := lock(dir); !errors.As(err, &be) || be.PID != os.Getpid() || !errors.Is(err, ErrBusy) {
		t.Fatalf("second lock: %v", err)
	}
	// A batch run refuses too.
	if _, err := Run(t.Context(), []Row{{Line: 2, Source: "a@x.test", Dest: "b@y.test", SourcePasswordCmd: "x", DestPasswordCmd: "y"}},
		Config{Dir: dir}); !errors.Is(err, ErrBusy) {
		t.Fatalf("Run while locked: %v", err)
	}
	unlock()
	// A lock left by a process that is gone is taken over.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "lock"), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	unlock, err = lock(dir)
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	unlock()
	if _, err := os.Stat(filepath.Join(dir, "lock")); !os.IsNotExist(err) {
		t.Fatal("unlock left the file")
	}
}
