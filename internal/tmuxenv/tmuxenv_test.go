package tmuxenv_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	_ "charm.land/lipgloss/v2" // its init must come after tmuxenv's

	"github.com/magpie-mail/magpie/internal/tmuxenv"
)

// TestInitComesBeforeLipgloss runs this test binary again inside a
// pretend tmux with Go's init trace: tmuxenv's init must run before
// lipgloss's (which would run `tmux info`), and Restore must give TMUX
// back.
func TestInitComesBeforeLipgloss(t *testing.T) {
	if os.Getenv("TMUXENV_CHILD") == "1" {
		if os.Getenv("TMUX") != "" {
			t.Fatal("TMUX still set after init")
		}
		if !tmuxenv.Restore() || os.Getenv("TMUX") != "/tmp/tmux-1/default,1,0" {
			t.Fatalf("Restore: TMUX = %q", os.Getenv("TMUX"))
		}
		if tmuxenv.Restore() {
			t.Fatal("Restore twice")
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestInitComesBeforeLipgloss$", "-test.v")
	env := []string{"TMUXENV_CHILD=1", "TMUX=/tmp/tmux-1/default,1,0", "GODEBUG=inittrace=1", "TERM=tmux-256color"}
	for _, e := range os.Environ() {
		if k, _, _ := strings.Cut(e, "="); k != "TMUX" && k != "COLORTERM" && k != "GODEBUG" && k != "TERM" {
			env = append(env, e)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	ours := strings.Index(string(out), "init github.com/magpie-mail/magpie/internal/tmuxenv ")
	lip := strings.Index(string(out), "init charm.land/lipgloss/v2 ")
	if ours < 0 || lip < 0 || ours > lip {
		t.Fatalf("tmuxenv's init (at %d) is not before lipgloss's (at %d):\n%s", ours, lip, out)
	}
}
