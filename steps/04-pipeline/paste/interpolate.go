package paste

import (
	"fmt"
	"strings"
)

// This file twins configparser's BasicInterpolation, which
// loadwsgi.py's NicerConfigParser applies.

// interpolate expands %(name)s in raw, the value of key, with lookup, and
// %% to %. secret says raw is secret whatever key's name; lookup returns
// a name's raw value, and whether it is secret whatever its name.
// usedSecret reports whether the value took in a secret at any depth, so
// that it is masked too. An error names key, and the name a %(name)s
// refers to, unless it is inside a secret; it never shows the value.
func interpolate(key, raw string, secret bool, lookup func(name string) (value string, secret, ok bool)) (value string, usedSecret bool, err error) {
	if !strings.Contains(raw, "%") {
		return raw, false, nil
	}
	var b strings.Builder
	growth := 0
	// expand writes text, at depth, to b; inSecret says text is inside a
	// secret, and an error in it must hide the names it holds.
	hide := func(inSecret bool) bool { return inSecret || looksSecret(key) }
	var expand func(text string, depth int, inSecret bool) error
	expand = func(text string, depth int, inSecret bool) error {
		if depth > maxInterpolationDepth {
			return fmt.Errorf("%s: %%(...)s nests more than %d deep: is a value referring to itself?", key, maxInterpolationDepth)
		}
		for {
			i := strings.IndexByte(text, '%')
			if i < 0 {
				b.WriteString(text)
				return nil
			}
			b.WriteString(text[:i])
			text = text[i:]
			switch {
			case strings.HasPrefix(text, "%%"):
				b.WriteByte('%')
				text = text[2:]
			case strings.HasPrefix(text, "%("):
				end := strings.IndexByte(text, ')')
				if end < 3 || !strings.HasPrefix(text[end:], ")s") {
					return fmt.Errorf("%s: a %%( that does not end in )s: write %%(name)s, or %%%% for a percent sign", key)
				}
				name := text[2:end]
				v, vSecret, ok := lookup(name)
				switch {
				case !ok && hide(inSecret):
					return fmt.Errorf("%s: %%(...)s in %s: no such key here or in [DEFAULT]", key, hidden)
				case !ok:
					return fmt.Errorf("%s: %%(%s)s: no such key here or in [DEFAULT]", key, name)
				}
				vSecret = vSecret || looksSecret(name)
				usedSecret = usedSecret || vSecret
				if growth += len(v); growth > maxGrowth {
					return fmt.Errorf("%s: the value grows past %d bytes as %%(...)s expand", key, maxGrowth)
				}
				if !strings.Contains(v, "%") {
					b.WriteString(v)
				} else if err := expand(v, depth+1, inSecret || vSecret); err != nil {
					return err
				}
				text = text[end+2:]
			default:
				return fmt.Errorf("%s: a lone %%: write %%%% for a percent sign", key)
			}
		}
	}
	if err := expand(raw, 1, secret); err != nil {
		return "", false, err
	}
	return b.String(), usedSecret, nil
}
