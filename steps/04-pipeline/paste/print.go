package paste

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// This file twins nothing in Paste Deploy: it shows what loadcontext
// resolves, as the conformance recorder dumps a LoaderContext. Neither
// -print nor -print -json calls a factory, or shows a secret.

// Print writes ctx and what it contains, one piece a line, indented: what
// it is, its factory and where it is defined, then its options.
func Print(w io.Writer, ctx *Context) error {
	defaults := &globalConf{}
	if ctx.loader != nil {
		defaults, _ = ctx.loader.defaultsConf() // resolved already: no error
	}
	bw := bufio.NewWriter(w)
	printContext(bw, ctx, defaults, 0, "")
	return bw.Flush()
}

// printContext writes ctx at depth, after lead ("/v1 -> "), with what it
// changes in above, the global conf above it. A filter comes before what it
// wraps; a urlmap's apps in the order it tries them; guesses last.
func printContext(w *bufio.Writer, ctx *Context, above *globalConf, depth int, lead string) {
	pad := strings.Repeat("  ", min(depth, maxIndent))
	w.WriteString(headingPad(depth) + lead + heading(ctx) + "\n")
	for _, line := range optionLines(ctx, above) {
		w.WriteString(pad + "    " + strings.ReplaceAll(line, "\n", "\n"+pad+"      ") + "\n")
	}
	var wrapped, notFound []*Context
	for _, c := range children(ctx, false) {
		switch {
		case c.guessed || c.mount != nil: // below
		case c.role == "filter":
			printContext(w, c.ctx, ctx.global, depth+1, "")
		case c.role == "not_found_app":
			notFound = append(notFound, c.ctx)
		default:
			wrapped = append(wrapped, c.ctx)
		}
	}
	for _, c := range wrapped {
		printContext(w, c, ctx.global, depth+1, "")
	}
	for _, m := range urlmapOrder(ctx.mounts) {
		label := cmp.Or(m.path, "/") + " -> "
		if m.domain != "" {
			label = "domain " + m.domain + " " + label
		}
		printContext(w, m.app, ctx.global, depth+1, label)
	}
	for _, c := range notFound {
		printContext(w, c, ctx.global, depth+1, "not_found_app -> ")
	}
	for _, g := range ctx.guesses {
		w.WriteString(headingPad(depth+1) + g.key + " -> read from the option value (a guess: no Go twin says what it means)\n")
		for _, f := range append(slices.Clip(g.filters), g.app) {
			printContext(w, f, ctx.global, depth+2, "")
		}
	}
}

// headingPad indents a heading at depth: two spaces a level, up to
// maxIndent levels, and deeper, its depth: [depth 33].
func headingPad(depth int) string {
	pad := strings.Repeat("  ", min(depth, maxIndent))
	if depth > maxIndent {
		pad += fmt.Sprintf("[depth %d] ", depth)
	}
	return pad
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

// optionLines are the lines -print shows under ctx: its local conf; the
// keys of its global conf that differ from above's (set keys, mostly);
// the global options its Go twin reads; and what Paste skips.
func optionLines(ctx *Context, above *globalConf) []string {
	var lines []string
	add := func(s setting, note string) {
		lines = append(lines, s.key+" = "+shown(s.value, s.hidden())+note)
	}
	for _, s := range ctx.local.list {
		switch {
		case ctx.isURLMap() || slices.ContainsFunc(ctx.guesses, func(g guess) bool { return g.key == s.key }):
			// shown as its children
		case s.via != "":
			add(s, "  ("+s.via+")")
		case ctx.twin != nil && ctx.twin.Options != nil && !slices.Contains(ctx.twin.Options, s.key):
			add(s, "  (not an option of the Go twin)")
		default:
			add(s, "")
		}
	}
	changed := changedKeys(ctx.global, above)
	for _, key := range changed {
		lines = append(lines, "global "+key+" = "+shown(ctx.global.values[key].value, ctx.global.values[key].hidden()))
	}
	if ctx.twin != nil {
		for _, key := range ctx.twin.Options {
			_, local := ctx.local.get(key)
			if s, ok := ctx.global.values[key]; ok && !local && !slices.Contains(changed, key) {
				add(s, "  (from the global conf)")
			}
		}
	}
	for _, s := range ctx.ignored {
		add(s, "  (ignored, as Paste ignores it: [DEFAULT] sets it)")
	}
	if ctx.require.value != "" {
		add(ctx.require, "  (Paste checks these are installed; step 04 does not)")
	}
	return lines
}

// changedKeys are the keys of global whose values differ from above's,
// sorted. Most contexts share the global conf above them: then none do.
func changedKeys(global, above *globalConf) []string {
	if global == above {
		return nil
	}
	var keys []string
	for key, s := range global.values {
		if old, ok := above.values[key]; !ok || old.value != s.value {
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

// contextJSON is ctx as JSON, with Paste Deploy's keys as the conformance
// test records them, and step 04's: where, go_twin, guessed_from_options,
// ignored and require.
func contextJSON(ctx *Context, showSecrets bool) map[string]any {
	show := func(text string, secret bool) string {
		if showSecrets {
			return text
		}
		return shown(text, secret)
	}
	conf := func(settings func(func(setting) bool)) map[string]string {
		m := map[string]string{}
		for s := range settings {
			m[s.key] = show(s.value, s.hidden())
		}
		return m
	}
	list := func(contexts ...*Context) []any {
		l := []any{}
		for _, c := range contexts {
			l = append(l, contextJSON(c, showSecrets))
		}
		return l
	}
	orNull := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	j := map[string]any{
		"object_type": ctx.kind.objectType(),
		"protocol":    orNull(ctx.protocol),
		"factory":     orNull(show(ctx.factory, ctx.secret)),
		"section":     orNull(ctx.section),
		"file":        nil,
		"local_conf":  conf(slices.Values(ctx.local.list)),
		"global_conf": conf(maps.Values(ctx.global.values)),
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
		j["filters"] = list(ctx.filters...)
	}
	for _, c := range children(ctx, false) {
		if !c.guessed && c.mount == nil && c.role != "not_found_app" && (ctx.kind != Pipeline || c.role != "filter") {
			j[c.role] = contextJSON(c.ctx, showSecrets) // "app", "filter", "next"
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
	var guesses []any
	for _, g := range ctx.guesses {
		guesses = append(guesses, map[string]any{"key": g.key, "filters": list(g.filters...), "app": contextJSON(g.app, showSecrets)})
	}
	if guesses != nil {
		j["guessed_from_options"] = guesses
	}
	if len(ctx.ignored) > 0 {
		j["ignored"] = conf(slices.Values(ctx.ignored))
	}
	if ctx.require.value != "" {
		j["require"] = show(ctx.require.value, ctx.require.hidden())
	}
	return j
}
