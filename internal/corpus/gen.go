package corpus

import (
	"bytes"
	"fmt"
	"html"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// recentKept is how many earlier messages replies can thread onto.
const recentKept = 64

// threadRef is what a reply needs of an earlier message.
type threadRef struct {
	id, subject string
	refs        []string
	from        person
	date        time.Time
}

// generator holds the state of one run. It is used by one goroutine.
type generator struct {
	opts   Options
	rng    *rand.Rand
	recent []threadRef
	prev   *Message // the last message, for exact duplicates
}

func newGenerator(opts Options) *generator {
	return &generator{
		opts: opts,
		rng:  rand.New(rand.NewPCG(uint64(opts.Seed), 0x6d61677069652d63)), // "magpie-c"
	}
}

// me is the mailbox owner.
func (g *generator) me() person {
	if g.opts.Owner.Addr == "" {
		return me()
	}
	return person{g.opts.Owner.Name, g.opts.Owner.Addr}
}

// signature is the sign-off of s's plain text: 孙丽's on every message of
// a corpus without an Owner, else the sender's own.
func (g *generator) signature(s *spec) string {
	i := int(s.date.Unix()%2) * 2 // 0 or 2: a name or a formula
	if s.lang != "zh" {
		i = 1
	}
	if g.opts.Owner.Addr == "" {
		return signatures()[i]
	}
	own := s.from == g.me()
	switch {
	case i == 2:
		return signatures()[2]
	case i == 1 && own && g.opts.Owner.Latin != "":
		return "Best regards,\n" + g.opts.Owner.Latin
	case i == 1 && isASCII(s.from.name):
		return "Best regards,\n" + s.from.name
	case i == 1:
		return "Best regards," // a Chinese name fits neither us-ascii nor Big5
	case own:
		return s.from.name + "\n华信科技 商务部\n电话：010-8888 6666"
	}
	return s.from.name
}

// next returns message i.
func (g *generator) next(i int) Message {
	large := g.opts.LargeEvery > 0 && (i+1)%g.opts.LargeEvery == 0
	dup := g.rng.Float64() < 0.02
	if dup && !large && g.prev != nil {
		m := *g.prev
		m.Raw = bytes.Clone(m.Raw)
		m.Flags = slices.Clone(m.Flags)
		m.Duplicate = true
		g.prev = nil // no chains of three
		return m
	}
	malformed := ""
	if g.opts.Malformed && g.rng.Float64() < 0.02 {
		malformed = pick(g.rng, []string{"bad-boundary", "bad-base64", "unknown-charset", "truncated", "raw-8bit-header"})
	}
	m := g.build(i, large, malformed)
	g.prev = &m
	out := m
	out.Raw = bytes.Clone(m.Raw)
	out.Flags = slices.Clone(m.Flags)
	return out
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// chance reports true with probability p.
func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

// pickFolder chooses a folder by folderWeights.
func (g *generator) pickFolder() Folder {
	folders, weights := Folders(), folderWeights()
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.rng.IntN(total)
	for k, w := range weights {
		if n < w {
			return folders[k]
		}
		n -= w
	}
	return folders[0]
}

// spec is everything decided about one message before it is written.
type spec struct {
	folder      Folder
	from        person
	to, cc      []person
	lang        string // "zh", "tw" or "en"
	charset     string // body and header charset label
	qWords      bool   // Q rather than B encoded-words for UTF-8
	subject     string
	date        time.Time
	id          string
	inReplyTo   string
	refs        []string
	paras       []string
	shape       string // "plain", "html", "alternative"
	cte         string
	attachments []attachment
	malformed   string
	mailer      string
	sign        string // the plain text's signature
}

type attachment struct {
	name, ctype string
	data        []byte
	style       string // "rfc2231", "rfc2047", "both"
}

func (g *generator) build(i int, large bool, malformed string) Message {
	s := spec{folder: g.pickFolder(), malformed: malformed}
	everyone := people()
	outgoing := s.folder.Role == "sent" || s.folder.Role == "drafts"
	if outgoing {
		s.from = g.me()
		s.to = []person{pick(g.rng, everyone)}
	} else {
		s.from = pick(g.rng, everyone)
		s.to = []person{g.me()}
	}
	if g.chance(0.3) {
		s.cc = []person{pick(g.rng, everyone), pick(g.rng, everyone)}
	}
	switch r := g.rng.Float64(); {
	case r < 0.6:
		s.lang = "zh"
	case r < 0.7:
		s.lang = "tw"
	default:
		s.lang = "en"
	}
	s.charset = g.pickCharset(s.lang)
	s.qWords = g.chance(0.3)
	s.date = Base().Add(-time.Duration(g.rng.Int64N(3*365*24*3600)) * time.Second)
	if s.folder.Role == "junk" && s.lang != "en" {
		s.lang, s.charset = "en", "utf-8"
	}

	// Threading: a quarter of messages answer a recent one.
	if len(g.recent) > 0 && g.chance(0.25) {
		orig := g.recent[g.rng.IntN(len(g.recent))]
		s.subject = replyPrefix(s.lang, g.rng) + orig.subject
		if orig.id != "" {
			s.inReplyTo = orig.id
			s.refs = append(slices.Clone(orig.refs), orig.id)
			if len(s.refs) > 10 {
				s.refs = s.refs[len(s.refs)-10:]
			}
		}
		if s.date.Before(orig.date) {
			s.date = orig.date.Add(time.Duration(1+g.rng.IntN(72*60)) * time.Minute)
		}
		if !outgoing {
			s.from = orig.from
			if s.from == g.me() {
				s.from = pick(g.rng, everyone)
			}
		}
	} else {
		s.subject = g.subject(s.lang)
	}
	if malformed == "raw-8bit-header" && isASCII(s.subject) {
		s.subject = "【重要】" + s.subject // so that there are 8-bit bytes to misdeclare
	}
	if !g.chance(0.03) {
		s.id = fmt.Sprintf("%016x.%d@%s", g.rng.Uint64(), i, domainOf(s.from.addr))
	}
	s.sign = g.signature(&s)
	s.paras = g.paragraphs(s.lang, 2048+int(min(g.rng.ExpFloat64()*5000, 16000)))
	switch r := g.rng.Float64(); {
	case r < 0.08:
		s.shape = "html"
	case r < 0.22:
		s.shape = "alternative"
	default:
		s.shape = "plain"
	}
	s.cte = g.pickCTE(s.charset)
	if g.chance(0.2) || malformed == "truncated" || malformed == "bad-boundary" {
		n := 1 + g.rng.IntN(3)
		for k := 0; k < n; k++ {
			s.attachments = append(s.attachments, g.attachment(1024+g.rng.IntN(7*1024)))
		}
	}
	if large {
		s.attachments = append(s.attachments, g.attachment(1<<20+g.rng.IntN(4<<20)))
	}
	s.mailer = pick(g.rng, []string{"", "Foxmail 7.2.25.228[cn]", "Microsoft Outlook 16.0", "Coremail Webmail Server Version 2023.1", "Apple Mail (2.3774)"})

	raw := render(&s, g.rng)
	m := Message{
		Folder:       s.folder.Name,
		Raw:          raw,
		Flags:        g.flags(s),
		InternalDate: s.date.Add(time.Duration(5+g.rng.IntN(600)) * time.Second),
		MessageID:    s.id,
		Malformed:    malformed,
	}
	g.remember(threadRef{id: s.id, subject: baseSubject(s.subject), refs: s.refs, from: s.from, date: s.date})
	return m
}

func (g *generator) remember(t threadRef) {
	if len(g.recent) == recentKept {
		copy(g.recent, g.recent[1:])
		g.recent = g.recent[:recentKept-1]
	}
	g.recent = append(g.recent, t)
}

func (g *generator) pickCharset(lang string) string {
	r := g.rng.Float64()
	switch lang {
	case "zh":
		switch {
		case r < 0.55:
			return "utf-8"
		case r < 0.8:
			return "GBK"
		case r < 0.9:
			return "gb2312"
		default:
			return "GB18030"
		}
	case "tw":
		if r < 0.6 {
			return "big5"
		}
		return "utf-8"
	}
	if r < 0.3 {
		return "us-ascii"
	}
	return "utf-8"
}

func (g *generator) pickCTE(charset string) string {
	r := g.rng.Float64()
	switch {
	case charset == "us-ascii":
		return "7bit"
	case r < 0.45:
		return "base64"
	case r < 0.7 && encoderFor(charset) == nil:
		return "quoted-printable"
	}
	return "8bit"
}

func replyPrefix(lang string, rng *rand.Rand) string {
	if lang != "en" && rng.IntN(2) == 0 {
		return "回复："
	}
	return "Re: "
}

// baseSubject strips reply prefixes so threads do not grow "Re: Re: ".
func baseSubject(s string) string {
	for {
		t := strings.TrimPrefix(strings.TrimPrefix(s, "Re: "), "回复：")
		if t == s {
			return s
		}
		s = t
	}
}

func (g *generator) subject(lang string) string {
	tmpl := pick(g.rng, zhSubjects())
	if lang == "en" {
		tmpl = pick(g.rng, enSubjects())
	}
	what := pick(g.rng, companies())
	if g.chance(0.5) || lang == "en" {
		what = pick(g.rng, projects())
	}
	n := 1 + g.rng.IntN(52)
	s := fmt.Sprintf(tmpl, what, n)
	if lang == "tw" {
		s = pick(g.rng, []string{"會議紀要", "報價單確認", "發票寄送通知", "合約審閱"}) + " " +
			pick(g.rng, []string{"智慧園區", "供應鏈系統", "官網改版", "年度審計", "Magpie"})
	}
	if lang == "en" && !isASCII(s) {
		s = fmt.Sprintf(tmpl, "Magpie", n)
	}
	return s
}

// paragraphs returns paragraphs adding up to about size bytes of UTF-8.
func (g *generator) paragraphs(lang string, size int) []string {
	pool := zhParagraphs()
	switch lang {
	case "en":
		pool = enParagraphs()
	case "tw":
		pool = twParagraphs()
	}
	var out []string
	n := 0
	for n < size {
		var b strings.Builder
		for k := 0; k < 1+g.rng.IntN(3); k++ {
			b.WriteString(pick(g.rng, pool))
			if lang == "en" {
				b.WriteByte(' ')
			}
		}
		p := strings.TrimSpace(b.String())
		out = append(out, p)
		n += len(p) + 2
	}
	return out
}

func (g *generator) attachment(size int) attachment {
	kind := pick(g.rng, attachmentKinds())
	data := make([]byte, size)
	for k := range data {
		data[k] = byte(g.rng.Uint32())
	}
	if kind.ext == ".txt" {
		for k := range data {
			data[k] = 'a' + data[k]%26
			if k%70 == 69 {
				data[k] = '\n'
			}
		}
	}
	copy(data, kind.magic)
	return attachment{
		name:  pick(g.rng, attachmentNames()) + kind.ext,
		ctype: kind.ctype,
		data:  data,
		style: pick(g.rng, []string{"rfc2231", "rfc2231", "rfc2047", "both"}),
	}
}

// flags spreads system flags and keywords, sorted for stable output.
func (g *generator) flags(s spec) []string {
	var f []string
	switch s.folder.Role {
	case "sent":
		f = append(f, `\Seen`)
	case "drafts":
		f = append(f, `\Draft`, `\Seen`)
	default:
		if g.chance(0.7) {
			f = append(f, `\Seen`)
		}
	}
	if g.chance(0.08) {
		f = append(f, `\Flagged`)
	}
	if s.folder.Role == "" || s.folder.Role == "inbox" || s.folder.Role == "archive" {
		if g.chance(0.12) {
			f = append(f, `\Answered`)
		}
		if g.chance(0.04) {
			f = append(f, "$Forwarded")
		}
	}
	if g.chance(0.1) {
		f = append(f, "Work")
	}
	if strings.Contains(s.subject, "发票") || strings.Contains(s.subject, "Invoice") || g.chance(0.03) {
		f = append(f, "Invoice")
	}
	if g.chance(0.05) {
		f = append(f, "$label1")
	}
	slices.Sort(f)
	return f
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "magpie-demo.cn"
}

// htmlBody renders paragraphs as an HTML document with a link, a style
// block and a remote tracking image, as newsletters and webmail send.
func htmlBody(paras []string, id, charset string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"" + charset + "\"><style>p{font-family:'Microsoft YaHei',sans-serif}</style></head>\n<body>\n")
	for k, p := range paras {
		b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
		if k == 0 {
			b.WriteString(`<p><a href="https://portal.magpie-demo.cn/doc?id=` + html.EscapeString(id) + `">查看詳情 / View details</a></p>` + "\n")
		}
	}
	b.WriteString(`<img src="https://track.magpie-demo.cn/open.gif?m=` + html.EscapeString(id) + `" width="1" height="1" alt="">` + "\n</body></html>\n")
	return b.String()
}
