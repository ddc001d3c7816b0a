package paste

import (
	"strings"
	"unicode"
)

// Paste Deploy never prints a config, and has no twin of this file.

// hidden is what -print, -print -json and errors show in place of a secret.
const hidden = "<hidden>"

// looksSecret reports whether an option called name likely holds a
// secret: whether a word of it, lowercased, split at what is not a letter
// or a digit, and less one trailing s, ends in token, password, passwd,
// secret, key or credential. So admin_password, authtoken and "set token"
// look secret; keystone_url and keyfile do not.
func looksSecret(name string) bool {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, word := range words {
		word = strings.TrimSuffix(word, "s")
		for _, stem := range []string{"token", "password", "passwd", "secret", "key", "credential"} {
			if strings.HasSuffix(word, stem) {
				return true
			}
		}
	}
	return false
}

// shown is text as errors and -print show it: <hidden> if it is secret.
func shown(text string, secret bool) string {
	if secret {
		return hidden
	}
	return text
}
