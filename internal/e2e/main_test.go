package e2e

import (
	"os"
	"testing"

	"github.com/magpie-mail/magpie/internal/testenv"
)

// TestMain stops the Dovecot the TUI benchmark starts (the tmux tests need
// no server).
func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
