package wizard

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
)

// bodyChoice is one answer to "what to sync": its label and the policy
// spelling account.ParseBodyPolicy reads.
type bodyChoice struct{ label, policy string }

func bodyChoices() []bodyChoice {
	return []bodyChoice{
		{"wizard.sync.all", "all"},
		{"wizard.sync.none", "none"},
		{"wizard.sync.recent", "recent:30d"},
	}
}

// defaultName is the local part of email made into a valid account name,
// made unique in cfg by a "-2", "-3"… suffix.
func defaultName(email string, cfg *account.Config) string {
	local := email
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		local = email[:at]
	}
	var b strings.Builder
	for _, r := range local {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-", r) {
			b.WriteRune(r)
		} else {
			b.WriteRune('-')
		}
	}
	base := strings.Trim(b.String(), "-.")
	if base == "" {
		base = "mail"
	}
	if r := []rune(base); len(r) > 56 {
		base = string(r[:56])
	}
	name := base
	for i := 2; cfg != nil; i++ {
		if _, taken := cfg.Account(name); !taken {
			break
		}
		name = base + "-" + strconv.Itoa(i)
	}
	return name
}

// toSync shows the sync choices with the default name (kept if the user
// already edited it for this address).
func (m Model) toSync() (Model, tea.Cmd) {
	m.step, m.nameErr, m.nameFocus = stepSync, "", false
	if m.nameFor != m.acct.Email {
		m.name.SetValue(defaultName(m.acct.Email, m.deps.Config))
		m.nameFor = m.acct.Email
	}
	m.name.Blur()
	return m, nil
}

// keySync chooses what to sync; tab edits the name; enter saves.
func (m Model) keySync(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case keyMatches(msg, m.keys.Back):
		m.name.Blur()
		m.nameFocus = false
		m.step = stepProbed
		return m, nil
	case keyMatches(msg, m.keys.Next):
		return m.save()
	case keyMatches(msg, m.keys.Name):
		m.nameFocus = !m.nameFocus
		if m.nameFocus {
			return m, m.name.Focus()
		}
		m.name.Blur()
		return m, nil
	case m.nameFocus:
		var cmd tea.Cmd
		m.name, cmd = m.name.Update(msg)
		m.nameErr = ""
		return m, cmd
	case keyMatches(msg, m.keys.Up):
		m.bodies = max(m.bodies-1, 0)
	case keyMatches(msg, m.keys.Down):
		m.bodies = min(m.bodies+1, len(bodyChoices())-1)
	}
	return m, nil
}

// final is the account as it will be saved.
func (m Model) final() account.Account {
	a := m.acct
	a.Name = strings.TrimSpace(m.name.Value())
	return a
}

// save checks the name and stores the password: the keyring first, then
// (in secretSaved) the config, so that a failure never leaves a config
// entry without its password.
func (m Model) save() (Model, tea.Cmd) {
	a := m.final()
	switch {
	case !account.ValidName(a.Name):
		m.nameErr = m.p.T("wizard.sync.name_invalid")
	case m.taken(a.Name):
		m.nameErr = m.p.T("wizard.sync.name_taken", a.Name)
	}
	if m.nameErr != "" {
		m.nameFocus = true
		return m, m.name.Focus()
	}
	m.name.Blur()
	m.nameFocus = false
	id, ctx, tick := m.startRequest()
	m.step, m.saveErr, m.rollback = stepSaving, nil, false
	return m, tea.Batch(tick, saveSecretCmd(ctx, id, m.deps.Secrets, a.Name, m.password.Value()))
}

func (m Model) taken(name string) bool {
	if m.deps.Config == nil {
		return false
	}
	_, ok := m.deps.Config.Account(name)
	return ok
}

// saveSecretCmd stores password under the account's key; it answers with
// SecretSavedMsg{ID: id}.
func saveSecretCmd(ctx context.Context, id int, store account.SecretStore, name, password string) tea.Cmd {
	return func() tea.Msg {
		if store == nil {
			return SecretSavedMsg{ID: id, Err: account.ErrKeyringUnavailable}
		}
		return SecretSavedMsg{ID: id, Err: store.Set(ctx, account.SecretKey(name, ""), password)}
	}
}

// deleteSecretCmd removes a password stored for an account whose config
// entry could not be written. It reports nothing: the wizard already says
// what failed.
func deleteSecretCmd(store account.SecretStore, name string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = store.Delete(ctx, account.SecretKey(name, ""))
		return nil
	}
}

// secretSaved writes the config once the password is stored, then sends
// DoneMsg. The config is written here, on the UI goroutine, because the
// root app shares *account.Config: a local file write, not the network.
func (m Model) secretSaved(msg SecretSavedMsg) (Model, tea.Cmd) {
	if msg.ID != m.seq || m.step != stepSaving {
		return m, nil
	}
	m.finishRequest()
	if msg.Err != nil {
		m.step, m.saveErr = stepSaveFailed, msg.Err
		return m, nil
	}
	a := m.final()
	bodies, perr := account.ParseBodyPolicy(bodyChoices()[m.bodies].policy)
	if perr != nil { // the choices are constants: a bug, not a user error
		bodies = account.BodyPolicy{Mode: account.BodiesAll}
	}
	a.Bodies = bodies
	err := errors.New("wizard: no config to write to")
	if m.deps.Config != nil {
		err = m.deps.Config.AppendAccount(a)
	}
	if err != nil {
		m.step, m.saveErr, m.rollback = stepSaveFailed, err, true
		return m, deleteSecretCmd(m.deps.Secrets, a.Name)
	}
	m.step = stepDone
	m.password.Reset()
	done := DoneMsg{Account: a, Bodies: bodies}
	return m, func() tea.Msg { return done }
}

// keySaveFailed: enter or r saves again, esc goes back to the choices.
func (m Model) keySaveFailed(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case keyMatches(msg, m.keys.Retry):
		return m.save()
	case keyMatches(msg, m.keys.Back):
		m.step = stepSync
		return m, nil
	}
	return m, nil
}

// passwordCmdLine is the command that adds the same account with
// --password-cmd, for when no keyring is available.
func passwordCmdLine(a account.Account) string {
	args := []string{"magpie", "account", "add", shellQuote(a.Name), "--email", shellQuote(a.Email)}
	pr, isPreset := account.LookupProvider(a.Provider)
	if isPreset && pr.IMAP == a.IMAP && pr.SMTP == a.SMTP {
		args = append(args, "--provider", pr.ID)
	} else {
		args = append(args, "--imap", shellQuote(a.IMAP.Addr()), "--imap-security", string(a.IMAP.Security))
		if !a.SMTP.IsZero() {
			args = append(args, "--smtp", shellQuote(a.SMTP.Addr()), "--smtp-security", string(a.SMTP.Security))
		}
	}
	if a.Username != "" {
		args = append(args, "--username", shellQuote(a.Username))
	}
	args = append(args, "--password-cmd", shellQuote("pass show mail/"+a.Name))
	return strings.Join(args, " ")
}

// shellQuote single-quotes s for sh unless it is plainly safe.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("@%+=:,./_-[]", r))) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
