package main

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// factory builds one kind of piece from its section's options: the Go
// twin of a Paste factory (paste.app_factory, paste.filter_factory,
// paste.composite_factory). Exactly one of app, filter or composite is set,
// as kind says.
type factory struct {
	kind    string   // "app", "filter" or "composite"
	name    string   // its name in the registry, as egg:...#name names it
	options []string // the options it reads; nil for a composite, whose keys are its own
	app     func(opts map[string]string) (http.Handler, error)
	filter  func(opts map[string]string) (middleware, error)
	// composite builds an app out of others; load(key, name) builds the
	// app, pipeline or composite called name, named by its option key.
	composite func(opts map[string]string, load func(key, name string) (http.Handler, error)) (http.Handler, error)
}

// optionError is a bad option value, reported at the option's line.
type optionError struct {
	key, msg string
}

func (e *optionError) Error() string { return e.key + ": " + e.msg }

// badOption returns an optionError for key.
func badOption(key, format string, args ...any) error {
	return &optionError{key, fmt.Sprintf(format, args...)}
}

// configured is a section resolved to its factory, with its options: the
// [DEFAULT] globals, overridden by the section's set keys, overridden by
// its own keys, as oslo.middleware's factories merge global_conf and
// local_conf.
type configured struct {
	l       *loader
	s       *section
	factory string            // the registry's name for it, or what the config named
	f       *factory          // nil when there is no Go twin (only with -print)
	options map[string]string // globals, then set keys, then local keys
	local   map[string]string // the section's own keys: a composite's
	lines   map[string]int    // where each option was set
	shownAs []string          // "key = value" lines for -print
}

// errorAt returns a config error at the line where key was set.
func (c *configured) errorAt(key, format string, args ...any) error {
	line, ok := c.lines[key]
	if !ok {
		line = c.s.line
	}
	return c.l.errorAt(line, format, args...)
}

// wrap gives a factory's error its FILE:LINE.
func (c *configured) wrap(err error) error {
	var oe *optionError
	var ce *configError
	switch {
	case err == nil, errors.As(err, &ce):
		return err
	case errors.As(err, &oe):
		return c.errorAt(oe.key, "[%s:%s] %s", c.s.kind, c.s.name, oe.Error())
	default:
		return c.l.errorAt(c.s.line, "[%s:%s]: %v", c.s.kind, c.s.name, err)
	}
}

// protocols are the Paste protocol keys that name a factory directly.
var protocols = map[string]string{
	"paste.app_factory":       "app",
	"paste.filter_factory":    "filter",
	"paste.composite_factory": "composite",
}

// resolve finds s's factory and options, following use = othersection.
func (l *loader) resolve(s *section) (*configured, error) {
	entries, ref, refLine, err := l.inherit(s, nil)
	if err != nil {
		return nil, err
	}
	c := &configured{l: l, s: s, options: map[string]string{}, local: map[string]string{}, lines: map[string]int{}}

	// Find the factory: egg:Dist#name, call:module:object, or a python path.
	key := ref
	switch {
	case ref == "":
		return nil, l.errorAt(s.line, "[%s:%s] names no factory: add use = egg:...#name or paste.%s_factory = module:object", s.kind, s.name, s.kind)
	case strings.HasPrefix(ref, "egg:"):
		_, key, _ = strings.Cut(ref, "#")
		if key == "" {
			key = "main" // egg:Dist means egg:Dist#main, as in Paste
		}
	case strings.HasPrefix(ref, "call:"):
		key = strings.TrimPrefix(ref, "call:")
	case strings.HasPrefix(ref, "config:"):
		return nil, l.errorAt(refLine, "use = %s: config: URIs (another file) are not supported", ref)
	}
	c.factory = ref
	if f, ok := l.registry[key]; ok {
		c.f, c.factory = &f, f.name
	} else if !l.printing {
		return nil, l.errorAt(refLine, "%s has no Go twin in the registry (it has: %s)", ref, strings.Join(registryNames(l.registry), ", "))
	}

	// The globals: [DEFAULT], then this section's set keys.
	own := map[string]string{}
	for _, e := range entries {
		own[e.key] = e.value
	}
	lookup := func(name string) (string, bool) {
		if v, ok := own[name]; ok {
			return v, true
		}
		return l.global(name)
	}
	for _, e := range l.file.defaults {
		v, err := l.file.interpolate(e.value, e.line, l.global)
		if err != nil {
			return nil, err
		}
		c.options[e.key], c.lines[e.key] = v, e.line
	}
	for _, e := range entries {
		if e.key == "use" || protocols[e.key] != "" {
			continue
		}
		v, err := l.file.interpolate(e.value, e.line, lookup)
		if err != nil {
			return nil, err
		}
		name, isSet := strings.CutPrefix(e.key, "set ")
		name = strings.TrimSpace(name)
		switch {
		case isSet:
			c.shownAs = append(c.shownAs, "set "+name+" = "+v)
		case l.isGlobal(name):
			return nil, l.errorAt(e.line, "%s is also in [DEFAULT], and Paste ignores it here: write set %s = ... to override it", name, name)
		case c.f != nil && c.f.options != nil && !slices.Contains(c.f.options, name):
			if !l.printing {
				return nil, l.errorAt(e.line, "%s has no option %q (it has: %s)", c.factory, name, strings.Join(c.f.options, ", "))
			}
			c.shownAs = append(c.shownAs, name+" = "+v+"  (not an option of the Go twin)")
			continue
		default:
			c.shownAs = append(c.shownAs, name+" = "+shownValue(name, v))
			c.local[name] = v
		}
		c.options[name], c.lines[name] = v, e.line
	}
	return c, nil
}

// inherit returns s's entries, with those of the sections it uses (use =
// othersection) underneath, and what names its factory: a use value or a
// paste.*_factory value, and that value's line.
func (l *loader) inherit(s *section, seen []string) (entries []entry, ref string, refLine int, err error) {
	label := s.kind + ":" + s.name
	if slices.Contains(seen, label) {
		return nil, "", 0, l.errorAt(s.line, "reference cycle: %s -> %s", strings.Join(seen, " -> "), label)
	}
	seen = append(seen, label)
	for _, e := range s.entries {
		kind, isProtocol := protocols[e.key]
		switch {
		case isProtocol && kind != s.kind:
			return nil, "", 0, l.errorAt(e.line, "%s in an [%s:] section: it names a %s factory", e.key, s.kind, kind)
		case isProtocol || e.key == "use":
			if ref != "" {
				return nil, "", 0, l.errorAt(e.line, "[%s] names its factory twice: give use or %s, not both", label, "paste."+s.kind+"_factory")
			}
			ref, refLine = e.value, e.line
		}
	}
	if ref != "" && !strings.Contains(ref, ":") {
		// use = othersection: that section's keys, under this one's.
		base := l.find(ref, s.kind)
		if base == nil {
			return nil, "", 0, l.errorAt(refLine, "use = %s: there is no [%s:%s]", ref, s.kind, ref)
		}
		baseEntries, baseRef, baseLine, err := l.inherit(base, seen)
		if err != nil {
			return nil, "", 0, err
		}
		local := map[string]bool{}
		for _, e := range s.entries {
			local[e.key] = true
		}
		for _, be := range baseEntries {
			if !local[be.key] {
				entries = append(entries, be)
			}
		}
		ref, refLine = baseRef, baseLine
	}
	return append(entries, s.entries...), ref, refLine, nil
}

// global looks name up in [DEFAULT], then %(here)s and %(__file__)s.
func (l *loader) global(name string) (string, bool) {
	if v, ok := l.defaults()[name]; ok {
		return v, true
	}
	switch name {
	case "here":
		return l.file.dir, true
	case "__file__":
		return l.file.path, true
	}
	return "", false
}

// isGlobal reports whether [DEFAULT] sets name.
func (l *loader) isGlobal(name string) bool {
	_, ok := l.defaults()[name]
	return ok
}

// defaults returns [DEFAULT] as a map, made once.
func (l *loader) defaults() map[string]string {
	if l.globals == nil {
		l.globals = map[string]string{}
		for _, e := range l.file.defaults {
			l.globals[e.key] = e.value
		}
	}
	return l.globals
}

// shownValue hides secrets from -print: a token is never shown or logged.
func shownValue(key, value string) string {
	if strings.Contains(key, "token") || strings.Contains(key, "password") || strings.Contains(key, "secret") {
		return "<hidden>"
	}
	return value
}

// registryNames lists the registry's own names, sorted.
func registryNames(r map[string]factory) []string {
	var names []string
	for key, f := range r {
		if key == f.name {
			names = append(names, key)
		}
	}
	sort.Strings(names)
	return names
}
