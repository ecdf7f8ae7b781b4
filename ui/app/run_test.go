package app

import (
	"context"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/ui/i18n"
)

// TestRunEndsWithItsContext: the program starts on a fake terminal and
// returns without error when its context is cancelled.
func TestRunEndsWithItsContext(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Run(ctx, Deps{Config: config(), Store: f.st, Printer: i18n.New(i18n.EN)},
		tea.WithInput(strings.NewReader("")), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24))
	if err != nil {
		t.Fatal(err)
	}
}
