package paste

import (
	"strings"
	"unicode"
)

// Paste Deploy never prints a config, and has no twin of this file.

// hidden is what -print, -print -json and error messages show in place of
// a secret.
const hidden = "<hidden>"

// secretStems are the word endings that make an option's name look
// secret: authtoken and admin_token, memcache_secret_key, passwords.
var secretStems = []string{"token", "password", "passwd", "secret", "key", "credential"}

// looksSecret reports whether an option called name likely holds a
// secret. The rule: lowercase the name and split it into words at every
// character that is not a letter or a digit; the name looks secret if a
// word, less one trailing s, ends in token, password, passwd, secret, key
// or credential. So admin_password, authtoken, memcache_secret_key and
// "set token" look secret; keystone_url and keyfile do not. Paste Deploy
// has no such rule: it never prints a config.
func looksSecret(name string) bool {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, word := range words {
		word = strings.TrimSuffix(word, "s")
		for _, stem := range secretStems {
			if strings.HasSuffix(word, stem) {
				return true
			}
		}
	}
	return false
}

// shown is a name or a value as an error message or -print shows it: as
// it is, or <hidden> if it is secret.
func shown(text string, secret bool) string {
	if secret {
		return hidden
	}
	return text
}
