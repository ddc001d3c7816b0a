package main

import "strings"

// bestOffer returns the first of offers that an Accept header allows,
// highest quality first and then in the order of offers, or "" when it
// allows none: webob's accept.acceptable_offers(offers)[0], which
// oslo.middleware uses to choose a body's type. As in webob, a header
// that does not parse allows every offer, and an empty one none.
func bestOffer(accept string, offers ...string) string {
	var best string
	bestQ := 0.0
	for _, offer := range offers {
		q, ok := quality(accept, offer)
		if !ok {
			return offers[0] // the header does not parse
		}
		if q > bestQ {
			best, bestQ = offer, q
		}
	}
	return best
}

// quality is the q that accept gives offer (type/subtype): that of the
// most specific media range matching it, 0 if none does. ok is false
// when accept does not parse.
func quality(accept, offer string) (q float64, ok bool) {
	offerType, _, _ := strings.Cut(offer, "/")
	specificity := -1
	for _, element := range strings.Split(accept, ",") {
		element = strings.TrimSpace(element)
		if element == "" {
			continue
		}
		mediaRange, params, _ := strings.Cut(element, ";")
		rangeQ, hasParams, ok := parseParams(params)
		typ, sub, found := strings.Cut(strings.ToLower(strings.TrimSpace(mediaRange)), "/")
		if !ok || !found || !isToken(typ) || !isToken(sub) {
			return 0, false
		}
		var s int
		switch {
		case hasParams:
			continue // a range with parameters matches only an offer with them; ours have none
		case typ == "*" && sub == "*":
			s = 0
		case typ == offerType && sub == "*":
			s = 1
		case typ+"/"+sub == offer:
			s = 2
		default:
			continue
		}
		if s > specificity {
			specificity, q = s, rangeQ
		}
	}
	return q, true
}

// parseParams reads a media range's ";name=value" parameters: q, its
// quality (1 when absent), and whether any parameter comes before q.
func parseParams(params string) (q float64, hasParams, ok bool) {
	q = 1
	if strings.TrimSpace(params) == "" {
		return q, false, true
	}
	for _, param := range strings.Split(params, ";") {
		name, value, found := strings.Cut(param, "=")
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
		if !found || !isToken(name) || value == "" {
			return 0, false, false
		}
		if name != "q" {
			hasParams = true
			continue
		}
		q, ok = parseQ(value)
		if !ok {
			return 0, false, false
		}
		return q, hasParams, true // what follows q is an accept-extension
	}
	return q, hasParams, true
}

// parseQ reads a qvalue: 0 to 1, with at most three decimals.
func parseQ(s string) (float64, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 3 || whole != "0" && whole != "1" || strings.Trim(frac, "0123456789") != "" {
		return 0, false
	}
	if whole == "1" {
		return 1, strings.Trim(frac, "0") == ""
	}
	q := 0.0
	for i, scale := 0, 0.1; i < len(frac); i, scale = i+1, scale/10 {
		q += float64(frac[i]-'0') * scale
	}
	return q, true
}

// isToken reports whether s is an HTTP token (RFC 9110): what a media
// type, subtype or parameter name is made of.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
