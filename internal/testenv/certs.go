package testenv

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"

	"github.com/magpie-mail/magpie/internal/testcert"
)

// certs is a throwaway certificate authority and one server certificate it
// issued for localhost and 127.0.0.1, written as PEM files into a directory.
type certs struct {
	CAFile   string // CA certificate (PEM)
	CAPEM    []byte
	CertFile string // server certificate chain (PEM)
	KeyFile  string // server private key (PEM, mode 0600)
}

// newCerts generates a CA and a server certificate into dir.
func newCerts(dir string) (*certs, error) {
	ca, err := testcert.NewCA("magpie testenv CA")
	if err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	pair, err := ca.Server("localhost", "127.0.0.1")
	if err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	c := &certs{
		CAFile:   filepath.Join(dir, "ca.pem"),
		CAPEM:    ca.CertPEM,
		CertFile: filepath.Join(dir, "server.pem"),
		KeyFile:  filepath.Join(dir, "server.key"),
	}
	// The server file carries the chain so servers send the CA along.
	chain := append(append([]byte{}, pair.CertPEM...), ca.CertPEM...)
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{
		{c.CAFile, c.CAPEM, 0o644},
		{c.CertFile, chain, 0o644},
		{c.KeyFile, pair.KeyPEM, 0o600},
	} {
		if err := os.WriteFile(f.path, f.data, f.mode); err != nil {
			return nil, fmt.Errorf("testenv: write certificate: %w", err)
		}
	}
	return c, nil
}

// TLSConfig returns a client configuration that trusts only the test CA and
// verifies the server name serverName (use "localhost" or "127.0.0.1").
func (c *certs) TLSConfig(serverName string) *tls.Config {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(c.CAPEM)
	return &tls.Config{RootCAs: pool, ServerName: serverName, MinVersion: tls.VersionTLS12}
}
