// Package tmuxenv keeps the styling library from running `tmux info` while
// the program initialises. lipgloss works out the terminal's colours in a
// package variable (lipgloss.Writer), so at init; inside tmux, without
// COLORTERM=truecolor, that runs `tmux info` and waits for it: 10–30 ms
// before main starts, every start, even for `magpie --help`.
//
// Imported (blank) by main, this package's init runs before lipgloss's: Go
// initialises, at each step, the first package by import path whose
// imports are all initialised; this one needs only os, while lipgloss also
// needs os/exec (through colorprofile), which sorts after it. The test
// checks that order in the real binary. The init hides TMUX from the
// environment; main calls Restore first thing, before anything can start a
// child process, and the app asks tmux for its colours in a Cmd instead
// (ui/app: the first frame does not wait).
package tmuxenv

import "os"

// held keeps TMUX's value between init and Restore: the environment is the
// process's one place for it (no package state).
const held = "MAGPIE_HELD_TMUX"

func init() {
	os.Unsetenv(held) // a stray one from outside is not ours to restore
	// Hidden even with COLORTERM=truecolor: with TERM=tmux-256color or
	// screen-256color lipgloss does not believe COLORTERM and asks tmux.
	v, ok := os.LookupEnv("TMUX")
	if !ok || v == "" {
		return // no `tmux info` to spare
	}
	os.Setenv(held, v)
	os.Unsetenv("TMUX")
}

// Restore puts TMUX back as it was and reports whether init hid it (so
// that the colours tmux offers are still to be asked).
func Restore() bool {
	v, ok := os.LookupEnv(held)
	if !ok {
		return false
	}
	os.Setenv("TMUX", v)
	os.Unsetenv(held)
	return true
}
