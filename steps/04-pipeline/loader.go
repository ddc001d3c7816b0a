package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// loader builds the handler a config names: the Go twin of Paste Deploy's
// loadapp. It reads the sections, finds each one's factory in the
// registry, and nests the results; every mistake comes back as
// FILE:LINE: what is wrong.
type loader struct {
	file     *iniFile
	registry map[string]factory
	printing bool                // for -print: a factory with no Go twin is shown, not an error
	stack    []string            // the sections being built, to catch reference cycles
	built    map[string]built    // sections built so far, by type:name
	index    map[string]*section // every section, by type:name
	globals  map[string]string   // [DEFAULT], by key
}

// built is a section already built: a urlmap may name it more than once.
type built struct {
	h http.Handler
	n *node
}

// node is one piece of the built tree, as -print shows it.
type node struct {
	label    string // what it is: "pipeline:main", "filter:sizelimit", "/v1"
	where    string // FILE:LINE of its section
	factory  string // the factory's name in the registry, or what the config named
	missing  bool   // no Go twin: only -print gets this far
	options  []string
	children []*node
}

// loadApp builds the app, pipeline or composite called name.
func (l *loader) loadApp(name string) (http.Handler, *node, error) {
	s := l.find(name, "app", "pipeline", "composite")
	if s == nil {
		return nil, nil, fmt.Errorf("%s: -name %s: there is no [app:%s], [pipeline:%s] or [composite:%s]", l.file.path, name, name, name, name)
	}
	return l.build(s)
}

// find returns the section called name of one of kinds, or nil.
func (l *loader) find(name string, kinds ...string) *section {
	if l.index == nil {
		l.index = map[string]*section{}
		for _, s := range l.file.sections {
			l.index[s.kind+":"+s.name] = s
		}
	}
	for _, kind := range kinds {
		if s, ok := l.index[kind+":"+name]; ok {
			return s
		}
	}
	return nil
}

// errorAt returns a config error at line of the loader's file.
func (l *loader) errorAt(line int, format string, args ...any) error {
	return &configError{l.file.path, line, fmt.Sprintf(format, args...)}
}

// build builds one app, pipeline or composite section.
func (l *loader) build(s *section) (http.Handler, *node, error) {
	label := s.kind + ":" + s.name
	if i := slices.Index(l.stack, label); i >= 0 {
		cycle := strings.Join(append(l.stack[i:], label), " -> ")
		return nil, nil, l.errorAt(s.line, "reference cycle: %s", cycle)
	}
	if b, ok := l.built[label]; ok {
		return b.h, b.n, nil
	}
	l.stack = append(l.stack, label)
	defer func() { l.stack = l.stack[:len(l.stack)-1] }()
	h, n, err := l.buildSection(s)
	if err == nil {
		if l.built == nil {
			l.built = map[string]built{}
		}
		l.built[label] = built{h, n}
	}
	return h, n, err
}

// buildSection builds s, which is not built yet.
func (l *loader) buildSection(s *section) (http.Handler, *node, error) {
	label := s.kind + ":" + s.name
	if s.kind == "pipeline" {
		return l.buildPipeline(s)
	}
	c, err := l.resolve(s)
	if err != nil {
		return nil, nil, err
	}
	n := &node{label: label, where: l.where(s.line), factory: c.factory, missing: c.f == nil, options: c.shownAs}
	if c.f == nil {
		return nil, n, nil // -print only: resolve has already refused it otherwise
	}
	if c.f.kind != s.kind {
		return nil, nil, l.errorAt(s.line, "[%s] uses %s, which makes a%s %s, not a %s", label, c.factory, article(c.f.kind), c.f.kind, s.kind)
	}
	if s.kind == "app" {
		h, err := c.f.app(c.options)
		return h, n, c.wrap(err)
	}
	// A composite: its keys name other apps, which it loads through us.
	h, err := c.f.composite(c.local, func(key, name string) (http.Handler, error) {
		child := l.find(name, "app", "pipeline", "composite")
		if child == nil {
			return nil, c.errorAt(key, "%s = %s: no [app:%s], [pipeline:%s] or [composite:%s]", key, name, name, name, name)
		}
		h, cn, err := l.build(child)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, &node{label: key, children: []*node{cn}})
		return h, nil
	})
	n.options = nil // its keys are its children, shown below it
	return h, n, c.wrap(err)
}

// buildPipeline builds "pipeline = f1 f2 ... app": the filters wrap the
// app, the first named outermost, as Paste applies them.
func (l *loader) buildPipeline(s *section) (http.Handler, *node, error) {
	var names []string
	var line int
	for _, e := range s.entries {
		switch {
		case e.key == "pipeline":
			names, line = strings.Fields(e.value), e.line
		case strings.HasPrefix(e.key, "set "):
			// a global override; a pipeline passes it to nothing, as in Paste
		default:
			return nil, nil, l.errorAt(e.line, "[pipeline:%s] takes only pipeline = ..., not %q", s.name, e.key)
		}
	}
	if len(names) == 0 {
		return nil, nil, l.errorAt(s.line, "[pipeline:%s] needs pipeline = filter ... app", s.name)
	}
	n := &node{label: "pipeline:" + s.name, where: l.where(s.line)}
	last := names[len(names)-1]
	appSection := l.find(last, "app", "pipeline", "composite")
	if appSection == nil {
		if l.find(last, "filter") != nil {
			return nil, nil, l.errorAt(line, "pipeline ends with filter %q: the last name must be an app, a pipeline or a composite", last)
		}
		return nil, nil, l.errorAt(line, "pipeline ends with %q: no [app:%s], [pipeline:%s] or [composite:%s]", last, last, last, last)
	}
	var filters []middleware
	for _, name := range names[:len(names)-1] {
		fs := l.find(name, "filter")
		if fs == nil {
			return nil, nil, l.errorAt(line, "pipeline names %q, but there is no [filter:%s]", name, name)
		}
		m, fn, err := l.buildFilter(fs)
		if err != nil {
			return nil, nil, err
		}
		filters = append(filters, m)
		n.children = append(n.children, fn)
	}
	app, an, err := l.build(appSection)
	if err != nil {
		return nil, nil, err
	}
	n.children = append(n.children, an)
	if app == nil {
		return nil, n, nil // -print, with a missing twin somewhere inside
	}
	return chain(app, filters...), n, nil
}

// buildFilter builds one [filter:...] section.
func (l *loader) buildFilter(s *section) (middleware, *node, error) {
	c, err := l.resolve(s)
	if err != nil {
		return nil, nil, err
	}
	n := &node{label: "filter:" + s.name, where: l.where(s.line), factory: c.factory, missing: c.f == nil, options: c.shownAs}
	if c.f == nil {
		return func(h http.Handler) http.Handler { return h }, n, nil // -print only
	}
	if c.f.kind != "filter" {
		return nil, nil, l.errorAt(s.line, "[filter:%s] uses %s, which makes a%s %s, not a filter", s.name, c.factory, article(c.f.kind), c.f.kind)
	}
	m, err := c.f.filter(c.options)
	return m, n, c.wrap(err)
}

func (l *loader) where(line int) string {
	return fmt.Sprintf("%s:%d", l.file.path, line)
}

// printNode writes n and what is inside it, indented, one piece a line:
// what it is, its factory, where it is defined, then its options.
func printNode(w io.Writer, n *node, indent string) {
	if n.where == "" { // a urlmap prefix: "/v1 -> " and what it leads to
		fmt.Fprintf(w, "%s%s -> ", indent, n.label)
		n = n.children[0]
	} else {
		fmt.Fprint(w, indent)
	}
	switch {
	case n.factory == "": // a pipeline
		fmt.Fprintf(w, "%s  %s\n", n.label, n.where)
	case n.missing:
		fmt.Fprintf(w, "%s: %s, which has no Go twin  %s\n", n.label, n.factory, n.where)
	default:
		fmt.Fprintf(w, "%s: %s  %s\n", n.label, n.factory, n.where)
	}
	for _, o := range n.options {
		o = strings.ReplaceAll(o, "\n", "\n"+indent+"      ") // a continued value
		fmt.Fprintf(w, "%s    %s\n", indent, o)
	}
	for _, c := range n.children {
		printNode(w, c, indent+"  ")
	}
}

// article is "n" before a kind that starts with a vowel: "an app".
func article(kind string) string {
	if strings.ContainsAny(kind[:1], "aeiou") {
		return "n"
	}
	return ""
}
