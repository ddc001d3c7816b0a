package paste

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// Stage 2, resolve: the name -name gives becomes a tree of contexts, each
// saying what Paste Deploy would call to make that piece, and with what
// local and global conf. This file twins loadwsgi.py's ConfigLoader,
// function by function. It reads files, and never calls a factory.

// resolver resolves names in config files, and counts what a load spends.
type resolver struct {
	registry     *Registry
	readFile     func(path string) ([]byte, error)
	files        map[string]*iniFile // by absolute path: each file is parsed once
	stack        []*section          // the sections being resolved, in order
	contexts     int                 // see maxContexts
	settings     int                 // see maxSettings
	interpolated int                 // see maxInterpolated
}

// Load resolves the app, pipeline or composite called name in the config
// file at path into a tree of contexts, with the entry points of reg: Paste
// Deploy's loadcontext(APP, "config:"+path, name), and what each composite's
// factory would load.
func Load(path, name string, reg *Registry) (*Context, error) {
	return (&resolver{registry: reg, readFile: readConfigFile}).resolve(path, name)
}

// resolve is Load for r.
func (r *resolver) resolve(path, name string) (*Context, error) {
	r.files = map[string]*iniFile{}
	l, err := r.openLoader(path, nil, position{path, 0})
	if err != nil {
		return nil, err
	}
	ctx, err := l.getContext(App, name, nil, site{where: position{path, 0}, key: "-name", name: name})
	if err != nil {
		return nil, err
	}
	return ctx, r.expand(ctx, 0)
}

// site is where a name came from, for errors: the option that gave it.
type site struct {
	where  position // FILE:LINE, or FILE for -name
	key    string   // the option: "use", "-name", "pipeline names", ...
	name   string   // what it names
	in     string   // the file a config: URI named, where name is looked up
	usedBy string   // the type of the section whose use this is, to guess an egg's protocol
	secret bool     // name took in a secret by %(...)s: no message shows it
	depth  int      // how deep the section that gave it nests
}

// at is the site of the name that option s gives, one deeper than at.
func (at site) at(s setting, key, usedBy string) site {
	return site{where: s.where, key: key, name: s.value, usedBy: usedBy, secret: s.secret, depth: at.depth + 1}
}

// what is the site as errors quote it: "use = base", "pipeline names
// \"auth\"", "-name main".
func (at site) what() string {
	what := at.key + " = " + shown(at.name, at.secret)
	switch {
	case at.key == "-name":
		what = "-name " + at.name
	case strings.HasPrefix(at.key, "pipeline "):
		what = at.key + " " + shown(fmt.Sprintf("%q", at.name), at.secret)
	}
	if at.in != "" {
		what += ": in " + at.in
	}
	return what
}

// hide is err, unless the site's name took in a secret and err is at its
// line, where it may quote the name: then an error that does not.
func (at site) hide(err error) error {
	var ce *configError
	if !at.secret || !errors.As(err, &ce) || ce.where != at.where {
		return err
	}
	return errorAt(at.where, "%s: refused, for a reason not shown: it would show the name, which took in a secret by %%(...)s", at.what())
}

// configLoader reads the sections of one file: the twin of ConfigLoader.
// Its defaults are [DEFAULT], here, __file__, and what a config: URI passed.
type configLoader struct {
	r        *resolver
	file     *iniFile
	abs      string             // the file's absolute path
	from     position           // what named the file: -config, or a config: URI
	defaults []*option          // raw, in order
	byKey    map[string]*option // the same, by key
	passed   map[string]bool    // the defaults a config: URI passed in secret
	global   *globalConf        // the defaults interpolated, made at first use
	err      error              // the error making global gave
	hidePath bool               // a secret went into the path: positions show <hidden>
}

// openLoader returns a loader for the file at path, parsed once a load: the
// twin of ConfigLoader.__init__ and update_defaults. The keys of callerGlobal,
// from the config: URI at from, are defaults the file does not set.
func (r *resolver) openLoader(path string, callerGlobal *globalConf, from position) (*configLoader, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	f, ok := r.files[abs]
	if !ok {
		data, err := r.readFile(path)
		if err == nil {
			f, err = parseINI(path, data)
		}
		if err != nil {
			return nil, err
		}
		r.files[abs] = f
	}
	l := &configLoader{r: r, file: f, abs: abs, from: from, byKey: map[string]*option{}, passed: map[string]bool{}}
	add := func(o option) {
		if prev, ok := l.byKey[o.key]; ok {
			*prev = o // a later default replaces an earlier one, in its place
			return
		}
		l.byKey[o.key] = &o
		l.defaults = append(l.defaults, &o)
	}
	add(option{key: "here", value: filepath.Dir(abs)})
	add(option{key: "__file__", value: abs})
	for _, o := range f.defaults.options {
		add(*o)
	}
	if callerGlobal != nil {
		for _, key := range slices.Sorted(maps.Keys(callerGlobal.values)) {
			if s := callerGlobal.values[key]; l.byKey[key] == nil {
				add(option{key: key, value: s.value})
				l.passed[key] = s.hidden()
			}
		}
	}
	return l, nil
}

func (l *configLoader) where(line int) position { return position{l.shownPath(), line} }

// shownPath is the file's path as errors and -print show it: <hidden> if
// a secret went into it by %(...)s.
func (l *configLoader) shownPath() string { return shown(l.file.path, l.hidePath) }

// defaultsConf returns the defaults, each interpolated with the others:
// the twin of NicerConfigParser.defaults(), where a value that comes out
// empty keeps its raw text.
func (l *configLoader) defaultsConf() (*globalConf, error) {
	if l.global != nil || l.err != nil {
		return l.global, l.err
	}
	values := make(map[string]setting, len(l.defaults))
	for _, o := range l.defaults {
		where := l.where(o.line)
		if o.line == 0 { // here, __file__, or a global passed in
			where = l.from
		}
		v, usedSecret, err := interpolate(o.key, o.value, l.passed[o.key], l.lookupDefault)
		switch {
		case err != nil && o.line == 0:
			l.err = errorAt(where, "in %s, [DEFAULT] %v", l.shownPath(), err)
		case err != nil:
			l.err = errorAt(where, "[DEFAULT] %v", err)
		default:
			l.err = l.r.spend(1, madeBytes(o.value, v), where)
		}
		if l.err != nil {
			return nil, l.err
		}
		if v == "" {
			v = o.value
		}
		values[o.key] = setting{key: o.key, value: v, where: l.where(o.line), secret: usedSecret || l.passed[o.key]}
	}
	l.global = &globalConf{values, l}
	return l.global, nil
}

// value returns o, an option of s or a default, interpolated: the twin of
// parser.get(section, key).
func (l *configLoader) value(s *section, o *option) (setting, error) {
	lookup := func(name string) (value string, secret, ok bool) {
		if o, ok := s.index[name]; ok {
			return o.value, false, true
		}
		return l.lookupDefault(name)
	}
	// o may be a set or get key of [DEFAULT], which every section reads:
	// secret if a config: URI passed that default in secret.
	passed := l.byKey[o.key] == o && l.passed[o.key]
	v, usedSecret, err := interpolate(o.key, o.value, passed, lookup)
	if err != nil {
		return setting{}, errorAt(l.where(o.line), "[%s] %v", s.header, err)
	}
	if err := l.r.spend(0, madeBytes(o.value, v), l.where(o.line)); err != nil {
		return setting{}, err
	}
	return setting{key: o.key, value: v, where: l.where(o.line), secret: usedSecret || passed}, nil
}

// lookupDefault returns a default's raw value, and whether it came in secret.
func (l *configLoader) lookupDefault(name string) (value string, secret, ok bool) {
	if o, ok := l.byKey[name]; ok {
		return o.value, l.passed[name], true
	}
	return "", false, false
}

// sectionsFor returns the sections that define name as kind: in each
// group of sectionGroups, those of the first type that has any.
func (l *configLoader) sectionsFor(kind Kind, name string) []*section {
	var found []*section
	for _, group := range sectionGroups[kind] {
		for _, typ := range group {
			n := len(found)
			for _, s := range l.file.byName[name] {
				if s.typ == typ {
					found = append(found, s)
				}
			}
			if len(found) > n {
				break
			}
		}
	}
	return found
}

// findSection returns the one section that defines name as kind: the
// twin of ConfigLoader.find_config_section.
func (l *configLoader) findSection(kind Kind, name string, at site) (*section, error) {
	found := l.sectionsFor(kind, name)
	switch {
	case len(found) > 1:
		var headers []string
		for _, s := range found {
			headers = append(headers, fmt.Sprintf("[%s] (line %d)", s.header, s.line))
		}
		return nil, errorAt(at.where, "%s: %s define it, and Paste Deploy refuses to choose", at.what(), strings.Join(headers, " and "))
	case len(found) == 0 && kind == Filter:
		return nil, errorAt(at.where, "%s: no [filter:%s]%s", at.what(), name, l.nearMiss(name))
	case len(found) == 0:
		return nil, errorAt(at.where, "%s: no [app:%[2]s], [pipeline:%[2]s], [composite:%[2]s] or [filter-app:%[2]s]%[3]s", at.what(), name, l.nearMiss(name))
	}
	return found[0], nil
}

// nearMiss is a hint: a section called name of another kind, or of a type
// spelled in another case.
func (l *configLoader) nearMiss(name string) string {
	if len(l.file.byName[name]) == 0 {
		return ""
	}
	s := l.file.byName[name][0]
	_, known := sectionTypes[s.typ]
	_, knownLower := sectionTypes[strings.ToLower(s.typ)]
	switch {
	case !known && knownLower:
		return fmt.Sprintf(" (there is a [%s]: section types are case-sensitive)", s.header)
	case s.typ == "filter":
		return fmt.Sprintf(" (there is a [%s], but a filter is not an app)", s.header)
	case known:
		return fmt.Sprintf(" (there is a [%s], but it is an app, not a filter)", s.header)
	}
	return fmt.Sprintf(" (there is a [%s], which Paste Deploy does not load)", s.header)
}

// sectionRead is a section as get_context reads it, before its factory.
type sectionRead struct {
	kind       Kind // what the section is asked for: App or Filter
	s          *section
	typ        string      // its type: "app", "pipeline", ...
	local      *localConf  // shared with the context made of it, as Paste shares one dict
	global     *globalConf // with its set keys
	additions  []setting   // its set keys
	ignored    []setting   // its keys that Paste skips, as [DEFAULT] sets them
	filterWith *setting
	require    setting
}

// getContext resolves name, a section of l's file or a URI, into a context
// of kind under global: the twin of ConfigLoader.get_context.
func (l *configLoader) getContext(kind Kind, name string, global *globalConf, at site) (*Context, error) {
	if isURI(name) {
		at.secret = at.secret || l.hidePath // a path from l's folder holds the secret too
		ctx, err := l.r.loadContext(kind, name, filepath.Dir(l.file.path), global, at)
		return ctx, at.hide(err)
	}
	if at.depth > maxNesting {
		return nil, errorAt(at.where, "%s: sections nest more than %d deep, the most step 04 loads: is this config made by a program?", at.what(), maxNesting)
	}
	s, err := l.findSection(kind, name, at)
	if err != nil {
		return nil, at.hide(err)
	}
	if err := l.r.push(s, l.where(s.line)); err != nil {
		return nil, err
	}
	defer l.r.pop(s)
	sr, err := l.readSection(kind, s, global)
	if err != nil {
		return nil, err
	}
	var ctx *Context
	_, use := sr.local.index["use"]
	switch {
	case sr.typ == "filter-app":
		ctx, err = l.filterAppContext(sr, at)
	case sr.typ == "pipeline":
		ctx, err = l.pipelineContext(sr, at)
	case use:
		ctx, err = l.contextFromUse(sr, at)
	default:
		ctx, err = l.contextFromExplicit(sr)
	}
	if err != nil {
		return nil, err
	}
	ctx.label, ctx.where = s.header, l.where(s.line)
	if sr.filterWith != nil {
		wrapped := ctx
		ctx = l.r.newContext(FilterWith)
		ctx.global, ctx.local, ctx.loader, ctx.next = sr.global, sr.local, l, wrapped
		ctx.filter, err = l.getContext(Filter, sr.filterWith.value, sr.global, at.at(*sr.filterWith, "filter-with", "filter"))
		if err != nil {
			return nil, err
		}
	}
	ctx.section, ctx.from, ctx.file, ctx.label, ctx.where = s.header, s, shown(l.abs, l.hidePath), s.header, l.where(s.line)
	ctx.ignored = append(ctx.ignored, sr.ignored...)
	if sr.require.value != "" {
		ctx.require = sr.require
	}
	return ctx, l.r.tooMany(ctx.where)
}

// readSection reads the options of s under global: the part of
// ConfigLoader.get_context before it looks for the factory.
func (l *configLoader) readSection(kind Kind, s *section, global *globalConf) (*sectionRead, error) {
	where := l.where(s.line)
	defaults, err := l.defaultsConf()
	if err != nil {
		return nil, err
	}
	switch {
	case global == nil:
		global = defaults
	case global.of != l: // the global conf of a section in another file
		merged := &globalConf{maps.Clone(defaults.values), l}
		maps.Copy(merged.values, global.values)
		if global, err = merged, l.r.spend(len(merged.values), 0, where); err != nil {
			return nil, err
		}
	}
	sr := &sectionRead{kind: kind, s: s, typ: s.typ, local: &localConf{}}
	// The options, then [DEFAULT]'s set and get keys, which are every section's.
	options := slices.Clip(s.options)
	for _, o := range l.defaults {
		if isSetOrGet(o.key) && s.index[o.key] == nil {
			options = append(options, o)
		}
	}
	if err := l.r.spend(len(options), 0, where); err != nil {
		return nil, err
	}
	var gets []setting
	for _, o := range options {
		if l.byKey[o.key] != nil && !isSetOrGet(o.key) {
			sr.ignored = append(sr.ignored, setting{key: o.key, value: o.value, where: l.where(o.line)})
			continue
		}
		v, err := l.value(s, o)
		if err != nil {
			return nil, err
		}
		switch {
		case strings.HasPrefix(o.key, "set "):
			v.key = strings.TrimFunc(o.key[4:], isPySpace)
			sr.additions = append(sr.additions, v)
		case strings.HasPrefix(o.key, "get "):
			v.key = strings.TrimFunc(o.key[4:], isPySpace)
			gets = append(gets, v)
		default:
			sr.local.set(v)
		}
	}
	if global, err = l.r.with(global, where, sr.additions...); err != nil {
		return nil, err
	}
	for _, g := range gets {
		v, ok := global.values[g.value]
		if !ok {
			name := shown(g.value, g.secret)
			return nil, errorAt(g.where, "[%s] get %s = %s: the global conf has no %s", s.header, g.key, name, name)
		}
		sr.local.set(setting{key: g.key, value: v.value, where: g.where, secret: v.hidden(), via: "get " + shown(g.value, g.secret)})
	}
	sr.global = global
	if fw, ok := sr.local.pop("filter-with"); ok {
		sr.filterWith = &fw
	}
	sr.require, _ = sr.local.pop("require")
	return sr, nil
}

func isSetOrGet(key string) bool {
	return strings.HasPrefix(key, "set ") || strings.HasPrefix(key, "get ")
}

// contextFromUse resolves use = name, and makes that context the section's,
// its local conf and set keys over that context's: the twin of
// ConfigLoader._context_from_use.
func (l *configLoader) contextFromUse(sr *sectionRead, at site) (*Context, error) {
	use, _ := sr.local.pop("use")
	ctx, err := l.getContext(sr.kind, use.value, sr.global, at.at(use, "use", sr.typ))
	if err != nil {
		return nil, err
	}
	where := l.where(sr.s.line)
	if ctx.global, err = l.r.with(ctx.global, where, sr.additions...); err != nil {
		return nil, err
	}
	if file, ok := sr.global.values["__file__"]; ok { // use sections keep the user's __file__
		if ctx.global, err = l.r.with(ctx.global, where, file); err != nil {
			return nil, err
		}
	}
	for _, s := range sr.local.list {
		ctx.local.set(s)
	}
	ctx.loader = l
	if ctx.protocol == "" {
		ctx.protocol = sectionProtocol(sr.typ)
		ctx.twin = l.r.registry.find(protocolKinds[ctx.protocol], ctx.factory)
	}
	return ctx, nil
}

// contextFromExplicit resolves a section that names its factory by a
// protocol key: the twin of ConfigLoader._context_from_explicit.
func (l *configLoader) contextFromExplicit(sr *sectionRead) (*Context, error) {
	var found []setting
	for _, group := range protocols[sr.kind] {
		for _, protocol := range group {
			if v, ok := sr.local.get(protocol); ok {
				found = append(found, v)
				break
			}
		}
	}
	header := sr.s.header
	switch {
	case len(found) > 1:
		return nil, errorAt(found[1].where, "[%s] names its factory twice: %s and %s", header, found[0].key, found[1].key)
	case len(found) == 0:
		want := canonicalProtocol(sr.kind, sr.typ)
		for _, other := range sr.local.list {
			if kind, ok := protocolKinds[other.key]; ok {
				return nil, errorAt(other.where, "[%s] has %s, which names a %s factory: it needs %s = module:object", header, other.key, kind, want)
			}
		}
		return nil, errorAt(l.where(sr.s.line), "[%s] names no factory: add use = egg:...#name or %s = module:object", header, want)
	}
	protocol := found[0]
	sr.local.pop(protocol.key)
	ref, ok := entryPointRef(protocol.value)
	if !ok {
		return nil, errorAt(protocol.where, "%s: want module:object, a Python module and an object in it", protocol.key)
	}
	ctx := l.r.newContext(sr.kind)
	ctx.protocol, ctx.factory, ctx.factoryAt, ctx.secret = protocol.key, ref, protocol.where, protocol.secret
	ctx.local, ctx.global, ctx.loader = sr.local, sr.global, l
	ctx.label, ctx.where = sr.s.header, l.where(sr.s.line)
	ctx.twin = l.r.registry.find(protocolKinds[protocol.key], ref)
	return ctx, nil
}

// filterAppContext resolves a [filter-app:] section, a filter around the
// app its next names: the twin of ConfigLoader._filter_app_context.
func (l *configLoader) filterAppContext(sr *sectionRead, at site) (*Context, error) {
	next, ok := sr.local.pop("next")
	if !ok {
		return nil, errorAt(l.where(sr.s.line), "[%s] needs next = the app it filters", sr.s.header)
	}
	ctx := l.r.newContext(FilterApp)
	ctx.global, ctx.loader = sr.global, l
	var err error
	if ctx.next, err = l.getContext(App, next.value, sr.global, at.at(next, "next", "")); err != nil {
		return nil, err
	}
	// Its filter: this section, less next, read as a [filter:] section.
	filter := *sr
	filter.kind = Filter
	if _, use := sr.local.index["use"]; use {
		ctx.filter, err = l.contextFromUse(&filter, at)
	} else {
		ctx.filter, err = l.contextFromExplicit(&filter)
	}
	if err != nil {
		return nil, err
	}
	sr.local, ctx.local = filter.local, filter.local // one dict, in Paste
	return ctx, nil
}

// pipelineContext resolves a [pipeline:] section: the app its pipeline
// key names last, and the filters before it, the first outermost: the
// twin of ConfigLoader._pipeline_app_context.
func (l *configLoader) pipelineContext(sr *sectionRead, at site) (*Context, error) {
	header := sr.s.header
	p, ok := sr.local.pop("pipeline")
	if !ok {
		return nil, errorAt(l.where(sr.s.line), "[%s] needs pipeline = filter ... app", header)
	}
	if len(sr.local.list) > 0 {
		return nil, errorAt(sr.local.list[0].where, "[%s] takes only pipeline = ... and set keys, not %q", header, sr.local.list[0].key)
	}
	names := strings.FieldsFunc(p.value, isPySpace)
	if len(names) == 0 {
		return nil, errorAt(p.where, "[%s] needs pipeline = filter ... app: it is empty", header)
	}
	ctx := l.r.newContext(Pipeline)
	ctx.global, ctx.loader = sr.global, l
	last := setting{value: names[len(names)-1], where: p.where, secret: p.secret}
	var err error
	if ctx.app, err = l.getContext(App, last.value, sr.global, at.at(last, "pipeline ends with", "")); err != nil {
		return nil, err
	}
	for _, name := range names[:len(names)-1] {
		named := setting{value: name, where: p.where, secret: p.secret}
		f, err := l.getContext(Filter, name, sr.global, at.at(named, "pipeline names", "filter"))
		if err != nil {
			return nil, err
		}
		ctx.filters = append(ctx.filters, f)
	}
	return ctx, nil
}

// newContext makes a context of kind, and counts it.
func (r *resolver) newContext(kind Kind) *Context {
	r.contexts++
	return &Context{kind: kind, local: &localConf{}}
}

// tooMany is an error once the tree has grown past maxContexts.
func (r *resolver) tooMany(where position) error {
	if r.contexts > maxContexts {
		return errorAt(where, "the config resolves to more than %d contexts: do sections name each other through many paths?", maxContexts)
	}
	return nil
}

// spend counts settings and bytes %(...)s made; past a limit, it errs at where.
func (r *resolver) spend(settings, bytes int, where position) error {
	r.settings += settings
	r.interpolated += bytes
	switch {
	case r.settings > maxSettings:
		return errorAt(where, "the config makes more than %d settings, the most one load may (a section counts once for each context it is read for): do sections name each other through many paths?", maxSettings)
	case r.interpolated > maxInterpolated:
		return errorAt(where, "%%(...)s makes more than %d MiB of values, the most one load may: do keys name each other many times over?", maxInterpolated>>20)
	}
	return nil
}

// madeBytes is the bytes %(...)s made value of: none if raw has no %.
func madeBytes(raw, value string) int {
	if !strings.Contains(raw, "%") {
		return 0
	}
	return len(value)
}

// with returns g with adds set, copying g, and spending the copy's
// settings, only if they change it: a global conf is never changed.
func (r *resolver) with(g *globalConf, where position, adds ...setting) (*globalConf, error) {
	if !slices.ContainsFunc(adds, func(s setting) bool {
		old, ok := g.values[s.key]
		return !ok || old.value != s.value || old.secret != s.secret
	}) {
		return g, nil
	}
	changed := &globalConf{maps.Clone(g.values), g.of}
	for _, s := range adds {
		changed.values[s.key] = s
	}
	return changed, r.spend(len(changed.values), 0, where)
}

// push notes that s is being resolved, or returns the reference cycle if
// it is already. Paste Deploy recurses until Python's recursion limit.
func (r *resolver) push(s *section, where position) error {
	if s.resolving {
		var headers []string
		for _, on := range append(r.stack[slices.Index(r.stack, s):], s) {
			headers = append(headers, on.header)
		}
		return errorAt(where, "reference cycle: %s", strings.Join(headers, " -> "))
	}
	s.resolving = true
	r.stack = append(r.stack, s)
	return nil
}

func (r *resolver) pop(s *section) {
	s.resolving = false
	r.stack = r.stack[:len(r.stack)-1]
}
