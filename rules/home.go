package rules

import (
	"context"
	"errors"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/rules/managesieve"
	"github.com/magpie-mail/magpie/store"
)

// DiscoverTimeout bounds the try of a guessed ManageSieve server (the IMAP
// host's port 4190): a host without one often just drops the packets.
const DiscoverTimeout = 10 * time.Second

// Home is where an account's rules live: on the server as Magpie's Sieve
// script (ManageSieve), or in the local store, run on this computer. Open it
// with OpenHome, Close it when done; it is not safe for concurrent use.
type Home struct {
	Account account.Account
	Sieve   *managesieve.Client // nil: the rules run on this computer
	Server  string              // the ManageSieve server, host:port
	State   ServerState         // what the server held when opened
	// Guessed is the guessed ManageSieve address that did not answer:
	// discovery found none, so the rules run on this computer.
	Guessed string
	Store   *store.Store // may be nil for server rules (no local mail yet)
	ID      store.AccountID
	Options CompileOptions // Junk and Trash from the folder roles
}

// OpenHome finds where a's rules live and opens it: ManageSieve when a has
// (or discovery finds) a server, else the store st. A guessed server that
// does not answer means none; one that refuses the login, or a named server
// that fails, is an error (callers word it; see IsLoginRefused).
func OpenHome(ctx context.Context, a account.Account, d *account.Dialer, st *store.Store) (*Home, error) {
	h := &Home{Account: a, Store: st}
	if e, discovered, ok := a.SieveEndpoint(); ok {
		c, err := DialSieve(ctx, a, d, e, discovered)
		switch {
		case err == nil:
			h.Sieve, h.Server = c, e.Addr()
			if h.State, err = Load(ctx, c); err != nil {
				c.Close()
				return nil, err
			}
		case discovered && !IsLoginRefused(err):
			h.Guessed = e.Addr()
		default:
			return nil, err
		}
	}
	if st != nil {
		var err error
		if h.ID, err = st.Account(ctx, a.Name); err != nil {
			h.Close()
			return nil, err
		}
		folders, err := st.Folders(ctx, h.ID)
		if err != nil {
			h.Close()
			return nil, err
		}
		h.Options = OptionsFor(folders)
	}
	return h, nil
}

// ErrNoStore means rules that run on this computer were asked for without
// a store to keep them in.
var ErrNoStore = errors.New("rules: no local store for rules that run on this computer")

// DialSieve connects to a's ManageSieve server e, verifying TLS as every
// connection of the account is, and logs in with the account's secret.
func DialSieve(ctx context.Context, a account.Account, d *account.Dialer, e account.Endpoint, discovered bool) (*managesieve.Client, error) {
	tlsCfg, err := d.TLSConfig(a, e.Host)
	if err != nil {
		return nil, err
	}
	password, err := a.Password(ctx, d.Secrets)
	if err != nil {
		return nil, err
	}
	o := managesieve.Options{TLS: tlsCfg, Username: a.LoginName(), AuthorizeAs: a.AuthorizeAs,
		Password: password, NetDial: d.NetDial}
	if discovered {
		o.Timeout = DiscoverTimeout
	}
	return managesieve.Dial(ctx, e.Addr(), o)
}

// IsLoginRefused reports whether a ManageSieve server answered the login
// with NO: it is there, so discovery must not quietly fall back.
func IsLoginRefused(err error) bool {
	var e *managesieve.Error
	return errors.As(err, &e) && e.Command == "AUTHENTICATE"
}

// Load returns the account's rule set. With force, a server script edited
// by hand (or not Magpie's) counts as empty: it will be replaced. Without,
// it is ErrEdited.
func (h *Home) Load(ctx context.Context, force bool) (Set, error) {
	if h.Sieve != nil {
		set, err := h.State.CurrentSet()
		if errors.Is(err, ErrEdited) && force {
			return Set{}, nil
		}
		return set, err
	}
	if h.Store == nil {
		return Set{}, ErrNoStore
	}
	return LoadLocal(ctx, h.Store, h.ID)
}

// Save writes set where the rules live. On the server it installs Magpie's
// script (Install: checked, activated, the user's script kept); here it
// stores the set and starts the arrival watermark of INBOX, so what arrives
// from now on is new mail to the rules.
func (h *Home) Save(ctx context.Context, set Set, force bool) (Installed, error) {
	if h.Sieve != nil {
		inst, err := Install(ctx, h.Sieve, set, h.Options, force)
		if err == nil {
			h.State, err = Load(ctx, h.Sieve)
		}
		return inst, err
	}
	if h.Store == nil {
		return Installed{}, ErrNoStore
	}
	if err := SaveLocal(ctx, h.Store, h.ID, set); err != nil {
		return Installed{}, err
	}
	folders, err := h.Store.Folders(ctx, h.ID)
	if err != nil {
		return Installed{}, err
	}
	for _, f := range folders {
		if f.Role == "inbox" {
			return Installed{}, StartWatermark(ctx, h.Store, f)
		}
	}
	return Installed{}, nil
}

// Close ends the ManageSieve session (the store is the caller's).
func (h *Home) Close() {
	if h.Sieve != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = h.Sieve.Logout(ctx)
		cancel()
		h.Sieve = nil
	}
}
