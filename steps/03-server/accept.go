package main

import (
	"regexp"
	"strings"
)

// bestOffer returns the first of offers (type/subtype, lower case) that an
// Accept header allows, highest quality first and then in the order of
// offers, or "" when it allows none: webob's
// accept.acceptable_offers(offers)[0], which oslo.middleware uses to
// choose a body's type. As in webob, a header that does not parse allows
// every offer, and an empty one none.
func bestOffer(accept string, offers ...string) string {
	if !acceptHeader.MatchString(accept) {
		return offers[0]
	}
	ranges := mediaRange.FindAllStringSubmatch(accept, -1)
	best, bestQ := "", 0
	for _, offer := range offers {
		if q := quality(ranges, offer); q > bestQ {
			best, bestQ = offer, q
		}
	}
	return best
}

// quality is the quality the media ranges give offer, in thousandths: that
// of the most specific range that matches it, the first of equals; 0 if
// none does. A range with parameters matches a type/subtype only with the
// same parameters, which the offers never have; its wildcards match as if
// it had none.
func quality(ranges [][]string, offer string) int {
	q, best := 0, 0
	for _, r := range ranges {
		typ, sub, params := strings.ToLower(r[1]), strings.ToLower(r[2]), r[3]
		specificity := 0
		switch offerType, offerSub, _ := strings.Cut(offer, "/"); {
		case typ == offerType && sub == offerSub && params == "":
			specificity = 3
		case typ == offerType && sub == "*":
			specificity = 2
		case typ == "*" && sub == "*":
			specificity = 1
		}
		if specificity > best {
			q, best = thousandths(r[4]), specificity
		}
	}
	return q
}

// thousandths reads a qvalue the grammar has checked, "" for none: 1000
// for 1, 500 for 0.5.
func thousandths(qvalue string) int {
	if qvalue == "" || qvalue[0] == '1' {
		return 1000
	}
	q := 0
	for i, scale := 2, 100; i < len(qvalue); i, scale = i+1, scale/10 {
		q += int(qvalue[i]-'0') * scale
	}
	return q
}

// The Accept header's grammar, as webob has it: RFC 7230's list of RFC
// 7231's media ranges, each with its parameters (none named q), a weight,
// and accept extensions.
const (
	ows        = `[ \t]*`
	token      = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+"
	notQ       = "(?:[!#$%&'*+\\-.^_`|~0-9A-PR-Za-pr-z][!#$%&'*+\\-.^_`|~0-9A-Za-z]*|[qQ][!#$%&'*+\\-.^_`|~0-9A-Za-z]+)"
	quoted     = `"(?:[\t \x21\x23-\x5b\x5d-\x7e\x{80}-\x{10FFFF}]|\\[\t \x21-\x7e\x{80}-\x{10FFFF}])*"`
	value      = `(?:` + token + `|` + quoted + `)`
	rangeRE    = `(` + token + `)/(` + token + `)((?:` + ows + `;` + ows + notQ + `=` + value + `)*)`
	weightRE   = ows + `;` + ows + `[qQ]=(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)`
	extRE      = ows + `;` + ows + token + `(?:=` + value + `)?`
	elementRE  = rangeRE + `(?:` + weightRE + `(?:` + extRE + `)*)?`
	elementsRE = `(?:,|` + elementRE + `)(?:` + ows + `,(?:` + ows + elementRE + `)?)*`
)

var (
	acceptHeader = regexp.MustCompile(`^(?:` + elementsRE + `)?$`)
	mediaRange   = regexp.MustCompile(elementRE)
)
