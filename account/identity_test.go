package account

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const signatureConfig = `# 我的配置 (comments survive edits)
editor = "vim"

[[account]]
name = "work"
email = "chen@example.test"
display_name = "陈明"
provider = "exmail"
signature_new = """
陈明
销售部 · 示例公司"""
signature_reply = "陈明"
  [account.imap]
  host = "imap.example.test"
  port = 993
  security = "tls"
  [[account.alias]]      # the alias clients see
  address = "sales@example.test"
  name = "销售部"
  signature_new = "销售部\n电话 010-1234"

[[account]]
name = "biz"
email = "service@example.test"
kind = "business"
sent_copy = "client"
  [account.imap]
  host = "imap.example.test"
  port = 993
  security = "tls"
`

func TestSignaturesAndSendersFromConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(signatureConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Editor != "vim" {
		t.Errorf("editor %q", cfg.Editor)
	}
	senders := cfg.Senders()
	var got []string
	for _, s := range senders {
		got = append(got, s.Account.Name+":"+s.Identity.Address)
	}
	if strings.Join(got, " ") != "work:chen@example.test work:sales@example.test biz:service@example.test" {
		t.Fatalf("senders %v", got)
	}
	primary, alias, biz := senders[0], senders[1], senders[2]
	if primary.Signature(false) != "陈明\n销售部 · 示例公司" || primary.Signature(true) != "陈明" {
		t.Errorf("primary signatures %q / %q", primary.Signature(false), primary.Signature(true))
	}
	if alias.Signature(false) != "销售部\n电话 010-1234" || alias.Signature(true) != "陈明" {
		t.Errorf("alias signatures %q / %q (reply falls back to the account's)", alias.Signature(false), alias.Signature(true))
	}
	if alias.Name() != "销售部" || biz.Name() != "" || biz.Signature(false) != "" {
		t.Errorf("names %q %q", alias.Name(), biz.Name())
	}
	if s, ok := cfg.Sender("", "SALES@example.test"); !ok || s.Account.Name != "work" {
		t.Errorf("Sender lookup: %v %v", s, ok)
	}
	if saves, known := primary.Account.ServerSavesSent(); !saves || !known {
		t.Error("exmail preset saves sent mail")
	}
	if saves, known := biz.Account.ServerSavesSent(); saves || !known {
		t.Error("sent_copy = client")
	}
	if primary.Account.SendLimit() != 50<<20 {
		t.Errorf("exmail limit %d", primary.Account.SendLimit())
	}

	// Adding an account keeps the hand-written file, comments included.
	extra := sampleAccount("home")
	extra.SignatureNew, extra.Aliases[0].SignatureReply = "家", "别名回复"
	if err := cfg.AppendAccount(extra); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), signatureConfig) {
		t.Error("the existing file changed")
	}
	again, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Accounts[2], extra) {
		t.Errorf("round trip:\n got %+v\nwant %+v", again.Accounts[2], extra)
	}
}

func TestSentCopyRejectsUnknown(t *testing.T) {
	_, err := ParseConfig("c.toml", []byte(strings.Replace(signatureConfig, `sent_copy = "client"`, `sent_copy = "both"`, 1)))
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Key != "account[2].sent_copy" || !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("err %v", err)
	}
}
