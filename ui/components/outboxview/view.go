package outboxview

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/dustin/go-humanize"

	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

const timeLayout = "2006-01-02 15:04"

// View draws the panel in exactly width × height cells: a title, one row
// per message, the selected message's details (why it did not leave and
// what to do), and the keys.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	p, st := m.c.P, m.c.Styles
	lines := []string{st.PaneTitle.Render(common.Fit(p.T("outboxview.title", len(m.items)), m.width)), ""}
	foot := m.footer()
	detail := m.detail()
	listH := max(m.height-len(lines)-len(detail)-len(foot)-1, 1)
	switch {
	case !m.loaded:
		lines = append(lines, st.Empty.Render(common.Fit(p.T("outboxview.loading"), m.width)))
	case len(m.items) == 0:
		lines = append(lines, st.Empty.Render(common.Fit(p.T("outboxview.empty"), m.width)))
	default:
		top := 0 // the selected row stays in view
		if m.sel >= top+listH {
			top = m.sel - listH + 1
		}
		for i := top; i < len(m.items) && i < top+listH; i++ {
			row := m.row(m.items[i])
			if i == m.sel {
				row = st.RowSelected.Render(common.Fit("> "+row, m.width))
			} else {
				row = st.Row.Render(common.Fit("  "+row, m.width))
			}
			lines = append(lines, row)
		}
	}
	for len(lines) < m.height-len(detail)-len(foot) {
		lines = append(lines, "")
	}
	lines = append(lines, detail...)
	lines = append(lines, foot...)
	if len(lines) > m.height { // tiny terminals: the keys win over the list
		lines = append(lines[:max(m.height-len(foot), 0)], foot...)
	}
	return common.Block(lines, m.width, m.height)
}

// row is one message: state, time, account, first recipient, subject.
func (m Model) row(it Item) string {
	p := m.c.P
	state, when := m.stateWord(it), it.Updated
	if it.Scheduled(m.now()) {
		when = it.NotBefore
	}
	to := ""
	if len(it.Rcpts) > 0 {
		to = it.Rcpts[0]
		if len(it.Rcpts) > 1 {
			to += fmt.Sprintf(" +%d", len(it.Rcpts)-1)
		}
	}
	subj := common.Clean(it.Subject)
	if subj == "" {
		subj = p.T("outboxview.no_subject")
	}
	w := m.width - 2
	toW := min(max(w/4, 12), 30)
	acctW := min(max(w/10, 6), 12)
	cols := []string{
		common.Fit(state, 10),
		common.Fit(when.In(m.loc).Format(timeLayout), 16),
		common.Fit(common.Clean(it.Account), acctW),
		common.Fit(common.Clean(to), toW),
	}
	head := strings.Join(cols, " ") + " "
	return head + common.Fit(subj, max(w-ansi.StringWidth(head), 0))
}

func (m Model) stateWord(it Item) string {
	p := m.c.P
	switch {
	case it.State == store.OutFailed:
		return p.T("outboxview.state.failed")
	case it.State == store.OutSending:
		return p.T("outboxview.state.sending")
	case it.Scheduled(m.now()):
		return p.T("outboxview.state.scheduled")
	}
	return p.T("outboxview.state.queued")
}

// detail says, for the selected message, where it stands, why it did not
// leave and what to do; or the time being typed when rescheduling.
func (m Model) detail() []string {
	it, ok := m.Selected()
	if !ok {
		return nil
	}
	p, st := m.c.P, m.c.Styles
	var out []string
	add := func(s string) { out = append(out, wrap(s, m.width)...) }
	sep := strings.Repeat("-", m.width)
	out = append(out, st.Border.Render(sep))
	add(p.T("outboxview.detail.from_to", common.Clean(it.From), common.Clean(strings.Join(it.Rcpts, ", "))))
	switch {
	case it.State == store.OutSending:
		add(p.T("outboxview.detail.sending"))
	case it.Scheduled(m.now()):
		add(p.T("outboxview.detail.scheduled", it.NotBefore.In(m.loc).Format(timeLayout)))
	case it.State == store.OutQueued && it.Err == nil:
		add(p.T("outboxview.detail.queued"))
	}
	if it.Err != nil {
		why := Problem(p, it.Err)
		if it.State == store.OutQueued {
			why = p.T("outboxview.detail.last_try", why)
		}
		for _, l := range wrap(why, m.width) {
			out = append(out, st.Problem.Render(l))
		}
		add(Fix(p, it.Err))
	}
	if m.asking {
		add(p.T("outboxview.ask_time"))
		out = append(out, common.Fit("> "+string(m.input)+"_", m.width))
		if m.bad != "" {
			for _, l := range wrap(m.bad, m.width) {
				out = append(out, st.Problem.Render(l))
			}
		}
	}
	return out
}

func (m Model) footer() []string {
	var parts []string
	for _, b := range m.ShortHelp() {
		parts = append(parts, b.Help().Key+" "+b.Help().Desc)
	}
	return []string{m.c.Styles.StatusHint.Render(common.Fit(strings.Join(parts, " · "), m.width))}
}

// wrap breaks s into lines of at most w cells (CJK-aware).
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}

// Problem words why a message did not leave (a flush's error, or one
// stored with the message, see outbox.StoredError).
func Problem(p *i18n.Printer, err error) string {
	if err == nil {
		return ""
	}
	var re *outbox.RejectedError
	var tl *outbox.TooLargeError
	switch {
	case errors.Is(err, outbox.ErrInterrupted):
		return p.T("outboxview.err_interrupted")
	case errors.As(err, &tl) && tl.Provider:
		return p.T("send.err_provider_limit", humanize.IBytes(uint64(tl.Size)), humanize.IBytes(uint64(tl.Limit)))
	case errors.As(err, &tl):
		return p.T("send.err_too_large", humanize.IBytes(uint64(tl.Size)), humanize.IBytes(uint64(tl.Limit)))
	case errors.As(err, &re) && re.Stage == "recipient":
		return p.T("send.err_recipient", common.Clean(strings.Join(re.Recipients, ", ")), re.Code, common.Clean(re.Text))
	case errors.As(err, &re) && re.Stage == "sender":
		return p.T("send.err_sender", re.Code, common.Clean(re.Text))
	case errors.As(err, &re):
		return p.T("send.err_content", re.Code, common.Clean(re.Text))
	}
	return p.T("send.err_other", common.Clean(err.Error()))
}

// Fix says what the member can do about err in the outbox panel.
func Fix(p *i18n.Printer, err error) string {
	var re *outbox.RejectedError
	var tl *outbox.TooLargeError
	switch {
	case errors.Is(err, outbox.ErrInterrupted):
		return p.T("outboxview.fix_interrupted")
	case errors.As(err, &tl):
		return p.T("outboxview.fix_size")
	case errors.As(err, &re) && re.Stage == "recipient":
		return p.T("outboxview.fix_recipient")
	case errors.As(err, &re) && re.Stage == "sender":
		return p.T("outboxview.fix_sender")
	case errors.As(err, &re):
		return p.T("outboxview.fix_content")
	}
	return p.T("outboxview.fix_other")
}
