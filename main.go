// Command magpie is a terminal mail client. main only wires the parts
// together; everything else lives in its package.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/magpie-mail/magpie/internal/phases"
	"github.com/magpie-mail/magpie/internal/tmuxenv"
	"github.com/magpie-mail/magpie/ui/cli"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// memoryLimit is the Go heap's soft limit unless GOMEMLIMIT says otherwise:
// a mail client should stay small beside the user's other programs, and a
// sync's garbage is short-lived, so the collector can work a little harder.
const memoryLimit = 64 << 20

// gcPercent is GOGC unless the environment sets it: the heap may grow to
// 1.5× what is live rather than 2×. A sync's live heap is mostly bodies in
// flight, so this takes some 10 MB off its peak for a little more GC work.
const gcPercent = 50

func main() {
	ph := phases.Open(os.Getenv("MAGPIE_PHASES"), time.Now())
	ph.Mark("main")
	// First: child processes (password_cmd, $EDITOR, notify-send) must see
	// TMUX as it was.
	tmuxColors := tmuxenv.Restore()
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := cli.Env{
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Getenv:  os.Getenv,
		Version: version,
		OpenApp: cli.OpenTUI,

		StdoutIsTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		TmuxColors:       tmuxColors,
		Phases:           ph,
	}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		env.ReadPassword = func(prompt string) (string, error) {
			os.Stderr.WriteString(prompt)
			b, err := term.ReadPassword(fd)
			os.Stderr.WriteString("\n")
			return string(b), err
		}
	}
	code := cli.Run(ctx, os.Args[1:], env)
	stop()
	ph.Close()
	os.Exit(code)
}
