package account

import (
	"context"
	"fmt"
	"sync"
)

// MemorySecrets is a SecretStore that forgets everything when the program
// exits. It serves the demo (which must run with no keyring) and tests.
// The zero value is ready to use; it is safe for concurrent use.
type MemorySecrets struct {
	mu sync.Mutex
	m  map[string]string
}

var _ SecretStore = (*MemorySecrets)(nil)

// Get implements SecretStore.
func (s *MemorySecrets) Get(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return "", fmt.Errorf("account: %q: %w", key, ErrSecretNotFound)
	}
	return v, nil
}

// Set implements SecretStore.
func (s *MemorySecrets) Set(_ context.Context, key, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[key] = secret
	return nil
}

// Delete implements SecretStore.
func (s *MemorySecrets) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}
