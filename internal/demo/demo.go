// Package demo runs Magpie's demo: an in-process IMAP server (go-imap's
// in-memory server, see internal/quirkserver) and an in-process SMTP server
// (go-smtp) on 127.0.0.1, with a sample member mailbox and a shared business
// mailbox filled with bilingual mail, plus a throwaway config, in-memory
// secrets and a store in a directory the caller gives. It needs no network
// beyond loopback and no keyring.
//
// It is what `magpie --demo` starts; tests use it as a ready-made world.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/quirkserver"
	"github.com/magpie-mail/magpie/store"
)

// The demo's accounts and addresses.
const (
	// MemberAccount is the config name of the member's own mailbox.
	MemberAccount = "work"
	// MemberEmail is the member's address (and IMAP/SMTP login).
	MemberEmail = "chen@magpie.demo"
	// MemberName is the member's display name.
	MemberName = "陈明"
	// AliasEmail is a send-as alias of the member's mailbox; mail to it is
	// delivered to the member's INBOX.
	AliasEmail = "ming@magpie.demo"

	// SalesAccount is the config name of the shared business mailbox.
	SalesAccount = "sales"
	// SalesEmail is the business mailbox's address (and login).
	SalesEmail = "sales@magpie.demo"
	// SalesName is the business mailbox's display name.
	SalesName = "销售部"
)

// Sizes of the generated part of each mailbox (the showcase messages come
// on top).
const (
	memberCorpus = 300
	salesCorpus  = 50
)

// Demo is a running demo world. Its fields are ready to use until Close;
// they are safe for concurrent use as their types say (the servers serve
// any number of connections). Close must come after every user of Store is
// done.
type Demo struct {
	// Config is the throwaway config, as read back from Dir/config.toml:
	// the member account (with its alias) and the business account, both on
	// insecure-plain loopback endpoints.
	Config *account.Config
	// Secrets holds the accounts' passwords (random per Start) in memory.
	Secrets *account.MemorySecrets
	// Dialer connects the demo accounts, with Secrets.
	Dialer *account.Dialer
	// Store is the mail store at Dir/mail.db, empty until synced.
	Store *store.Store
	// Dir is the directory the config and the store live in.
	Dir string
	// Seeded says how many messages each account's folders were given:
	// account name → folder name (decoded, as on the server) → count.
	Seeded map[string]map[string]int

	imap *quirkserver.MemBackend
	smtp *smtpServer
}

// Start starts the servers, fills both mailboxes, writes the config to
// dir/config.toml and opens the store at dir/mail.db. It blocks until the
// servers listen and hold all the mail (well under a second on a laptop). dir must exist; Start
// creates nothing outside it and Close removes nothing in it. On failure
// everything started is stopped again.
func Start(ctx context.Context, dir string) (*Demo, error) {
	users := map[string]string{}
	for _, u := range []string{MemberEmail, SalesEmail} {
		pw, err := newPassword()
		if err != nil {
			return nil, err
		}
		users[u] = pw
	}
	backend, err := quirkserver.NewMemBackend(users, quirkserver.WithFolderStyle(quirkserver.ExmailFolders))
	if err != nil {
		return nil, fmt.Errorf("demo: imap server: %w", err)
	}
	d := &Demo{Dir: dir, imap: backend, Secrets: &account.MemorySecrets{}}
	if err := d.start(ctx, users); err != nil {
		return nil, errors.Join(err, d.Close())
	}
	return d, nil
}

func (d *Demo) start(ctx context.Context, users map[string]string) error {
	now := time.Now()
	seeded, err := fill(d.imap, now)
	if err != nil {
		return err
	}
	d.Seeded = seeded
	d.smtp, err = startSMTP(d.imap, users, mailboxOf())
	if err != nil {
		return err
	}
	imapEP, err := loopback(d.imap.Addr())
	if err != nil {
		return err
	}
	smtpEP, err := loopback(d.smtp.Addr())
	if err != nil {
		return err
	}
	cfg := &account.Config{Path: filepath.Join(d.Dir, "config.toml"), Accounts: accounts(imapEP, smtpEP)}
	if err := cfg.Save(); err != nil {
		return fmt.Errorf("demo: write config: %w", err)
	}
	// Read it back: the demo runs on the file, exactly as a user's config.
	if d.Config, err = account.LoadConfig(cfg.Path); err != nil {
		return fmt.Errorf("demo: read config back: %w", err)
	}
	for _, a := range d.Config.Accounts {
		if err := d.Secrets.Set(ctx, account.SecretKey(a.Name, ""), users[a.LoginName()]); err != nil {
			return fmt.Errorf("demo: store password: %w", err)
		}
	}
	d.Dialer = &account.Dialer{Secrets: d.Secrets, Timeout: 10 * time.Second}
	if d.Store, err = store.Open(ctx, filepath.Join(d.Dir, "mail.db")); err != nil {
		return fmt.Errorf("demo: open store: %w", err)
	}
	return nil
}

// accounts are the demo's two accounts on the given endpoints.
func accounts(imapEP, smtpEP account.Endpoint) []account.Account {
	return []account.Account{
		{
			Name: MemberAccount, Email: MemberEmail, DisplayName: MemberName, Kind: account.KindMember,
			IMAP: imapEP, SMTP: smtpEP,
			Aliases: []account.Identity{{Address: AliasEmail, Name: MemberName, Kind: account.IdentityAlias}},
		},
		{
			Name: SalesAccount, Email: SalesEmail, DisplayName: SalesName, Kind: account.KindBusiness,
			IMAP: imapEP, SMTP: smtpEP,
		},
	}
}

// mailboxOf maps every deliverable address to its server login.
func mailboxOf() map[string]string {
	return map[string]string{MemberEmail: MemberEmail, AliasEmail: MemberEmail, SalesEmail: SalesEmail}
}

// loopback turns a listener address into a plaintext endpoint.
func loopback(addr string) (account.Endpoint, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return account.Endpoint{}, fmt.Errorf("demo: server address %q: %w", addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return account.Endpoint{}, fmt.Errorf("demo: server port %q: %w", port, err)
	}
	return account.Endpoint{Host: host, Port: p, Security: account.SecurityInsecurePlain}, nil
}

// newPassword returns a random password, so that nothing predictable ever
// opens the demo's servers.
func newPassword() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("demo: password: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// IMAPAddr is the IMAP server's host:port on 127.0.0.1.
func (d *Demo) IMAPAddr() string { return d.imap.Addr() }

// SMTPAddr is the SMTP server's host:port on 127.0.0.1.
func (d *Demo) SMTPAddr() string { return d.smtp.Addr() }

// Close stops both servers (closing their connections) and closes the
// store. It removes no file: the caller owns Dir. Idempotent in effect;
// the first error of each part is returned.
func (d *Demo) Close() error {
	var errs []error
	if d.smtp != nil {
		errs = append(errs, d.smtp.Close())
	}
	if d.imap != nil {
		errs = append(errs, d.imap.Close())
	}
	if d.Store != nil {
		errs = append(errs, d.Store.Close())
		d.Store = nil
	}
	return errors.Join(errs...)
}
