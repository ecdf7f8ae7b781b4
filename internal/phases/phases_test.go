package phases

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLog: each Mark is a line "ms name" on the log's clock, Once only the
// first time; a nil Log (no MAGPIE_PHASES) does nothing.
func TestLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "phases")
	l := Open(path, time.Now().Add(-5*time.Millisecond))
	l.Mark("a")
	l.Once("b")
	l.Once("b")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], " a") || !strings.HasSuffix(lines[1], " b") {
		t.Fatalf("log:\n%s", raw)
	}
	if ms, err := strconv.ParseFloat(strings.Fields(lines[0])[0], 64); err != nil || ms < 5 {
		t.Fatalf("a at %q ms, after a start 5 ms ago", lines[0])
	}
	var none *Log
	none.Mark("x")
	none.Once("x")
	if Open("", time.Now()) != nil || none.Close() != nil {
		t.Fatal("no path: a log")
	}
}
