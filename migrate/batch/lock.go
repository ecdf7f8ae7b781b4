package batch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrBusy means another process is running the same batch: two runs
// would migrate the same mailboxes into the same journals at once.
var ErrBusy = errors.New("batch: already running")

// BusyError names the process holding the batch.
type BusyError struct{ PID int }

func (e *BusyError) Error() string { return fmt.Sprintf("batch: already running (process %d)", e.PID) }
func (e *BusyError) Unwrap() error { return ErrBusy }

// lock takes dir's lock file, holding this process's ID. A lock left by a
// process that no longer exists (a crash) is taken over.
func lock(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, "lock")
	for range 2 {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, werr := f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				os.Remove(path)
				return nil, fmt.Errorf("batch: lock: %w", werr)
			}
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("batch: lock: %w", err)
		}
		data, _ := os.ReadFile(path)
		pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
		if pid > 0 && alive(pid) {
			return nil, &BusyError{PID: pid}
		}
		os.Remove(path) // stale: its process is gone
	}
	return nil, fmt.Errorf("batch: lock %s: taken meanwhile: %w", path, ErrBusy)
}

// alive reports whether process pid exists (signal 0 checks without
// sending anything; EPERM means it exists but is not ours).
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
