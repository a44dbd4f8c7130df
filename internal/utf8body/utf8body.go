// Package utf8body turns a web page's bytes into UTF-8, the one decoding
// the fetcher and the extractor share.
package utf8body

import (
	"bytes"

	"golang.org/x/net/html/charset"
)

// Decode converts raw to UTF-8 using the charset of contentType (the
// Content-Type header; "" when there is none), else a BOM or <meta> in the
// first KiB, else a guess from whether raw is valid UTF-8. What cannot be
// decoded is replaced by U+FFFD, so the result is always valid UTF-8.
func Decode(raw []byte, contentType string) []byte {
	enc, name, _ := charset.DetermineEncoding(raw, contentType)
	if name != "utf-8" {
		if out, err := enc.NewDecoder().Bytes(raw); err == nil {
			return out
		}
	}
	return bytes.ToValidUTF8(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")), []byte("\uFFFD"))
}
