package rulescreen

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/components/prompt"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// vacForm edits the vacation auto-reply (RFC 5230): on/off, first and last
// day, subject, body, the addresses it answers for and the days between
// replies to one sender. Dates and days move with ←→ or are typed.
type vacForm struct {
	v      rules.Vacation
	addrs  []string        // every address offered: the identities and any already answered for
	on     map[string]bool // the ones answered for
	cursor int
	input  *prompt.Model
	body   []rune // the body being edited, when editing
	inBody bool
	err    string
}

const (
	vacEnabled = iota
	vacStart
	vacEnd
	vacSubject
	vacBody
	vacAddrs // first address row; the days row follows the addresses
)

// newVacForm starts from the current reply (or none) and the account's
// addresses; a new reply answers for all of them.
func newVacForm(cur *rules.Vacation, idents []string, p *i18n.Printer) vacForm {
	f := vacForm{on: map[string]bool{}}
	if cur != nil {
		f.v = *cur
	} else {
		f.v = rules.Vacation{Days: 7, Subject: p.T("rscr.vac.default_subject")}
	}
	if strings.TrimSpace(f.v.Body) == "" {
		f.v.Body = Template()
	}
	f.addrs = slices.Clone(idents)
	for _, a := range f.v.Addresses {
		if !slices.ContainsFunc(f.addrs, func(b string) bool { return strings.EqualFold(a, b) }) {
			f.addrs = append(f.addrs, a)
		}
	}
	for _, a := range f.addrs {
		f.on[a] = cur == nil || len(f.v.Addresses) == 0 ||
			slices.ContainsFunc(f.v.Addresses, func(b string) bool { return strings.EqualFold(a, b) })
	}
	if f.v.Days == 0 {
		f.v.Days = 7
	}
	return f
}

// Template is the default reply body, in Chinese then English: people
// writing to a member of a Chinese company may read either.
func Template() string {
	return i18n.New(i18n.ZH).T("rscr.vac.template") + "\n\n" + i18n.New(i18n.EN).T("rscr.vac.template")
}

func (f vacForm) rows() int    { return vacAddrs + len(f.addrs) + 1 }
func (f vacForm) daysRow() int { return vacAddrs + len(f.addrs) }

// vacation is the reply the form says (nil: none at all).
func (f vacForm) vacation() *rules.Vacation {
	v := f.v
	v.Addresses = nil
	for _, a := range f.addrs {
		if f.on[a] {
			v.Addresses = append(v.Addresses, a)
		}
	}
	if !v.Enabled && strings.TrimSpace(v.Body) == "" {
		return nil
	}
	return &v
}

// update handles a key; done reports the end, save whether to save.
func (f vacForm) update(k tea.KeyPressMsg, m Model) (vacForm, bool, bool) {
	km, p := m.keys, m.p
	if f.inBody {
		switch k.String() {
		case "ctrl+s":
			f.v.Body, f.inBody = string(f.body), false
		case "esc":
			f.inBody = false
		case "enter":
			f.body = append(f.body, '\n')
		case "backspace", "ctrl+h":
			if len(f.body) > 0 {
				f.body = f.body[:len(f.body)-1]
			}
		default:
			if k.Text != "" && !k.Mod.Contains(tea.ModCtrl) && !k.Mod.Contains(tea.ModAlt) {
				f.body = append(f.body, []rune(k.Text)...)
			}
		}
		return f, false, false
	}
	if f.input != nil {
		in, cmd := f.input.Update(k)
		f.input = &in
		if cmd != nil {
			if msg, ok := cmd().(prompt.SubmittedMsg); ok {
				f = f.submit(msg.Value, p)
			}
			f.input = nil
		}
		return f, false, false
	}
	f.err = ""
	c := common.New(p)
	ask := func(title, value string) vacForm {
		in := prompt.New(c, "vacation", title, p.T("rscr.ed.prompt_hint"), value)
		f.input = &in
		return f
	}
	switch {
	case key.Matches(k, km.Close):
		return f, true, false
	case key.Matches(k, km.Commit):
		if v := f.vacation(); v != nil {
			if err := v.Validate(); err != nil {
				f.err = m.word(&rules.RuleError{Err: err})
				return f, false, false
			}
		}
		return f, true, true
	case key.Matches(k, km.Up):
		f.cursor = max(f.cursor-1, 0)
	case key.Matches(k, km.Down):
		f.cursor = min(f.cursor+1, f.rows()-1)
	case key.Matches(k, km.Left), key.Matches(k, km.Right):
		step := 1
		if key.Matches(k, km.Left) {
			step = -1
		}
		switch f.cursor {
		case vacStart:
			f.v.Start = addDay(f.v.Start, step, m.now())
		case vacEnd:
			f.v.End = addDay(f.v.End, step, m.now())
		case f.daysRow():
			f.v.Days = min(max(f.v.Days+step, 1), 365)
		}
	case key.Matches(k, km.Remove) && (f.cursor == vacStart || f.cursor == vacEnd):
		if f.cursor == vacStart {
			f.v.Start = time.Time{}
		} else {
			f.v.End = time.Time{}
		}
	case key.Matches(k, km.Template) && f.cursor == vacBody:
		f.v.Body = Template()
	case key.Matches(k, km.Cycle), key.Matches(k, km.Change):
		switch r := f.cursor; {
		case r == vacEnabled:
			f.v.Enabled = !f.v.Enabled
		case r == vacStart:
			return ask(p.T("rscr.vac.date_prompt"), dateText(f.v.Start)), false, false
		case r == vacEnd:
			return ask(p.T("rscr.vac.date_prompt"), dateText(f.v.End)), false, false
		case r == vacSubject:
			return ask(p.T("rscr.vac.subject"), f.v.Subject), false, false
		case r == vacBody:
			f.body, f.inBody = []rune(f.v.Body), true
		case r == f.daysRow():
			return ask(p.T("rscr.vac.days_prompt"), strconv.Itoa(f.v.Days)), false, false
		default:
			a := f.addrs[r-vacAddrs]
			f.on = maps.Clone(f.on)
			f.on[a] = !f.on[a]
		}
	}
	return f, false, false
}

// submit puts a typed value in the row under the cursor.
func (f vacForm) submit(s string, p *i18n.Printer) vacForm {
	s = strings.TrimSpace(s)
	switch f.cursor {
	case vacStart, vacEnd:
		var d time.Time
		if s != "" {
			var err error
			if d, err = time.ParseInLocation("2006-01-02", s, time.Local); err != nil {
				f.err = p.T("rscr.vac.bad_date", common.Clean(s))
				return f
			}
		}
		if f.cursor == vacStart {
			f.v.Start = d
		} else {
			f.v.End = d
		}
	case vacSubject:
		f.v.Subject = s
	case f.daysRow():
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 365 {
			f.err = p.T("rscr.vac.bad_days", common.Clean(s))
			return f
		}
		f.v.Days = n
	}
	return f
}

// addDay moves d by step days; an open end starts from today.
func addDay(d time.Time, step int, now time.Time) time.Time {
	if d.IsZero() {
		y, mo, day := now.Date()
		return time.Date(y, mo, day, 0, 0, 0, 0, time.Local)
	}
	return d.AddDate(0, 0, step)
}

func dateText(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format("2006-01-02")
}
