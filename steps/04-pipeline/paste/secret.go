package paste

import (
	"slices"
	"strings"
	"unicode"
)

// Paste Deploy never prints a config, and has no twin of this file.

// hidden is what -print, -print -json and errors show in place of a secret.
const hidden = "<hidden>"

// secretStems, secretEnds and secretWhole are what the names of
// oslo.config's secret=True options say: those of keystonemiddleware 10.1,
// keystoneauth1 5.0, oslo.messaging 14.0, oslo.db 12.1 and oslo.cache 3.2,
// as Debian 12 ships them.
// Most end in a stem (admin_password, memcache_secret_key, passcode);
// four do not say what they hold: oslo.db's connection, oslo.messaging's
// transport_url (a URL with the broker's password in it), oslo.cache's
// backend_argument (password:... among them), and keystoneauth1's code
// (an OpenID Connect authorization code, so code alone, not status_code).
// pwd and passphrase are the other spellings of a password.
var (
	secretStems = []string{"token", "password", "passwd", "pwd", "passphrase", "passcode",
		"secret", "key", "credential"}
	secretEnds  = [][]string{{"connection"}, {"transport", "url"}, {"backend", "argument"}}
	secretWhole = []string{"code"}
)

// looksSecret reports whether an option called name likely holds a secret.
// Its name is split into words, lowercased, at what is not a letter or a
// digit. It does if a word, less one trailing s, ends in a stem of
// secretStems, if its last words are those of secretEnds, or if it is a
// word of secretWhole. So admin_password, authtoken, "set token" and
// slave_connection look secret; keystone_url, keyfile, max_connections
// and status_code do not.
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
	for _, last := range secretEnds {
		if len(words) >= len(last) && slices.Equal(words[len(words)-len(last):], last) {
			return true
		}
	}
	return len(words) == 1 && slices.Contains(secretWhole, words[0]) ||
		len(words) == 2 && words[0] == "set" && slices.Contains(secretWhole, words[1])
}

// hideURLPasswords returns text with the password of every URL in it
// hidden, whatever the key that holds it: after each :/ (or ://, as a
// path made of a URL keeps one slash), the text up to the last @ before a
// space is the URL's user:password (for a list of hosts, all of them up
// to the last), and what follows its first colon is hidden. So
// rabbit://nova:pw@rabbit:5672/ shows as rabbit://nova:<hidden>@rabbit:5672/.
// It may hide more than a password, never less, but for a password
// with a space in it, which a URL cannot hold.
func hideURLPasswords(text string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, ":/")
		if i < 0 {
			break
		}
		i += 2
		if strings.HasPrefix(text[i:], "/") {
			i++
		}
		b.WriteString(text[:i])
		text = text[i:]
		end := strings.IndexFunc(text, isPySpace)
		if end < 0 {
			end = len(text)
		}
		at := strings.LastIndex(text[:end], "@")
		colon := strings.Index(text[:max(at, 0)], ":")
		if colon < 0 {
			continue
		}
		b.WriteString(text[:colon+1] + hidden)
		text = text[at:]
	}
	return b.String() + text
}

// shown is text as errors and -print show it: <hidden> if it is secret,
// and otherwise with the password of any URL in it hidden.
func shown(text string, secret bool) string {
	if secret {
		return hidden
	}
	return hideURLPasswords(text)
}
