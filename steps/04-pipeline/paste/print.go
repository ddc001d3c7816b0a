package paste

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// This file twins nothing in Paste Deploy: it shows what loadcontext
// resolves, as the conformance recorder dumps a LoaderContext.

// -print writes the resolved tree, and -print -json the same tree as JSON.
// Neither calls a factory, and neither shows a secret.

// Print writes ctx and what it contains, one piece a line, indented:
// what it is, its factory and where it is defined, then its options. It
// returns the first error writing to w.
func Print(w io.Writer, ctx *Context) error {
	var defaults *globalConf
	if ctx.loader != nil {
		defaults, _ = ctx.loader.defaultsConf() // resolved already: no error
	}
	bw := bufio.NewWriter(w)
	printContext(bw, ctx, defaults, 0, "")
	return bw.Flush()
}

// printContext writes ctx at depth, its heading after lead ("/v1 -> ").
// above is the global conf of the context above it, to show what ctx
// changes in it.
func printContext(w *bufio.Writer, ctx *Context, above *globalConf, depth int, lead string) {
	indent(w, depth, true)
	w.WriteString(lead + heading(ctx) + "\n")
	for _, line := range optionLines(ctx, above) {
		indent(w, depth, false)
		w.WriteString("    " + strings.ReplaceAll(line, "\n", "\n"+strings.Repeat("  ", min(depth, maxIndent))+"      ") + "\n")
	}
	for _, c := range shownOrder(ctx) {
		lead := ""
		switch {
		case c.mount != nil:
			lead = mountLabel(*c.mount) + " -> "
		case c.role == "not_found_app":
			lead = "not_found_app -> "
		}
		printContext(w, c.ctx, ctx.global, depth+1, lead)
	}
	for _, g := range ctx.guesses {
		indent(w, depth+1, true)
		w.WriteString(g.key + " -> read from the option value (a guess: no Go twin says what it means)\n")
		for _, f := range g.filters {
			printContext(w, f, ctx.global, depth+2, "")
		}
		printContext(w, g.app, ctx.global, depth+2, "")
	}
}

// shownOrder is what -print shows inside ctx, in its order: a filter
// before what it wraps, as a pipeline lists them; a urlmap's apps in
// the order it tries them, less those a later key replaced, and
// not_found_app last. Guesses come after, each with its option.
func shownOrder(ctx *Context) []child {
	var wrapped, notFound []child
	var shown []child
	for _, c := range children(ctx, false) {
		switch {
		case c.guessed || c.mount != nil:
		case c.role == "filter":
			shown = append(shown, c)
		case c.role == "not_found_app":
			notFound = append(notFound, c)
		default:
			wrapped = append(wrapped, c)
		}
	}
	shown = append(shown, wrapped...)
	for _, m := range urlmapOrder(ctx.mounts) {
		shown = append(shown, child{ctx: m.app, role: m.key, mount: &m})
	}
	return append(shown, notFound...)
}

// indent writes the indentation of a line at depth: two spaces a level,
// up to maxIndent levels. Deeper, a heading starts with its depth:
// [depth 33].
func indent(w *bufio.Writer, depth int, heading bool) {
	w.WriteString(strings.Repeat("  ", min(depth, maxIndent)))
	if depth > maxIndent && heading {
		fmt.Fprintf(w, "[depth %d] ", depth)
	}
}

// heading is ctx's first line: what it is, its factory, where it is.
func heading(ctx *Context) string {
	switch {
	case ctx.kind == FilterWith:
		return fmt.Sprintf("%s, with filter-with  %s", ctx.label, ctx.where)
	case ctx.factory == "": // a pipeline or a filter-app
		return fmt.Sprintf("%s  %s", ctx.label, ctx.where)
	case ctx.twin != nil:
		return fmt.Sprintf("%s: %s  %s", ctx.label, ctx.twin.Name, ctx.where)
	case ctx.label == ctx.shownFactory():
		return fmt.Sprintf("%s, which has no Go twin  %s", ctx.label, ctx.where)
	}
	return fmt.Sprintf("%s: %s, which has no Go twin  %s", ctx.label, ctx.shownFactory(), ctx.where)
}

// mountLabel is how -print shows a urlmap's mount: its path, / for the
// root, after its domain if it has one.
func mountLabel(m mount) string {
	path := m.path
	if path == "" {
		path = "/"
	}
	if m.domain != "" {
		return "domain " + m.domain + " " + path
	}
	return path
}

// optionLines are the lines -print shows under ctx: its local conf; the
// global conf's keys that differ from above, the global conf of the
// context above it (set keys, mostly); the global options its Go twin
// reads; and what Paste skips.
func optionLines(ctx *Context, above *globalConf) []string {
	var lines []string
	for _, s := range ctx.local.list {
		if ctx.isURLMap() || slices.ContainsFunc(ctx.guesses, func(g guess) bool { return g.key == s.key }) {
			continue // shown as its children
		}
		line := s.key + " = " + shown(s.value, s.hidden())
		switch {
		case s.via != "":
			line += "  (" + s.via + ")"
		case ctx.twin != nil && ctx.twin.Options != nil && !slices.Contains(ctx.twin.Options, s.key):
			line += "  (not an option of the Go twin)"
		}
		lines = append(lines, line)
	}
	changed := changedKeys(ctx.global, above)
	for _, key := range changed {
		lines = append(lines, "global "+key+" = "+shown(ctx.global.values[key].value, ctx.global.values[key].hidden()))
	}
	if ctx.twin != nil {
		for _, key := range ctx.twin.Options {
			_, local := ctx.local.get(key)
			if s, ok := ctx.global.values[key]; ok && !local && !slices.Contains(changed, key) {
				lines = append(lines, key+" = "+shown(s.value, s.hidden())+"  (from the global conf)")
			}
		}
	}
	for _, s := range ctx.ignored {
		lines = append(lines, s.key+" = "+shown(s.value, s.hidden())+"  (ignored, as Paste ignores it: [DEFAULT] sets it)")
	}
	if ctx.require.value != "" {
		lines = append(lines, "require = "+shown(ctx.require.value, ctx.require.hidden())+"  (Paste checks these are installed; step 04 does not)")
	}
	return lines
}

// changedKeys are the keys of global whose values differ from above's, in
// order. Most contexts share their global conf with the one above, and
// then none differ: a file with 50,000 [DEFAULT] keys need not have them
// sorted for each context.
func changedKeys(global, above *globalConf) []string {
	if global == above {
		return nil
	}
	var keys []string
	for key, s := range global.values {
		if old, ok := above.lookup(key); !ok || old.value != s.value {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	return keys
}

// PrintJSON writes ctx as JSON, with the keys Paste Deploy's
// LoaderContext has, for tools. It returns the first error writing to w.
func PrintJSON(w io.Writer, ctx *Context) error { return writeJSON(w, ctx, false) }

// writeJSON writes ctx as -print -json does. The conformance test sets
// showSecrets, to compare values with Paste Deploy's.
func writeJSON(w io.Writer, ctx *Context, showSecrets bool) error {
	e := json.NewEncoder(w)
	e.SetEscapeHTML(false) // <hidden>, not \u003chidden\u003e
	e.SetIndent("", "  ")
	return e.Encode(contextJSON(ctx, showSecrets))
}

// contextJSON is ctx as JSON. Its keys object_type, protocol, factory,
// section, file, local_conf, global_conf, app, filters, next, filter and
// urlmap are Paste Deploy's own, as the conformance test records them from
// Paste; where, go_twin, guessed_from_options, ignored and require
// are step 04's.
func contextJSON(ctx *Context, showSecrets bool) map[string]any {
	value := func(s setting) string { return shown(s.value, s.hidden() && !showSecrets) }
	orNull := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	local, global := map[string]string{}, map[string]string{}
	for _, s := range ctx.local.list {
		local[s.key] = value(s)
	}
	for key, s := range ctx.global.values {
		global[key] = value(s)
	}
	j := map[string]any{
		"object_type": ctx.kind.objectType(),
		"protocol":    orNull(ctx.protocol),
		"factory":     orNull(shown(ctx.factory, ctx.secret && !showSecrets)),
		"section":     orNull(ctx.section),
		"file":        nil,
		"local_conf":  local,
		"global_conf": global,
		"where":       ctx.where.String(),
		"go_twin":     nil,
	}
	if ctx.section != "" {
		j["file"] = ctx.file
	}
	if ctx.twin != nil {
		j["go_twin"] = ctx.twin.Name
	}
	if ctx.kind == Pipeline {
		j["filters"] = []any{}
	}
	for _, c := range children(ctx, false) {
		switch {
		case c.guessed || c.mount != nil || c.role == "not_found_app":
		case ctx.kind == Pipeline && c.role == "filter":
			j["filters"] = append(j["filters"].([]any), contextJSON(c.ctx, showSecrets))
		default: // "app", "filter", "next"
			j[c.role] = contextJSON(c.ctx, showSecrets)
		}
	}
	if ctx.isURLMap() {
		apps := []any{}
		for _, m := range urlmapOrder(ctx.mounts) {
			apps = append(apps, map[string]any{"domain": orNull(m.domain), "path": m.path, "app": contextJSON(m.app, showSecrets)})
		}
		var notFound any
		if ctx.notFound != nil {
			notFound = contextJSON(ctx.notFound, showSecrets)
		}
		j["urlmap"] = map[string]any{"apps": apps, "not_found_app": notFound}
	}
	if len(ctx.guesses) > 0 {
		var guesses []any
		for _, g := range ctx.guesses {
			filters := []any{}
			for _, f := range g.filters {
				filters = append(filters, contextJSON(f, showSecrets))
			}
			guesses = append(guesses, map[string]any{"key": g.key, "filters": filters, "app": contextJSON(g.app, showSecrets)})
		}
		j["guessed_from_options"] = guesses
	}
	if len(ctx.ignored) > 0 {
		ignored := map[string]string{}
		for _, s := range ctx.ignored {
			ignored[s.key] = value(s)
		}
		j["ignored"] = ignored
	}
	if ctx.require.value != "" {
		j["require"] = value(ctx.require)
	}
	return j
}
