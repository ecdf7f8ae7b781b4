package account

import (
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"
)

// Server answers as providers word them (seen in public issue trackers and
// help pages); the classification decides which fix the user is shown.
func TestDiagnoseServerTexts(t *testing.T) {
	imapNO := func(code imap.ResponseCode, text string) error {
		return &ConnError{Protocol: "imap", Stage: StageLogin, Err: &imap.Error{Type: imap.StatusResponseTypeNo, Code: code, Text: text}}
	}
	cases := []struct {
		name string
		err  error
		want Problem
	}{
		{"dovecot", imapNO(imap.ResponseCodeAuthenticationFailed, "Authentication failed."), ProblemWrongPassword},
		{"tencent catch-all", imapNO("", "Login fail. Account is abnormal, service is not open, password is incorrect, login frequency limited, or system is busy. More information at https://help.mail.qq.com/detail/108/1023"), ProblemWrongPassword},
		{"qq authorization code", imapNO("", "Login fail. Please enter your authorization code to login."), ProblemWrongPassword},
		{"netease password", imapNO("", "LOGIN Login error password error"), ProblemWrongPassword},
		{"netease suspended", imapNO("", "LOGIN Login error user suspended"), ProblemAccountLocked},
		{"gmail app password", imapNO("ALERT", "Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)"), ProblemWrongPassword},
		{"gmail imap off", imapNO("ALERT", "Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access. (Failure)"), ProblemIMAPDisabled},
		{"chinese imap off", imapNO("", "IMAP服务未开启，请登录网页版开启"), ProblemIMAPDisabled},
		{"exchange bare", imapNO("", "LOGIN failed."), ProblemWrongPassword},
		{"dovecot connection limit", imapNO(imap.ResponseCodeUnavailable, "Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10)"), ProblemUnavailable},
		{"contact admin", imapNO(imap.ResponseCodeContactAdmin, "Account disabled by the administrator"), ProblemAccountLocked},
		{"frozen", imapNO("", "账号已被冻结"), ProblemAccountLocked},
		{"unsafe login on select", &imap.Error{Type: imap.StatusResponseTypeNo, Text: "SELECT Unsafe Login. Please contact kefu@188.com for help"}, ProblemUnsafeLogin},
		{"smtp 535", &ConnError{Protocol: "smtp", Stage: StageLogin, Err: &smtp.SMTPError{Code: 535, Message: "Error: authentication failed"}}, ProblemWrongPassword},
		{"smtp 550 at login", &ConnError{Protocol: "smtp", Stage: StageLogin, Err: &smtp.SMTPError{Code: 550, Message: "User suspended"}}, ProblemAccountLocked},
	}
	for _, tc := range cases {
		if got := Diagnose(tc.err); got.Problem != tc.want {
			t.Errorf("%s: Diagnose = %s, want %s", tc.name, got.Problem, tc.want)
		}
	}
}

func TestFolderRoles(t *testing.T) {
	cases := []struct {
		name  string
		delim rune
		attrs []imap.MailboxAttr
		want  Role
	}{
		{"INBOX", '/', nil, RoleInbox},
		{"inbox", '.', nil, RoleInbox},
		{"Whatever", '/', []imap.MailboxAttr{imap.MailboxAttrSent}, RoleSent},
		{"已发送", '/', nil, RoleSent},
		{"已发送邮件", '/', nil, RoleSent},
		{"Sent Messages", '/', nil, RoleSent},
		{"INBOX.Sent Items", '.', nil, RoleSent},
		{"[Gmail]/Sent Mail", '/', nil, RoleSent},
		{"草稿箱", '/', nil, RoleDrafts},
		{"已删除", '/', nil, RoleTrash},
		{"Deleted Items", '/', nil, RoleTrash},
		{"垃圾邮件", '/', nil, RoleJunk},
		{"垃圾箱", '/', nil, RoleJunk},
		{"Junk E-mail", '/', nil, RoleJunk},
		{"病毒文件夹", '/', nil, RoleVirus},
		{"Spam", '/', []imap.MailboxAttr{`\Spam`}, RoleJunk},
		{"客户邮件/已发送", '/', nil, RoleNone}, // a user's own subfolder keeps no role
		{"客户邮件", '/', nil, RoleNone},
	}
	for _, tc := range cases {
		if got := FolderRole(tc.name, tc.delim, tc.attrs); got != tc.want {
			t.Errorf("FolderRole(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
