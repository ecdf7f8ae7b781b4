package testenv

import (
	"os"
	"testing"

	"github.com/emersion/go-imap/v2/imapclient"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestDovecotIMAPLogin(t *testing.T) {
	d := Dovecot(t)
	u := d.NewUser(t)
	c, err := imapclient.DialStartTLS(d.IMAPAddr(), &imapclient.Options{TLSConfig: d.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(u.Name, u.Password).Wait(); err != nil {
		t.Fatal(err)
	}
}
