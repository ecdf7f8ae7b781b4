package quirkserver

import (
	"testing"
)

// Test account used by StartTest when no users are given.
const (
	TestUser     = "alice@example.cn"
	TestPassword = "app-password-123"
)

// StartTest starts a MemBackend (folders named as the profile's provider
// names them, see FolderStyleFor) and a proxy for profile in front of it,
// registering cleanup with t. users maps user → password; nil means
// {TestUser: TestPassword}. It fails t on error.
func StartTest(t testing.TB, profile Profile, users map[string]string, opts ...MemOption) (*Server, *MemBackend) {
	t.Helper()
	return StartTestOptions(t, Options{Profile: profile}, users, opts...)
}

// StartTestOptions is StartTest with full proxy options; opts.Backend is
// filled in.
func StartTestOptions(t testing.TB, opts Options, users map[string]string, memOpts ...MemOption) (*Server, *MemBackend) {
	t.Helper()
	if users == nil {
		users = map[string]string{TestUser: TestPassword}
	}
	if opts.Profile == "" {
		opts.Profile = Plain
	}
	memOpts = append([]MemOption{WithFolderStyle(FolderStyleFor(opts.Profile))}, memOpts...)
	backend, err := NewMemBackend(users, memOpts...)
	if err != nil {
		t.Fatalf("quirkserver: %v", err)
	}
	t.Cleanup(func() { backend.Close() })
	opts.Backend = backend.Addr()
	srv, err := Start(opts)
	if err != nil {
		t.Fatalf("quirkserver: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, backend
}
