package wizard

import (
	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// Explain words a connection failure as the wizard's connection test
// does (what happened, what the server said, what to do), for other
// guided flows of the TUI (the migration wizard) to show the same words.
func Explain(p *i18n.Printer, name string, d account.Diagnosis) []string {
	return explain(p, name, d, true)
}

// Wrap breaks plain text into lines of at most width terminal cells as
// the wizard does: at spaces, or between any two CJK characters, never
// before closing punctuation.
func Wrap(s string, width int) []string { return wrapText(s, width) }
