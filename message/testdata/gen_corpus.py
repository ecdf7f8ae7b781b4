import base64, os, sys, quopri
out = sys.argv[1]
os.makedirs(out+'/valid', exist_ok=True); os.makedirs(out+'/malformed', exist_ok=True); os.makedirs(out+'/hostile', exist_ok=True)

def b64w(s, cs):  # encoded word
    return '=?%s?B?%s?=' % (cs, base64.b64encode(s.encode(pycs(cs))).decode())
def pycs(cs):
    return {'GBK':'gbk','gb2312':'gbk','GB18030':'gb18030','Big5':'big5','ISO-2022-JP':'iso2022_jp','UTF-8':'utf-8','Shift_JIS':'shift_jis','EUC-KR':'euc_kr'}[cs]
def b64body(b):
    e = base64.b64encode(b).decode()
    return '\n'.join(e[i:i+76] for i in range(0, len(e), 76))
def w(path, data, crlf=False):
    if isinstance(data, str): data = data.encode('utf-8')
    if crlf: data = data.replace(b'\n', b'\r\n')
    open(out+'/'+path, 'wb').write(data)

hdr = 'From: Zhang San <zhang@example.cn>\nTo: li@example.cn\nDate: Mon, 1 Jun 2026 09:30:00 +0800\nMIME-Version: 1.0\n'

# valid/gbk_subject.eml
w('valid/gbk_subject.eml', (hdr + 'Message-ID: <gbk-1@example.cn>\nSubject: %s\nContent-Type: text/plain; charset=GBK\nContent-Transfer-Encoding: base64\n\n%s\n' % (b64w('关于合同的会议纪要', 'GBK'), b64body('各位好，附件是本周会议纪要。\n'.encode('gbk')))).encode())

# valid/gb2312_misdeclared.eml (GBK-only chars 镕 喆 in a gb2312 label)
w('valid/gb2312_misdeclared.eml', (hdr + 'Message-ID: <gb2312-1@example.cn>\nSubject: %s\nContent-Type: text/plain; charset="gb2312"\nContent-Transfer-Encoding: 8bit\n\n' % b64w('致朱镕基和王喆', 'gb2312')).encode() + '朱镕基、王喆：报价单已更新。\n'.encode('gbk'))

# valid/big5_body.eml
w('valid/big5_body.eml', (hdr + 'Message-ID: <big5-1@example.tw>\nSubject: =?Big5?B?%s?=\nContent-Type: text/plain; charset=big5\nContent-Transfer-Encoding: 8bit\n\n' % base64.b64encode('會議紀要'.encode('big5')).decode()).encode() + '請查收本週的會議紀要與發票。\n'.encode('big5'))

# valid/iso2022jp.eml
w('valid/iso2022jp.eml', (hdr + 'Message-ID: <jp-1@example.jp>\nSubject: %s\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n' % b64w('会議のお知らせ', 'ISO-2022-JP')).encode() + '明日の会議は十時からです。\n'.encode('iso2022_jp'))

# valid/rfc2231_filename.eml
fn = '合同草案（第二版）.docx'
enc = ''.join('%%%02X' % c for c in fn.encode('utf-8'))
chunks = [enc[i:i+30] for i in range(0, len(enc), 30)]
# do not split a %XX escape
chunks = []; i = 0
while i < len(enc):
    j = min(i+30, len(enc))
    while j < len(enc) and enc[j] != '%': j += 1
    chunks.append(enc[i:j]); i = j
disp = 'Content-Disposition: attachment;\n' + ';\n'.join(' filename*%d*=%s%s' % (k, "UTF-8''" if k == 0 else '', c) for k, c in enumerate(chunks))
gbname = ''.join('%%%02X' % c for c in '发票.pdf'.encode('gb18030'))
w('valid/rfc2231_filename.eml', hdr + '''Message-ID: <rfc2231-1@example.cn>
Subject: =?UTF-8?B?%s?=
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

请查收附件。
--b1
Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document
%s
Content-Transfer-Encoding: base64

UEsDBBQAAAAIAA==
--b1
Content-Type: application/pdf
Content-Disposition: attachment; filename*=GB18030''%s
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--b1--
''' % (base64.b64encode('合同'.encode()).decode(), disp, gbname))

# valid/rfc2047_filename.eml
w('valid/rfc2047_filename.eml', hdr + '''Message-ID: <rfc2047-1@example.cn>
Subject: Quote
Content-Type: multipart/mixed; boundary=zzz

--zzz
Content-Type: text/plain

See attached.
--zzz
Content-Type: application/vnd.ms-excel; name="%s"
Content-Disposition: attachment; filename="%s"
Content-Transfer-Encoding: base64

AAECAwQF
--zzz--
''' % (b64w('报价单.xls', 'GBK'), b64w('报价单2026.xlsx', 'UTF-8')))

# valid/nested_alternative.eml
w('valid/nested_alternative.eml', hdr + '''Message-ID: <nested-1@example.cn>
Subject: Nested
Content-Type: multipart/mixed; boundary="outer"

This is a preamble.
--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Plain version =E4=BD=A0=E5=A5=BD, a long line that is soft=
 broken.
--alt
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: text/html; charset=utf-8

<p>HTML version <img src="cid:logo"></p>
--rel
Content-Type: image/png
Content-ID: <logo>
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--rel--
--alt--
--outer
Content-Type: application/pdf; name="report.pdf"
Content-Disposition: attachment; filename="report.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCg==
--outer--
Epilogue.
''')

# valid/rfc822_attachment.eml
w('valid/rfc822_attachment.eml', hdr + '''Message-ID: <fwd-1@example.cn>
Subject: Fwd: =?UTF-8?B?%s?=
Content-Type: multipart/mixed; boundary="m"

--m
Content-Type: text/plain; charset=utf-8

转发一封邮件。
--m
Content-Type: message/rfc822
Content-Disposition: inline

From: Wang <wang@example.cn>
Subject: =?UTF-8?B?%s?=
Date: Sun, 31 May 2026 18:00:00 +0800
Content-Type: text/plain; charset=utf-8

原始内容
--m--
''' % (base64.b64encode('发票'.encode()).decode(), base64.b64encode('发票'.encode()).decode()))

# valid/html_only.eml
w('valid/html_only.eml', hdr + '''Message-ID: <html-1@example.com>
Subject: Newsletter
Content-Type: text/html; charset=utf-8

<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style>
<script>alert("x")</script></head>
<body><!-- a comment -->
<h1>Welcome &amp; hello</h1>
<p>Read the <a href="https://example.com/post?id=1&amp;x=2">latest post</a> or
<a href="mailto:team@example.com">write to us</a>.</p>
<ul><li>First</li><li>Second</li></ul>
<ol><li>One</li><li>Two</li></ol>
<p><a href="javascript:alert(1)">click</a> &lt;not a tag&gt; &#20320;&#22909;</p>
<img src="https://tracker.example.com/pixel.gif?u=42" width="1" height="1">
<script>document.write("evil")</script>
</body></html>
''')

# valid/crlf.eml and valid/lf.eml, identical but for line ends
cl = hdr + '''Message-ID: <crlf-1@example.cn>
Subject: Line ends
Content-Type: multipart/mixed; boundary="c"

--c
Content-Type: text/plain; charset=utf-8

第一行
第二行
--c
Content-Type: text/csv; name="data.csv"
Content-Disposition: attachment; filename="data.csv"

a,b
1,2
--c--
'''
w('valid/crlf.eml', cl, crlf=True)
w('valid/lf.eml', cl)

# valid/cjk_mixed.eml: Shift_JIS and EUC-KR parts
w('valid/cjk_mixed.eml', (hdr + 'Message-ID: <cjk-1@example.cn>\nSubject: %s\nContent-Type: multipart/mixed; boundary="k"\n\n--k\nContent-Type: text/plain; charset=Shift_JIS\n\n' % b64w('日本語', 'Shift_JIS')).encode() + 'こんにちは世界\n'.encode('shift_jis') + b'--k\nContent-Type: text/plain; charset=EUC-KR\n\n' + '안녕하세요\n'.encode('euc_kr') + b'--k--\n')

# valid/reply_thread.eml
w('valid/reply_thread.eml', '''From: =?UTF-8?Q?=E6=9D=8E=E5=9B=9B?= <li@example.cn>
To: "Zhang, San" <zhang@example.cn>, Team: a@example.cn, b@example.cn;
Cc: c@example.cn (Carol)
Reply-To: <noreply@example.cn>
Date: Tue, 2 Jun 2026 08:00:00 CST
Message-ID:   < reply-2@example.cn >
In-Reply-To: <gbk-1@example.cn> (the original)
References: <root-0@example.cn>
 <gbk-1@example.cn>
Subject: =?UTF-8?B?UmU6IOWFs+S6jg==?=
 =?UTF-8?B?5ZCI5ZCM?=
Content-Type: text/plain; charset=utf-8

好的，收到。

在 2026年6月1日，张三 写道：
> 各位好

-- 
李四
''')

# ---------------- malformed
w('malformed/truncated_multipart.eml', hdr + '''Message-ID: <trunc-1@example.cn>
Subject: Truncated
Content-Type: multipart/mixed; boundary="t"

--t
Content-Type: text/plain; charset=utf-8

This part is complete.
--t
Content-Type: application/pdf; name="cut.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJc
''')
w('malformed/missing_headers.eml', 'Subject: only a subject\n\nbody without From or Date\n')
w('malformed/no_header_at_all.eml', '\njust a body after an empty line\n')
w('malformed/header_only.eml', 'From: a@example.cn\nSubject: no body at all')
w('malformed/bad_base64.eml', hdr + '''Message-ID: <b64-1@example.cn>
Subject: Bad base64
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

5L2g5aW9!!!
5LiW5
''')
w('malformed/unknown_charset.eml', hdr + '''Message-ID: <cs-1@example.cn>
Subject: =?x-klingon?B?aGVsbG8=?=
Content-Type: text/plain; charset=x-klingon

plain ascii body
''')
w('malformed/raw_8bit_headers.eml', ('From: ' ).encode() + '张三'.encode('gbk') + b' <zhang@example.cn>\nSubject: ' + '报价单（第三版）'.encode('gbk') + b'\nDate: Mon, 1 Jun 2026 09:30:00 +0800\nContent-Type: text/plain; charset=gbk\n\n' + '正文'.encode('gbk') + b'\n')
w('malformed/raw_8bit_no_hint.eml', b'From: a@example.cn\nSubject: ' + '会议纪要'.encode('gb18030') + b'\nDate: Mon, 1 Jun 2026 09:30:00 +0800\n\nbody\n')
w('malformed/bad_date.eml', 'From: a@example.cn\nDate: sometime next week\nSubject: when\n\nbody\n')
w('malformed/no_boundary.eml', hdr + 'Subject: no boundary\nContent-Type: multipart/mixed\n\nthe body is just text\n')
w('malformed/wrong_boundary.eml', hdr + 'Subject: wrong boundary\nContent-Type: multipart/mixed; boundary="right"\n\n--wrong\nContent-Type: text/plain\n\nhidden\n--wrong--\n')
w('malformed/bad_qp.eml', hdr + 'Subject: bad qp\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nprice =ZZ 100 =E4=BD=A0=\nok=\n')
w('malformed/split_multibyte_words.eml', b'From: a@example.cn\nDate: Mon, 1 Jun 2026 09:30:00 +0800\nSubject: ' + (lambda g: ('=?GBK?B?%s?= =?GBK?B?%s?=' % (base64.b64encode(g[:3]).decode(), base64.b64encode(g[3:]).decode())).encode())('会议纪要'.encode('gbk')) + b'\n\nbody\n')
w('malformed/bad_params.eml', hdr + 'Subject: params\nContent-Type: text/plain; charset="utf-8; format=flowed\nContent-Disposition: inline; ; =x; filename\n\n你好\n')
w('malformed/garbage.eml', bytes(range(256)) * 4)
w('malformed/bad_header_lines.eml', ' continuation first\nthis line has no colon\nFrom: ok@example.cn\nSubject: still fine\n\nbody\n')

# ---------------- hostile
w('hostile/escapes.eml', 'From: "\x1b]52;c;cm0gLXJmIH4=\x07Evil" <evil@example.com>\nTo: you@example.com\nDate: Mon, 1 Jun 2026 09:30:00 +0800\nSubject: \x1b]0;pwned\x07Hello\x1b[2J\x1b[1;31mred\x1b[0m\nContent-Type: text/plain; charset=utf-8\n\nline one\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\\n\u009b31mC1 CSI\u009b0m and \x1bPdcs payload\x1b\\ done\nbell\x07 back\x08space\rcarriage\n')
w('hostile/raw_c1.eml', b'From: x@example.com\nSubject: raw \x9b2J byte\nContent-Type: text/plain; charset=iso-8859-1\n\nlatin1 body with \x9b31m raw C1\n')
w('hostile/filenames.eml', '''From: x@example.com
Subject: files
Content-Type: multipart/mixed; boundary="f"

--f
Content-Type: text/plain

see files
--f
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="=?UTF-8?B?%s?="

MZ
--f
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="../../etc/passwd"

x
--f
Content-Type: text/plain
Content-Disposition: attachment; filename="CON.txt"

x
--f
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="C:\\\\Windows\\\\evil.bat"

x
--f
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="=?UTF-8?B?%s?="

x
--f
Content-Type: application/octet-stream
Content-Disposition: attachment; filename=".."

x
--f--
''' % (base64.b64encode('invoice\u202efdp.exe'.encode()).decode(), base64.b64encode('\x1b]0;x\x07re\u200bport\u2066.pdf'.encode()).decode()))
w('hostile/long_subject.eml', 'From: x@example.com\nSubject: ' + ('長' * 10000) + '\n\nbody\n')
w('hostile/zero_width.eml', 'From: "Pay\u200bPal\u2060 Support\ufeff" <support@example.com>\nSubject: Acc\u200bount \u202eexe.pdf\u202c alert\nContent-Type: text/plain; charset=utf-8\n\nver\u200bify \u2067now\u2069 family: \U0001F468\u200d\U0001F469\u200d\U0001F467 ok\n')
