package testenv

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

func TestKeyringRoundTrip(t *testing.T) {
	k := Keyring(t)
	service, user, secret := "magpie-testenv-"+randomHex(4), "u@example.test", "app password "+randomHex(4)
	if err := keyring.Set(service, user, secret); err != nil {
		t.Fatalf("Set: %v\n%s", err, logTail(k.logPath, 20))
	}
	got, err := keyring.Get(service, user)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got != secret {
		t.Fatalf("Get = %q, want %q", got, secret)
	}

	// Another client of the Secret Service sees the same item.
	secretTool, ok := lookBin("secret-tool", "/usr/bin/secret-tool")
	if !ok {
		unavailable(t, "secret-tool not installed (apt-get install libsecret-tools)")
	}
	cmd := exec.CommandContext(t.Context(), secretTool, "lookup", "service", service, "username", user)
	cmd.Env = append(childEnv(), k.Env()...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("secret-tool lookup: %v", err)
	}
	if strings.TrimSpace(string(out)) != secret {
		t.Fatalf("secret-tool lookup = %q, want %q", out, secret)
	}

	if err := keyring.Delete(service, user); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := keyring.Get(service, user); err != keyring.ErrNotFound {
		t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
	}
}
