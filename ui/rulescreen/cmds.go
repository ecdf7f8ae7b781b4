package rulescreen

import (
	"context"
	"errors"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/rules/managesieve"
)

// errNoAccount means the named account is not in the config any more.
var errNoAccount = errors.New("rulescreen: no such account")

// open finds where the account's rules live; the caller closes the Home.
func open(ctx context.Context, d Deps, name string) (*rules.Home, error) {
	a, ok := d.Config.Account(name)
	if !ok {
		return nil, errNoAccount
	}
	dialer := d.Dialer
	if dialer == nil {
		dialer = &account.Dialer{}
	}
	return rules.OpenHome(ctx, a, dialer, d.Store)
}

func placeOf(h *rules.Home) Place {
	p := Place{Server: h.Server, Guessed: h.Guessed, Others: h.State.Others}
	if h.State.Exists && (h.State.Script.Edited || !h.State.Script.Owned) {
		p.Edited, p.Script = true, h.State.Script.Text
	}
	return p
}

// loadCmd reads the account's rules (a ManageSieve session or the store).
// It copies what it needs before it runs.
func loadCmd(d Deps, name string, id int) tea.Cmd {
	ctx := d.Context
	return func() tea.Msg {
		h, err := open(ctx, d, name)
		if err != nil {
			return LoadedMsg{ID: id, Account: name, Err: err}
		}
		defer h.Close()
		set, err := h.Load(ctx, false)
		if errors.Is(err, rules.ErrEdited) {
			err = nil // shown read-only
		}
		var folders []string
		if h.Store != nil && err == nil {
			fs, ferr := h.Store.Folders(ctx, h.ID)
			for _, f := range fs {
				if f.Role != "inbox" {
					folders = append(folders, f.Name)
				}
			}
			err = ferr
		}
		return LoadedMsg{ID: id, Account: name, Place: placeOf(h), Set: set, Folders: folders, Err: err}
	}
}

// saveCmd writes set where the account's rules live.
func saveCmd(d Deps, name string, set rules.Set, id int) tea.Cmd {
	ctx := d.Context
	return func() tea.Msg {
		h, err := open(ctx, d, name)
		if err != nil {
			return SavedMsg{ID: id, Account: name, Err: err}
		}
		defer h.Close()
		if _, err := h.Save(ctx, set, false); err != nil {
			return SavedMsg{ID: id, Account: name, Err: err}
		}
		return SavedMsg{ID: id, Account: name, Place: placeOf(h), Set: set}
	}
}

// word says what went wrong, in the user's language ("" for nil).
func (m Model) word(err error) string {
	p := m.p
	var re *rules.RuleError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, rules.ErrEdited):
		return p.T("rscr.err.edited")
	case rules.IsLoginRefused(err):
		return p.T("rscr.err.login")
	case errors.Is(err, managesieve.ErrNoSTARTTLS):
		return p.T("rscr.err.starttls")
	case account.IsTLSError(err):
		return p.T("rscr.err.tls", message.SanitizeLine(err.Error()))
	case rules.IsCheckError(err):
		return p.T("rscr.err.refused", message.SanitizeLine(err.Error()))
	case errors.Is(err, rules.ErrNoStore):
		return p.T("rscr.err.no_store")
	case errors.As(err, &re):
		return p.T("rscr.err.rule", message.SanitizeLine(err.Error()))
	}
	return p.T("rscr.err.other", message.SanitizeLine(err.Error()))
}
