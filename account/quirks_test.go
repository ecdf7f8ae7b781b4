package account

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/internal/quirkserver"
)

// TestQuirkProfilesConnectListSelect proves the connection layer against
// each provider's emulated behaviour: it must log in, list the folders and
// select every selectable one (NetEase refuses SELECT without IMAP ID;
// Coremail hangs on ENABLE, which must never be sent).
func TestQuirkProfilesConnectListSelect(t *testing.T) {
	cases := []struct {
		profile  quirkserver.Profile
		provider string // preset ID; "" = no preset, the server must be recognised
		sentRole string // the folder the Sent role must land on
	}{
		{quirkserver.Plain, "", "Sent"},
		{quirkserver.NetEase, "163", "已发送"},
		{quirkserver.NetEase, "", "已发送"},
		{quirkserver.Coremail, "netease-qiye", "已发送"},
		{quirkserver.Exmail, "exmail", "已发送"},
		{quirkserver.Aliyun, "aliyun-qiye", "Sent"},
		{quirkserver.P263, "263", "Sent"},
	}
	for _, tc := range cases {
		t.Run(string(tc.profile)+"/"+tc.provider, func(t *testing.T) {
			srv, _ := quirkserver.StartTest(t, tc.profile, nil)
			host, portStr, _ := net.SplitHostPort(srv.Addr())
			port, _ := strconv.Atoi(portStr)
			a := Account{Name: "q", Email: quirkserver.TestUser, Provider: tc.provider, Kind: KindMember,
				IMAP: Endpoint{Host: host, Port: port, Security: SecurityInsecurePlain}}
			secrets := &MemorySecrets{}
			_ = secrets.Set(context.Background(), "q", quirkserver.TestPassword)
			d := &Dialer{Secrets: secrets, Timeout: 5 * time.Second}

			c, err := d.DialIMAP(context.Background(), a, nil)
			if err != nil {
				t.Fatalf("DialIMAP: %v", err)
			}
			defer c.Close()
			list, err := c.List("", "*", nil).Collect()
			if err != nil {
				t.Fatalf("LIST: %v", err)
			}
			roles := map[Role]string{}
			for _, l := range list {
				if r := FolderRole(l.Mailbox, l.Delim, l.Attrs); r != RoleNone {
					roles[r] = l.Mailbox
				}
				noSelect := false
				for _, attr := range l.Attrs {
					noSelect = noSelect || attr == imap.MailboxAttrNoSelect
				}
				if noSelect {
					continue
				}
				if _, err := c.Select(l.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
					t.Errorf("EXAMINE %q: %v (diagnosis %s)", l.Mailbox, err, Diagnose(err).Problem)
				}
			}
			if roles[RoleSent] != tc.sentRole || roles[RoleInbox] == "" {
				t.Errorf("roles = %v, want sent → %q", roles, tc.sentRole)
			}
			if n := srv.Stats().Commands["ENABLE"]; n != 0 {
				t.Errorf("ENABLE sent %d times", n)
			}
			switch tc.profile {
			case quirkserver.NetEase, quirkserver.Coremail:
				if len(srv.Stats().IDs) == 0 || !c.Quirks.NeedsID {
					t.Errorf("IMAP ID not sent (IDs %v) or NetEase not recognised (quirks %+v)", srv.Stats().IDs, c.Quirks)
				}
			case quirkserver.Aliyun:
				if !c.Quirks.XList {
					t.Errorf("XLIST without SPECIAL-USE not noticed: %+v", c.Quirks)
				}
			}
			// The same through the account test's probe.
			if r := d.Probe(context.Background(), a); r.IMAPErr != nil || r.FoldersErr != nil || !r.OK() {
				t.Errorf("probe: %v %v %+v", r.IMAPErr, r.FoldersErr, r.Folders)
			}
		})
	}
}
