package message

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
)

// lenientBase64Len must agree with lenientBase64 (length and ok) on clean,
// wrapped, padded, cut-short and garbled input: attachment sizes come from
// it.
func TestLenientBase64LenAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	inputs := []string{"", "=", "QQ", "QQ==", "QUJD", "QUJDRA", "QUJDRA=", "Q", "QUJDR", "QQ==QQ==",
		"QU-_", "QU JD\r\nRA==", "QU*JD", "====", "QUJD\n=\nRA"}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \r\n\t*."
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(80) {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		inputs = append(inputs, b.String())
	}
	data := make([]byte, 5000)
	for i := range data {
		data[i] = byte(rng.IntN(256))
	}
	enc := base64.StdEncoding.EncodeToString(data)
	var wrapped strings.Builder
	for i := 0; i < len(enc); i += 76 {
		wrapped.WriteString(enc[i:min(i+76, len(enc))] + "\r\n")
	}
	inputs = append(inputs, enc, wrapped.String(), wrapped.String()[:3001])
	for _, in := range inputs {
		out, ok := lenientBase64([]byte(in))
		n, nok := lenientBase64Len([]byte(in))
		if n != len(out) || nok != ok {
			t.Errorf("%q: lenientBase64Len = %d, %v; lenientBase64 gave %d bytes, %v", in, n, nok, len(out), ok)
		}
	}
	if out, ok := lenientBase64([]byte(wrapped.String())); !ok || string(out) != string(data) {
		t.Error("a wrapped base64 body does not decode to its data")
	}
}

// An attachment's Size is its decoded size, and a broken base64 body is
// still reported as a problem, now that the size is counted without
// decoding.
func TestAttachmentSizeWithoutDecoding(t *testing.T) {
	data := strings.Repeat("x", 1000)
	raw := "From: a@example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n" +
		"--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString([]byte(data)) + "\r\n" +
		"--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=b.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"QUJD*RA\r\n--B--\r\n"
	p, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Attachments) != 2 || p.Attachments[0].Size != len(data) || p.Attachments[1].Size != 4 {
		t.Fatalf("attachments %+v, want sizes %d and 4", p.Attachments, len(data))
	}
	found := false
	for _, pr := range p.Problems {
		found = found || strings.Contains(pr, "broken base64")
	}
	if !found {
		t.Errorf("problems %q do not report the broken base64", p.Problems)
	}
}
