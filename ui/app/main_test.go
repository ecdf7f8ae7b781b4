package app

import (
	"os"
	"testing"

	"github.com/magpie-mail/magpie/internal/testenv"
)

// TestMain stops the real servers some tests start (Radicale).
func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
