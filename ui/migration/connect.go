package migration

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/migrate"
)

// Fields of the Connect step.
const (
	fieldAddr = iota
	fieldPassword
	fieldServer
	fieldProto // IMAP or POP3 (RFC 1939: INBOX only)
	fieldSecurity
	fieldDest
	numFields
)

// form is the Connect step's inputs. Text is edited at its end only
// (typing, backspace, ctrl+u, paste): enough for an address, a password
// and host:port.
type form struct {
	focus    int
	text     [3][]rune // address, password, server
	security account.Security
	pop3     bool // the old mailbox is read over POP3
	dest     int  // index into Model.dest
	problem  string
}

func newForm() form { return form{security: account.SecurityTLS} }

func (f *form) value(i int) string { return strings.TrimSpace(string(f.text[i])) }

// insert adds typed or pasted text to the focused text field, without
// control characters (a paste may carry escapes or line breaks).
func (f *form) insert(s string) {
	if f.focus > fieldServer {
		return
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		f.text[f.focus] = append(f.text[f.focus], r)
	}
}

// keyPrepare moves over the providers; enter goes on with the chosen
// preset's server filled in.
func (m Model) keyPrepare(k tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case matches(k, m.keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case matches(k, m.keys.Down):
		m.cursor = min(m.cursor+1, len(m.providers))
	case matches(k, m.keys.Back):
		return m, emit(ClosedMsg{})
	case matches(k, m.keys.Next):
		m.step = stepConnect
		m.form.text[fieldServer], m.form.pop3 = nil, false
		m.fillServer()
		m.form.focus, m.form.problem = fieldAddr, ""
	}
	return m, nil
}

// fillServer puts the chosen preset's server for the chosen protocol in
// the form; for "other" (or a preset without POP3) it swaps the usual
// TLS ports, 993 and 995.
func (m *Model) fillServer() {
	f := &m.form
	pr, ok := m.provider()
	ep := pr.IMAP
	if f.pop3 {
		ep = pr.POP3
	}
	if ok && !ep.IsZero() {
		f.text[fieldServer], f.security = []rune(ep.Addr()), ep.Security
		return
	}
	if !ok || f.pop3 {
		srv := string(f.text[fieldServer])
		from, to := ":995", ":993"
		if f.pop3 {
			from, to = to, from
		}
		if strings.HasSuffix(srv, from) {
			f.text[fieldServer] = []rune(strings.TrimSuffix(srv, from) + to)
		}
		return
	}
	f.text[fieldServer] = nil
}

// provider is the chosen preset; false for "other".
func (m Model) provider() (account.Provider, bool) {
	if m.cursor < len(m.providers) {
		return m.providers[m.cursor], true
	}
	return account.Provider{}, false
}

func (m Model) keyConnect(k tea.KeyPressMsg) (Model, tea.Cmd) {
	f := &m.form
	switch {
	case matches(k, m.keys.Back):
		m.step = stepPrepare
		return m, nil
	case k.String() == "tab", k.String() == "down":
		f.focus = (f.focus + 1) % numFields
	case k.String() == "shift+tab", k.String() == "up":
		f.focus = (f.focus + numFields - 1) % numFields
	case matches(k, m.keys.Next):
		return m.startPlan()
	case f.focus == fieldProto && (k.String() == "left" || k.String() == "right" || k.String() == "space"):
		f.pop3 = !f.pop3
		m.fillServer()
	case f.focus == fieldSecurity && (k.String() == "left" || k.String() == "right" || k.String() == "space"):
		if f.security == account.SecurityTLS {
			f.security = account.SecuritySTARTTLS
		} else {
			f.security = account.SecurityTLS
		}
	case f.focus == fieldDest && (k.String() == "left" || k.String() == "right" || k.String() == "space"):
		if n := len(m.dest); n > 0 {
			d := 1
			if k.String() == "left" {
				d = n - 1
			}
			f.dest = (f.dest + d) % n
		}
	case k.String() == "backspace":
		if f.focus <= fieldServer && len(f.text[f.focus]) > 0 {
			f.text[f.focus] = f.text[f.focus][:len(f.text[f.focus])-1]
		}
	case k.String() == "ctrl+u":
		if f.focus <= fieldServer {
			f.text[f.focus] = nil
		}
	case k.Text != "":
		f.insert(k.Text)
	}
	f.problem = ""
	return m, nil
}

// source is the old mailbox as an account: never saved, its password only
// in the Cmd's private secret store.
func (m Model) source() (account.Account, string) {
	f := m.form
	host, port, err := net.SplitHostPort(f.value(fieldServer))
	pn, perr := strconv.Atoi(port)
	switch {
	case f.value(fieldAddr) == "" || !strings.Contains(f.value(fieldAddr), "@"):
		return account.Account{}, "mig.connect.need_addr"
	case f.value(fieldPassword) == "":
		return account.Account{}, "mig.connect.need_password"
	case err != nil || perr != nil || host == "" || pn <= 0 || pn > 65535:
		return account.Account{}, "mig.connect.need_server"
	case len(m.dest) == 0:
		return account.Account{}, "mig.connect.need_dest"
	case m.d.DataDir == "": // no place for the journal (the demo, no HOME)
		return account.Account{}, "mig.connect.no_data_dir"
	}
	a := account.Account{Name: "migrate-source:" + f.value(fieldAddr), Email: f.value(fieldAddr), Kind: account.KindMember}
	ep := account.Endpoint{Host: host, Port: pn, Security: f.security}
	if f.pop3 {
		a.POP3 = ep // INBOX only, deduplicated by UIDL (see package migrate)
	} else {
		a.IMAP = ep
	}
	if pr, ok := m.provider(); ok {
		a.Provider = pr.ID
	}
	return a, ""
}

// startPlan checks the form and connects both sides in a Cmd.
func (m Model) startPlan() (Model, tea.Cmd) {
	src, problem := m.source()
	if problem != "" {
		m.form.problem = problem
		return m, nil
	}
	m.seq++
	m.step, m.connErr = stepPlanning, nil
	return m, planCmd(m.d.Context, m.seq, m.sides(src), m.form.value(fieldPassword))
}

// sides builds both ends. The source's dialer is a copy of the app's
// whose secret store holds only the typed password.
func (m Model) sides(src account.Account) [2]migrate.Side {
	var sd, dd account.Dialer
	if m.d.Dialer != nil {
		sd, dd = *m.d.Dialer, *m.d.Dialer
	}
	sd.Secrets = &account.MemorySecrets{}
	return [2]migrate.Side{{Account: src, Dialer: &sd}, {Account: m.dest[m.form.dest], Dialer: &dd}}
}

// planCmd stores the password, then plans (which logs in on both sides).
func planCmd(ctx context.Context, id int, sides [2]migrate.Side, password string) tea.Cmd {
	return func() tea.Msg {
		if err := sides[0].Dialer.Secrets.Set(ctx, account.SecretKey(sides[0].Account.Name, ""), password); err != nil {
			return PlannedMsg{ID: id, Err: err}
		}
		p, err := migrate.NewPlan(ctx, sides[0], sides[1], migrate.Options{})
		return PlannedMsg{ID: id, Plan: p, Err: err}
	}
}

// planned shows the plan, or the diagnosis of the failed connection.
func (m Model) planned(msg PlannedMsg) (Model, tea.Cmd) {
	if msg.ID != m.seq || m.step != stepPlanning {
		return m, nil
	}
	if msg.Err != nil {
		m.step, m.connErr, m.connSide = stepConnFail, msg.Err, migrate.SideSource
		var ce *migrate.ConnError
		if errors.As(msg.Err, &ce) {
			m.connSide = ce.Side
		}
		return m, nil
	}
	m.step, m.plan, m.pcursor = stepPlan, msg.Plan, 0
	m.selected = make([]bool, len(msg.Plan.Folders))
	for i := range m.selected {
		m.selected[i] = true
	}
	return m, nil
}

func (m Model) keyConnFail(k tea.KeyPressMsg) (Model, tea.Cmd) {
	if matches(k, m.keys.Next, m.keys.Back) {
		m.step = stepConnect
		if matches(k, m.keys.Next) {
			m.form.focus, m.form.text[fieldPassword] = fieldPassword, nil
		}
	}
	return m, nil
}
