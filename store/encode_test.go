package store

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
)

// A large blob is compressed when its samples pay (text), stored as it is
// when they do not (base64 of random bytes, as of a JPEG or a ZIP), and
// reads back byte-exact either way; a small one still goes through the
// kept buffer.
func TestEncodeLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 3<<20)
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	text := []byte(strings.Repeat("Subject: 周报\r\nThe quarterly figures are attached, see below.\r\n", 40000))
	cases := []struct {
		name string
		raw  []byte
		want Codec
	}{
		{"large text", text, CodecS2},
		{"large attachment", []byte(base64.StdEncoding.EncodeToString(noise)), CodecIdentity},
		{"small text", text[:64<<10], CodecS2},
	}
	var e Encoder
	for _, c := range cases {
		codec, data, err := e.encode(c.raw)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if codec != c.want {
			t.Errorf("%s: codec %d, want %d", c.name, codec, c.want)
		}
		back, err := decodeBlob(codec, data, int64(len(c.raw)))
		if err != nil || !bytes.Equal(back, c.raw) {
			t.Errorf("%s: read back differs (%v)", c.name, err)
		}
		if cap(e.buf) > encoderKeep {
			t.Errorf("%s: the encoder keeps %d bytes", c.name, cap(e.buf))
		}
	}
}
