// Package phases logs when each phase of a start is reached, in
// milliseconds on the monotonic clock since main began, one line a phase
// ("12.345 store open"), to the file named by MAGPIE_PHASES. It is how the
// TUI benchmark's startup figures are taken apart; without the variable a
// nil *Log does nothing.
package phases

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// Log is one process's phase log. Its methods are safe for concurrent use
// and do nothing on a nil *Log.
type Log struct {
	mu   sync.Mutex
	f    *os.File
	t0   time.Time
	seen map[string]bool
}

// Open starts a log at path, its clock at t0; nil when path is empty or
// the file cannot be opened (a diagnostic must not stop the program).
func Open(path string, t0 time.Time) *Log {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil
	}
	return &Log{f: f, t0: t0, seen: map[string]bool{}}
}

// Mark logs that the phase name is reached now.
func (l *Log) Mark(name string) {
	if l == nil {
		return
	}
	d := time.Since(l.t0)
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.f, "%.3f %s\n", float64(d.Microseconds())/1000, name)
}

// Once logs name the first time it is reached only.
func (l *Log) Once(name string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	seen := l.seen[name]
	l.seen[name] = true
	l.mu.Unlock()
	if !seen {
		l.Mark(name)
	}
}

// Close closes the file.
func (l *Log) Close() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}
