package paste

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// -print writes the resolved tree, and -print -json the same tree as JSON.
// Neither calls a factory, and neither shows a secret.

// maxIndent is the deepest level -print indents, two spaces a level.
// Deeper, a line keeps that indentation and a heading starts with its
// depth, [depth 33], the top being depth 0, so that a tree nested 100,000
// deep prints in space that grows with the tree, not with the square of
// its depth.
const maxIndent = 32

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
	w.WriteString(lead)
	w.WriteString(heading(ctx))
	w.WriteByte('\n')
	for _, line := range optionLines(ctx, above) {
		indent(w, depth, false)
		w.WriteString("    ")
		for {
			part, rest, continued := strings.Cut(line, "\n")
			w.WriteString(part)
			w.WriteByte('\n')
			if !continued {
				break
			}
			indent(w, depth, false) // a continued value's next line
			w.WriteString("      ")
			line = rest
		}
	}
	inner := depth + 1
	switch ctx.objectType {
	case pipelineType:
		for _, f := range ctx.filters {
			printContext(w, f, ctx.global, inner, "")
		}
		printContext(w, ctx.app, ctx.global, inner, "")
	case filterAppType, filterWithType:
		printContext(w, ctx.filter, ctx.global, inner, "")
		printContext(w, ctx.next, ctx.global, inner, "")
	}
	for _, m := range urlmapOrder(ctx.mounts) {
		printContext(w, m.app, ctx.global, inner, mountLabel(m)+" -> ")
	}
	if ctx.notFound != nil {
		printContext(w, ctx.notFound, ctx.global, inner, "not_found_app -> ")
	}
	for _, g := range ctx.guesses {
		indent(w, inner, true)
		w.WriteString(g.key + " -> read from the option value (a guess: no Go twin says what it means)\n")
		for _, f := range g.filters {
			printContext(w, f, ctx.global, inner+1, "")
		}
		printContext(w, g.app, ctx.global, inner+1, "")
	}
}

// indent writes the indentation of a line at depth: two spaces a level,
// up to maxIndent levels. Deeper, a heading starts with its depth:
// [depth 33].
func indent(w *bufio.Writer, depth int, heading bool) {
	for range min(depth, maxIndent) {
		w.WriteString("  ")
	}
	if depth > maxIndent && heading {
		fmt.Fprintf(w, "[depth %d] ", depth)
	}
}

// heading is ctx's first line: what it is, its factory, where it is.
func heading(ctx *Context) string {
	switch {
	case ctx.objectType == filterWithType:
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
	guessed := map[string]bool{}
	for _, g := range ctx.guesses {
		guessed[g.key] = true
	}
	urlmapKeys := ctx.twin != nil && ctx.twin.Kind == "composite"
	for _, s := range ctx.local.list {
		if urlmapKeys || guessed[s.key] {
			continue // shown as its children
		}
		line := s.key + " = " + shownSetting(s)
		switch {
		case s.via != "":
			line += "  (" + s.via + ")"
		case ctx.twin != nil && ctx.twin.Options != nil && !slices.Contains(ctx.twin.Options, s.key):
			line += "  (not an option of the Go twin)"
		}
		lines = append(lines, line)
	}
	changed := map[string]bool{}
	for _, key := range changedKeys(ctx.global, above) {
		s := ctx.global.values[key]
		lines = append(lines, "global "+key+" = "+shownSetting(s))
		changed[key] = true
	}
	if ctx.twin != nil {
		for _, key := range ctx.twin.Options {
			_, local := ctx.local.get(key)
			if s, ok := ctx.global.values[key]; ok && !local && !changed[key] {
				lines = append(lines, key+" = "+shownSetting(s)+"  (from the global conf)")
			}
		}
	}
	for _, s := range ctx.ignored {
		lines = append(lines, s.key+" = "+shownSetting(s)+"  (ignored, as Paste ignores it: [DEFAULT] sets it)")
	}
	if ctx.require.value != "" {
		lines = append(lines, "require = "+shownSetting(ctx.require)+"  (Paste checks these are installed; step 04 does not)")
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

// shownSetting is s's value as -print shows it: as it is, or hidden.
func shownSetting(s setting) string {
	if s.secret {
		return hidden
	}
	return s.value
}

// maxJSONDepth is how deep a tree -print -json writes, the top being
// depth 0: deeper than Paste Deploy itself loads, as it stops between 180
// and 190 nested urlmaps. A context nests up to four levels of JSON in the
// one above it (a urlmap's "urlmap", its "apps", one app, the context), so
// the JSON nests at most 802 levels, which Python's json module reads
// within its default recursion limit; and the JSON's lines, indented two
// spaces a level, come to a few MB, not the gigabytes of a tree 100,000
// deep.
const maxJSONDepth = 200

// PrintJSON writes ctx as JSON, with the keys Paste Deploy's
// LoaderContext has, for tools. It returns the first error writing to w.
func PrintJSON(w io.Writer, ctx *Context) error { return writeJSON(w, ctx, false) }

// writeJSON writes ctx as -print -json does, and returns the first error
// writing to w. A tree nested deeper than maxJSONDepth is an error at a
// context too deep, and writes nothing. The conformance test sets
// showSecrets, to compare values with Paste Deploy's.
func writeJSON(w io.Writer, ctx *Context, showSecrets bool) error {
	if deep, depth := deeper(ctx, maxJSONDepth); deep != nil {
		return errorAt(deep.where, "-print -json writes a tree at most %d contexts deep, and this context is %d deep: -print shows any depth",
			maxJSONDepth, depth)
	}
	e := json.NewEncoder(w)
	e.SetEscapeHTML(false) // <hidden>, not \u003chidden\u003e
	e.SetIndent("", "  ")
	return e.Encode(contextJSON(ctx, showSecrets))
}

// deeper returns a context of the tree under top that is deeper than
// limit, and its depth, or nil. It keeps a list of what is left to look
// at, so that a tree nested 100,000 deep needs no deep stack.
func deeper(top *Context, limit int) (*Context, int) {
	type at struct {
		ctx   *Context
		depth int
	}
	todo := []at{{top, 0}}
	for len(todo) > 0 {
		c := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if c.depth > limit {
			return c.ctx, c.depth
		}
		inner := append([]*Context{c.ctx.app, c.ctx.next, c.ctx.filter, c.ctx.notFound}, c.ctx.filters...)
		for _, m := range c.ctx.mounts {
			inner = append(inner, m.app)
		}
		for _, g := range c.ctx.guesses {
			inner = append(append(inner, g.app), g.filters...)
		}
		for _, ctx := range inner {
			if ctx != nil {
				todo = append(todo, at{ctx, c.depth + 1})
			}
		}
	}
	return nil, 0
}

// contextJSON is ctx as JSON. Its keys object_type, protocol, factory,
// section, file, local_conf, global_conf, app, filters, next, filter and
// urlmap are Paste Deploy's own, as the conformance test records them from
// Paste; where, go_twin, guessed_from_options, ignored and require
// are step 04's.
func contextJSON(ctx *Context, showSecrets bool) map[string]any {
	value := func(s setting) string {
		if s.secret && !showSecrets {
			return hidden
		}
		return s.value
	}
	orNull := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	factory := ctx.shownFactory()
	if showSecrets {
		factory = ctx.factory
	}
	local := map[string]string{}
	for _, s := range ctx.local.list {
		local[s.key] = value(s)
	}
	global := map[string]string{}
	for key, s := range ctx.global.values {
		global[key] = value(s)
	}
	j := map[string]any{
		"object_type": ctx.objectType.name,
		"protocol":    orNull(ctx.protocol),
		"factory":     orNull(factory),
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
	switch ctx.objectType {
	case pipelineType:
		filters := []any{}
		for _, f := range ctx.filters {
			filters = append(filters, contextJSON(f, showSecrets))
		}
		j["app"], j["filters"] = contextJSON(ctx.app, showSecrets), filters
	case filterAppType, filterWithType:
		j["filter"], j["next"] = contextJSON(ctx.filter, showSecrets), contextJSON(ctx.next, showSecrets)
	}
	if ctx.twin != nil && ctx.twin.Kind == "composite" {
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
