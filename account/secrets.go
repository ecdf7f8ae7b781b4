package account

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/zalando/go-keyring"
)

// SecretStore keeps client passwords (客户端专用密码/授权码) outside every
// file Magpie writes. Implementations must be safe for concurrent use.
type SecretStore interface {
	// Get returns the secret under key, or an error wrapping ErrSecretNotFound.
	Get(ctx context.Context, key string) (string, error)
	// Set stores secret under key, replacing any previous one.
	Set(ctx context.Context, key, secret string) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

var (
	// ErrSecretNotFound means the store has no secret for the key.
	ErrSecretNotFound = errors.New("no password stored")
	// ErrKeyringUnavailable means no Secret Service (or other OS keyring)
	// answered; password_cmd is the way out.
	ErrKeyringUnavailable = errors.New("no OS keyring available")
	// ErrPasswordCmd means password_cmd failed or printed nothing.
	ErrPasswordCmd = errors.New("password command failed")
)

// KeyringService is the service name under which Magpie's secrets live.
const KeyringService = "magpie"

// SecretKey names an account's secret in a SecretStore. purpose separates
// secrets of one account ("" for IMAP/SMTP, "caldav" for a separate CalDAV
// password).
func SecretKey(account, purpose string) string {
	if purpose == "" {
		return account
	}
	return account + "/" + purpose
}

// Keyring is the OS keyring through github.com/zalando/go-keyring (the
// freedesktop Secret Service over D-Bus on Linux, Keychain on macOS,
// Credential Manager on Windows).
type Keyring struct {
	// Service is the keyring service name; empty means KeyringService.
	Service string
	// Getenv reads the environment (os.Getenv when nil); used to tell
	// whether a D-Bus session exists before go-keyring is asked, because
	// godbus would otherwise try to autolaunch a bus that outlives us.
	Getenv func(string) string
}

var _ SecretStore = Keyring{}

func (k Keyring) service() string {
	if k.Service == "" {
		return KeyringService
	}
	return k.Service
}

// available reports whether a session bus can be reached without autolaunch.
func (k Keyring) available() error {
	getenv := k.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			return nil
		}
	}
	if onLinuxLike() {
		return fmt.Errorf("account: %w: no D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset)", ErrKeyringUnavailable)
	}
	return nil
}

// call runs a blocking keyring operation so that ctx can abandon it.
func (k Keyring) call(ctx context.Context, op func() error) error {
	if err := k.available(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- op() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("account: keyring: %w", ctx.Err())
	}
}

// Get implements SecretStore.
func (k Keyring) Get(ctx context.Context, key string) (string, error) {
	var secret string
	err := k.call(ctx, func() (err error) {
		secret, err = keyring.Get(k.service(), key)
		return err
	})
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return "", fmt.Errorf("account: keyring %q: %w", key, ErrSecretNotFound)
	case errors.Is(err, ErrKeyringUnavailable), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "", err
	case err != nil:
		return "", fmt.Errorf("account: %w: %v", ErrKeyringUnavailable, err)
	}
	return secret, nil
}

// Set implements SecretStore.
func (k Keyring) Set(ctx context.Context, key, secret string) error {
	err := k.call(ctx, func() error { return keyring.Set(k.service(), key, secret) })
	switch {
	case err == nil, errors.Is(err, ErrKeyringUnavailable), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return fmt.Errorf("account: %w: %v", ErrKeyringUnavailable, err)
}

// Delete implements SecretStore.
func (k Keyring) Delete(ctx context.Context, key string) error {
	err := k.call(ctx, func() error { return keyring.Delete(k.service(), key) })
	switch {
	case err == nil, errors.Is(err, keyring.ErrNotFound):
		return nil
	case errors.Is(err, ErrKeyringUnavailable), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return fmt.Errorf("account: %w: %v", ErrKeyringUnavailable, err)
}

// RunPasswordCmd runs cmd with sh -c and returns the first line it prints,
// as `pass show` and similar tools expect. The secret is read from the
// child's stdout only; it never reaches an argv, a log or an error.
func RunPasswordCmd(ctx context.Context, cmd string) (string, error) {
	c := exec.CommandContext(ctx, "/bin/sh", "-c", cmd)
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	if err := c.Run(); err != nil {
		msg := strings.TrimSpace(firstLine(errOut.String()))
		if msg != "" {
			return "", fmt.Errorf("account: %w: %v: %s", ErrPasswordCmd, err, msg)
		}
		return "", fmt.Errorf("account: %w: %v", ErrPasswordCmd, err)
	}
	secret := strings.TrimRight(firstLine(out.String()), "\r")
	if secret == "" {
		return "", fmt.Errorf("account: %w: it printed nothing", ErrPasswordCmd)
	}
	return secret, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Password returns the account's client password: from PasswordCmd when
// set, otherwise from store under SecretKey(a.Name, "").
func (a Account) Password(ctx context.Context, store SecretStore) (string, error) {
	if a.PasswordCmd != "" {
		return RunPasswordCmd(ctx, a.PasswordCmd)
	}
	if store == nil {
		return "", fmt.Errorf("account: %q: %w", a.Name, ErrKeyringUnavailable)
	}
	return store.Get(ctx, SecretKey(a.Name, ""))
}

func onLinuxLike() bool { return runtime.GOOS != "darwin" && runtime.GOOS != "windows" }
