package account

import (
	"strings"

	"github.com/emersion/go-imap/v2"
)

// Role is what a folder is for, whatever it is called.
type Role string

const (
	RoleNone    Role = ""
	RoleInbox   Role = "inbox"
	RoleSent    Role = "sent"
	RoleDrafts  Role = "drafts"
	RoleTrash   Role = "trash"
	RoleJunk    Role = "junk"
	RoleArchive Role = "archive"
	RoleAll     Role = "all"
	RoleFlagged Role = "flagged"
	// RoleVirus is NetEase's 病毒文件夹: quarantined mail. It is not Junk
	// and no other server has it, so it stays a folder of its own.
	RoleVirus Role = "virus"
)

// FolderRole decides a folder's role: from its SPECIAL-USE attributes
// (RFC 6154) or XLIST attributes when the server gives them, otherwise from
// its name, in Chinese or English, at the top level or directly under INBOX.
func FolderRole(name string, delim rune, attrs []imap.MailboxAttr) Role {
	if strings.EqualFold(name, "INBOX") {
		return RoleInbox
	}
	for _, a := range attrs {
		switch strings.ToLower(string(a)) {
		case `\sent`:
			return RoleSent
		case `\drafts`:
			return RoleDrafts
		case `\trash`:
			return RoleTrash
		case `\junk`, `\spam`: // \Spam is XLIST's name
			return RoleJunk
		case `\archive`:
			return RoleArchive
		case `\all`, `\allmail`: // \AllMail is XLIST's name
			return RoleAll
		case `\flagged`, `\starred`: // \Starred is XLIST's name
			return RoleFlagged
		case `\inbox`:
			return RoleInbox
		}
	}
	leaf := name
	if delim != 0 {
		parts := strings.Split(name, string(delim))
		switch {
		case len(parts) == 1:
		case len(parts) == 2 && (strings.EqualFold(parts[0], "INBOX") || strings.EqualFold(parts[0], "[Gmail]") || strings.EqualFold(parts[0], "[Google Mail]")):
			leaf = parts[1]
		default:
			return RoleNone // deeper folders are the user's own
		}
	}
	return roleNames()[strings.ToLower(strings.TrimSpace(leaf))]
}

// roleNames maps well-known folder names to roles. Sources: the folder
// names Tencent (QQ/Exmail), NetEase, Aliyun, Outlook/Exchange, Gmail and
// Apple Mail create, as seen in their clients and help pages.
func roleNames() map[string]Role {
	return map[string]Role{
		"inbox": RoleInbox, "收件箱": RoleInbox, "收件匣": RoleInbox,
		"sent": RoleSent, "sent messages": RoleSent, "sent items": RoleSent, "sent mail": RoleSent,
		"已发送": RoleSent, "已发送邮件": RoleSent, "已发邮件": RoleSent, "已傳送郵件": RoleSent,
		"寄件備份": RoleSent, "已寄出郵件": RoleSent,
		"drafts": RoleDrafts, "draft": RoleDrafts, "草稿箱": RoleDrafts, "草稿": RoleDrafts, "草稿夹": RoleDrafts, "草稿匣": RoleDrafts,
		"trash": RoleTrash, "deleted": RoleTrash, "deleted items": RoleTrash, "deleted messages": RoleTrash,
		"bin": RoleTrash, "已删除": RoleTrash, "已删除邮件": RoleTrash, "已刪除郵件": RoleTrash, "垃圾桶": RoleTrash, "废纸篓": RoleTrash,
		"junk": RoleJunk, "spam": RoleJunk, "junk e-mail": RoleJunk, "junk email": RoleJunk, "junk mail": RoleJunk, "bulk mail": RoleJunk,
		"垃圾邮件": RoleJunk, "垃圾箱": RoleJunk, "垃圾郵件": RoleJunk, "广告邮件": RoleJunk,
		"archive": RoleArchive, "archives": RoleArchive, "归档": RoleArchive, "存档": RoleArchive, "封存": RoleArchive,
		"all mail": RoleAll, "所有邮件": RoleAll,
		"病毒文件夹": RoleVirus, "virus": RoleVirus,
	}
}
