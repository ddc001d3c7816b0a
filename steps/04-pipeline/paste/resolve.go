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
// local and global conf. It follows loadwsgi.py function by function; each
// function's comment names its twin there. It reads files, and never calls
// a factory.

// maxContexts bounds the tree, so a config whose sections name each
// other through many paths cannot grow it exponentially, as it would in
// Paste Deploy.
const maxContexts = 1 << 18

// A load's budget bounds what resolving makes, in all, however a config's
// sections and values name each other, so that a config of a few KiB
// cannot make a load, or a SIGHUP reload inside the serving process,
// take gigabytes. Paste Deploy has none. An OpenStack api-paste.ini makes
// under a hundred settings and a few hundred bytes of values; the largest
// the benchmarks load, 200,000 settings and 3.4 MB.
const (
	// maxSettings bounds the settings made: the options read for every
	// context, as a section is read once for each that names it, and the
	// entries of each global conf copied to change it.
	maxSettings = 1 << 20

	// maxInterpolated bounds the bytes of the values %(...)s makes, in
	// every section read and every file's [DEFAULT]: four times the
	// largest config file, however its values name each other.
	maxInterpolated = 4 * maxConfigSize
)

// resolver resolves names in config files: it holds the files read so far
// and what the registry twins.
type resolver struct {
	registry     *Registry
	readFile     func(path string) ([]byte, error)
	files        map[string]*iniFile     // by absolute path: each file is parsed once
	stack        []*section              // the sections being resolved, in order
	contexts     int                     // contexts made so far
	settings     int                     // settings made so far: see maxSettings
	interpolated int                     // bytes of values %(...)s made so far: see maxInterpolated
	eggRefs      map[[2]string][2]string // see eggRef
}

// Load resolves the app, pipeline or composite called name in the config
// file at path into a tree of contexts, with the entry points of reg:
// Paste Deploy's loadcontext(APP, "config:"+path, name), and then what
// each composite's factory would load. It reads files, and calls no
// factory.
func Load(path, name string, reg *Registry) (*Context, error) {
	r := &resolver{registry: reg, readFile: readConfigFile}
	return r.resolve(path, name)
}

// resolve is resolveConfig for r.
func (r *resolver) resolve(path, name string) (*Context, error) {
	l, err := r.openLoader(path, nil, position{path, 0})
	if err != nil {
		return nil, err
	}
	ctx, err := l.getContext(appType, name, nil, site{where: position{path, 0}, key: "-name", name: name})
	if err != nil {
		return nil, err
	}
	return ctx, r.expand(ctx)
}

// site is where a name came from: the option that gave it, for errors.
type site struct {
	where  position // FILE:LINE, or FILE for -name
	key    string   // the option: "use", "-name", "pipeline names", "pipeline ends with"
	name   string   // what it names
	in     string   // the file a config: URI named, when name is looked up there
	usedBy string   // the type of the section whose use this is, to guess an unknown egg's protocol
	secret bool     // name took in a secret by %(...)s: no message shows it
}

// what is the site as errors quote it: "use = base", "pipeline names
// \"auth\"", "-name main".
func (at site) what() string {
	var what string
	switch {
	case at.key == "-name":
		what = "-name " + at.name
	case at.key == "pipeline names" || at.key == "pipeline ends with":
		what = fmt.Sprintf("%s %q", at.key, at.name)
		if at.secret {
			what = at.key + " " + hidden
		}
	default:
		what = at.key + " = " + shownName(at.name, at.secret)
	}
	if at.in != "" {
		what += ": in " + at.in
	}
	return what
}

// hide is err, unless the site's name took in a secret and err is at the
// site's FILE:LINE: then an error that says only that the name was
// refused, as the reason may quote the name, whole or in part.
func (at site) hide(err error) error {
	var ce *configError
	if !at.secret || !errors.As(err, &ce) || ce.path != at.where.path || ce.line != at.where.line {
		return err
	}
	return errorAt(at.where, "%s: refused, for a reason not shown: it would show the name, which took in a secret by %%(...)s", at.what())
}

// configLoader reads the sections of one file: the Go twin of Paste
// Deploy's ConfigLoader. Its defaults are the file's [DEFAULT], with
// %(here)s and %(__file__)s, and the global conf a config: URI passed in.
type configLoader struct {
	r        *resolver
	file     *iniFile
	abs      string             // the file's absolute path
	from     position           // what named the file: -config, or a config: URI
	defaults []*option          // raw, in order
	byKey    map[string]*option // the same, by key
	setGet   []*option          // the defaults whose keys start with "set " or "get "
	passed   map[string]bool    // the defaults a config: URI passed in secret
	global   *globalConf        // the defaults interpolated, made at first use
	err      error              // the error making global gave
}

// openLoader reads and parses the file at path, once per file, and returns
// a loader for it: the twin of ConfigLoader.__init__ and update_defaults.
// callerGlobal is the global conf of the section whose config: URI named
// the file, at from: its keys become defaults here, unless the file sets
// them, and a secret there stays one here.
func (r *resolver) openLoader(path string, callerGlobal *globalConf, from position) (*configLoader, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if r.files == nil {
		r.files = map[string]*iniFile{}
	}
	f, ok := r.files[abs]
	if !ok {
		data, err := r.readFile(path)
		if err != nil {
			return nil, err
		}
		if f, err = parseINI(path, data); err != nil {
			return nil, err
		}
		r.files[abs] = f
	}
	l := &configLoader{r: r, file: f, abs: abs, from: from, byKey: map[string]*option{}}
	add := func(o *option) {
		if prev, ok := l.byKey[o.key]; ok {
			*prev = *o // a later default replaces an earlier one, in its place
			return
		}
		o = &option{o.key, o.value, o.line}
		l.byKey[o.key] = o
		l.defaults = append(l.defaults, o)
	}
	add(&option{key: "here", value: filepath.Dir(abs)})
	add(&option{key: "__file__", value: abs})
	for _, o := range f.defaults.options {
		add(o)
	}
	if callerGlobal != nil {
		for _, key := range slices.Sorted(maps.Keys(callerGlobal.values)) {
			if _, ok := l.byKey[key]; !ok {
				s := callerGlobal.values[key]
				add(&option{key: key, value: s.value})
				if s.secret {
					if l.passed == nil {
						l.passed = map[string]bool{}
					}
					l.passed[key] = true
				}
			}
		}
	}
	for _, o := range l.defaults {
		if strings.HasPrefix(o.key, "set ") || strings.HasPrefix(o.key, "get ") {
			l.setGet = append(l.setGet, o)
		}
	}
	return l, nil
}

// where is a line of l's file.
func (l *configLoader) where(line int) position {
	return position{l.file.path, line}
}

// defaultsConf returns the defaults, each interpolated with the others:
// the twin of NicerConfigParser.defaults(). As there, a value that comes
// out empty keeps its raw text.
func (l *configLoader) defaultsConf() (*globalConf, error) {
	if l.global != nil || l.err != nil {
		return l.global, l.err
	}
	values := make(map[string]setting, len(l.defaults))
	for _, o := range l.defaults {
		v, usedSecret, err := interpolate(o.key, o.value, l.passed[o.key], l.lookupDefault)
		switch {
		case err != nil && o.line == 0: // here, __file__, or a global passed in
			l.err = errorAt(l.from, "in %s, [DEFAULT] %v", l.file.path, err)
		case err != nil:
			l.err = errorAt(l.where(o.line), "[DEFAULT] %v", err)
		case o.line == 0:
			l.err = l.r.spend(1, madeBytes(o.value, v), l.from)
		default:
			l.err = l.r.spend(1, madeBytes(o.value, v), l.where(o.line))
		}
		if l.err != nil {
			return nil, l.err
		}
		if v == "" {
			v = o.value
		}
		secret := usedSecret || looksSecret(o.key) || l.passed[o.key]
		values[o.key] = setting{key: o.key, value: v, where: l.where(o.line), secret: secret, tookSecret: usedSecret || l.passed[o.key]}
	}
	l.global = &globalConf{values, l}
	return l.global, nil
}

// value returns o, an option of s or a default, interpolated with s's
// options and the defaults: the twin of parser.get(section, key).
func (l *configLoader) value(s *section, o *option) (setting, error) {
	key := o.key
	lookup := func(name string) (value string, secret, ok bool) {
		if o, ok := s.option(name); ok {
			return o.value, false, true
		}
		return l.lookupDefault(name)
	}
	// o may be a set or get key of [DEFAULT], which every section reads:
	// secret if a config: URI passed that default in secret.
	passed := l.byKey[key] == o && l.passed[key]
	v, usedSecret, err := interpolate(key, o.value, passed, lookup)
	if err != nil {
		return setting{}, errorAt(l.where(o.line), "[%s] %v", s.header, err)
	}
	if err := l.r.spend(0, madeBytes(o.value, v), l.where(o.line)); err != nil {
		return setting{}, err
	}
	return setting{key: key, value: v, where: l.where(o.line), secret: usedSecret || looksSecret(key) || passed, tookSecret: usedSecret || passed}, nil
}

// lookupDefault returns the raw value of the default called name, for
// interpolate, and whether it is secret whatever its name: one a config:
// URI passed in secret, its %(...)s expanded in the caller's file, where
// that was known.
func (l *configLoader) lookupDefault(name string) (value string, secret, ok bool) {
	o, ok := l.byKey[name]
	if !ok {
		return "", false, false
	}
	return o.value, l.passed[name], true
}

// sectionsFor returns the sections that define name as t: in each group
// of section types, those of the first type that has any.
func (l *configLoader) sectionsFor(t *objectType, name string) []*section {
	var found []*section
	for _, group := range t.prefixes {
		for _, prefix := range group {
			if more := l.file.appendSections(found, prefix, name); len(more) > len(found) {
				found = more
				break
			}
		}
	}
	return found
}

// findSection returns the one section that defines name as t: the twin of
// ConfigLoader.find_config_section. Section types are case-sensitive.
func (l *configLoader) findSection(t *objectType, name string, at site) (*section, error) {
	found := l.sectionsFor(t, name)
	switch {
	case len(found) > 1:
		var headers []string
		for _, s := range found {
			headers = append(headers, fmt.Sprintf("[%s] (line %d)", s.header, s.line))
		}
		return nil, errorAt(at.where, "%s: %s define it, and Paste Deploy refuses to choose", at.what(), strings.Join(headers, " and "))
	case len(found) == 0:
		return nil, errorAt(at.where, "%s: %s%s", at.what(), missingSectionsText(t, name), l.nearMiss(name))
	}
	return found[0], nil
}

// missingSectionsText says which sections would define name as t, for
// the error that finds none: "no [filter:auth]".
func missingSectionsText(t *objectType, name string) string {
	if t == filterType {
		return fmt.Sprintf("no [filter:%s]", name)
	}
	return fmt.Sprintf("no [app:%s], [pipeline:%s], [composite:%s] or [filter-app:%s]", name, name, name, name)
}

// nearMiss names a section with name that findSection did not take, as a
// hint: one of another kind, or of a type spelled in another case.
func (l *configLoader) nearMiss(name string) string {
	s := l.file.byName[name] // the first in the file, if any
	if s == nil {
		return ""
	}
	typ, _, _ := sectionName(s.header)
	switch {
	case !sectionTypes[typ] && sectionTypes[strings.ToLower(typ)]:
		return fmt.Sprintf(" (there is a [%s]: section types are case-sensitive)", s.header)
	case typ == "filter":
		return fmt.Sprintf(" (there is a [%s], but a filter is not an app)", s.header)
	case sectionTypes[typ]:
		return fmt.Sprintf(" (there is a [%s], but it is an app, not a filter)", s.header)
	}
	return fmt.Sprintf(" (there is a [%s], which Paste Deploy does not load)", s.header)
}

// sectionTypes are the section types Paste Deploy reads.
var sectionTypes = map[string]bool{
	"app": true, "application": true, "composite": true, "composit": true,
	"pipeline": true, "filter-app": true, "filter": true,
}

// sectionRead is a section as get_context reads it before it looks for
// its factory: its local conf, and its global conf with its set keys.
type sectionRead struct {
	t             *objectType
	s             *section
	typ           string // its type: "app", "pipeline", ...
	local         localConf
	global        *globalConf
	additions     []setting // its set keys
	ignored       []setting // its keys that Paste skips, as [DEFAULT] sets them
	filterWith    setting
	hasFilterWith bool
	require       setting
}

// getContext resolves name, a section of l's file or a URI, into a context
// of type t, with global the global conf of the section that named it
// (nil at the top): the twin of ConfigLoader.get_context.
//
// Paste Deploy follows use = othersection by recursion: get_context calls
// _context_from_use, which calls get_context for the other section. Here
// a loop follows such a chain down, reading each section, and then back
// up, doing what each level does when the call below it returns, so that
// a long chain needs no deep stack.
func (l *configLoader) getContext(t *objectType, name string, global *globalConf, at site) (*Context, error) {
	if isURI(name) {
		ctx, err := l.r.loadContext(t, name, filepath.Dir(l.file.path), global, at)
		return ctx, at.hide(err)
	}
	var chain []*sectionRead
	active := 0 // the sections of chain being resolved
	defer func() {
		for ; active > 0; active-- {
			l.r.pop(chain[active-1].s)
		}
	}()
	for {
		sr, err := l.readSection(t, name, global, at)
		if err != nil {
			return nil, at.hide(err)
		}
		chain, active = append(chain, sr), active+1
		use, ok := sr.local.get("use")
		if !ok || sr.typ == "filter-app" || sr.typ == "pipeline" || isURI(use.value) {
			break
		}
		name, global = use.value, sr.global
		at = site{where: use.where, key: "use", name: use.value, usedBy: sr.typ, secret: use.tookSecret}
	}

	// The last section names its factory, or is a pipeline or a filter-app.
	last := chain[len(chain)-1]
	var ctx *Context
	var remaining localConf // its local conf less the keys the branch reads
	var err error
	switch {
	case last.typ == "filter-app":
		if ctx, err = l.filterAppContext(last); err == nil {
			remaining = ctx.local
		}
	case last.typ == "pipeline":
		ctx, err = l.pipelineContext(last)
	case hasKey(last.local, "use"):
		remaining = withoutUse(last.local)
		ctx, err = l.contextFromUse(last, remaining)
	default:
		if ctx, err = l.contextFromExplicit(last); err == nil {
			remaining = ctx.local
		}
	}
	if err != nil {
		return nil, err
	}
	// Back up the chain: each section gets the context of the one it uses.
	for i := len(chain) - 1; i >= 0; i-- {
		sr := chain[i]
		if i < len(chain)-1 {
			remaining = withoutUse(sr.local)
			if err := l.useContext(sr, ctx, remaining); err != nil {
				return nil, err
			}
		}
		if ctx, err = l.finishContext(sr, ctx, remaining); err != nil {
			return nil, err
		}
		active--
		l.r.pop(sr.s)
	}
	return ctx, nil
}

// readSection finds the section called name, notes that it is being
// resolved, and reads its options: the first half of
// ConfigLoader.get_context, up to the lookup of its factory.
func (l *configLoader) readSection(t *objectType, name string, global *globalConf, at site) (*sectionRead, error) {
	s, err := l.findSection(t, name, at)
	if err != nil {
		return nil, err
	}
	if err := l.r.push(s, l.where(s.line)); err != nil {
		return nil, err
	}
	defaults, err := l.defaultsConf()
	if err != nil {
		l.r.pop(s)
		return nil, err
	}
	switch {
	case global == nil:
		global = defaults
	case global.of != l: // the global conf of a section in another file
		global = mergeGlobals(defaults, global, l)
		if err := l.r.spend(len(global.values), 0, l.where(s.line)); err != nil {
			l.r.pop(s)
			return nil, err
		}
	}
	typ, _, _ := sectionName(s.header)
	sr := &sectionRead{t: t, s: s, typ: typ, local: localConf{list: make([]setting, 0, len(s.options))}}

	// Sort the options: set and get keys, the local conf, and the keys
	// Paste skips because [DEFAULT] sets them. A set or get key of
	// [DEFAULT] is every section's.
	options := slices.Clip(s.options) // so appending leaves s as it is
	for _, o := range l.setGet {
		if _, own := s.option(o.key); !own {
			options = append(options, o)
		}
	}
	if err := l.r.spend(len(options), 0, l.where(s.line)); err != nil {
		l.r.pop(s)
		return nil, err
	}
	var gets []setting
	for _, o := range options {
		if l.byKey[o.key] != nil && !strings.HasPrefix(o.key, "set ") && !strings.HasPrefix(o.key, "get ") {
			sr.ignored = append(sr.ignored, setting{key: o.key, value: o.value, where: l.where(o.line), secret: looksSecret(o.key)})
			continue
		}
		v, err := l.value(s, o)
		if err != nil {
			l.r.pop(s)
			return nil, err
		}
		switch {
		case strings.HasPrefix(o.key, "set "):
			v.key = strings.TrimFunc(o.key[4:], isPySpace)
			v.secret = v.secret || looksSecret(v.key)
			sr.additions = append(sr.additions, v)
		case strings.HasPrefix(o.key, "get "):
			v.key = strings.TrimFunc(o.key[4:], isPySpace)
			gets = append(gets, v)
		default:
			sr.local.set(v)
		}
	}
	if global, err = l.r.with(global, l.where(s.line), sr.additions...); err != nil {
		l.r.pop(s)
		return nil, err
	}
	for _, g := range gets {
		v, ok := global.values[g.value]
		if !ok {
			l.r.pop(s)
			name := shownName(g.value, g.tookSecret)
			return nil, errorAt(g.where, "[%s] get %s = %s: the global conf has no %s", s.header, g.key, name, name)
		}
		sr.local.set(setting{key: g.key, value: v.value, where: g.where, secret: v.secret || looksSecret(g.key), tookSecret: v.tookSecret,
			via: "get " + shownName(g.value, g.tookSecret)})
	}
	sr.global = global
	if t == appType || t == filterType {
		sr.filterWith, sr.hasFilterWith = sr.local.pop("filter-with")
	}
	sr.require, _ = sr.local.pop("require")
	return sr, nil
}

// finishContext gives ctx, the context of sr's section, its place, and
// wraps it in sr's filter-with: the last part of ConfigLoader.get_context.
// remaining is sr's local conf less the keys its factory took.
func (l *configLoader) finishContext(sr *sectionRead, ctx *Context, remaining localConf) (*Context, error) {
	label, where := sr.s.header, l.where(sr.s.line)
	ctx.label, ctx.where = label, where
	if sr.hasFilterWith {
		wrapped := ctx
		ctx = l.r.newContext(filterWithType)
		ctx.global, ctx.local, ctx.loader = sr.global, remaining, l
		ctx.next = wrapped
		var err error
		ctx.filter, err = l.getContext(filterType, sr.filterWith.value, sr.global,
			site{where: sr.filterWith.where, key: "filter-with", name: sr.filterWith.value, usedBy: "filter", secret: sr.filterWith.tookSecret})
		if err != nil {
			return nil, err
		}
	}
	ctx.section, ctx.from, ctx.file, ctx.label, ctx.where = sr.s.header, sr.s, l.abs, label, where
	ctx.ignored = append(ctx.ignored, sr.ignored...)
	if sr.require.value != "" {
		ctx.require = sr.require
	}
	return ctx, l.r.tooMany(ctx.where)
}

// mergeGlobals returns defaults updated with global, as get_context makes
// the global conf: the caller's globals win over the file's defaults.
func mergeGlobals(defaults, global *globalConf, l *configLoader) *globalConf {
	values := make(map[string]setting, len(defaults.values)+len(global.values))
	for k, v := range defaults.values {
		values[k] = v
	}
	for k, v := range global.values {
		values[k] = v
	}
	return &globalConf{values, l}
}

// hasKey reports whether the local conf has key.
func hasKey(c localConf, key string) bool {
	_, ok := c.get(key)
	return ok
}

// withoutUse is c less its use key.
func withoutUse(c localConf) localConf {
	c.pop("use")
	return c
}

// contextFromUse resolves use = name, where name is a URI: the first half
// of ConfigLoader._context_from_use (getContext follows a use of another
// section itself).
func (l *configLoader) contextFromUse(sr *sectionRead, remaining localConf) (*Context, error) {
	use, _ := sr.local.get("use")
	ctx, err := l.getContext(sr.t, use.value, sr.global, site{where: use.where, key: "use", name: use.value, usedBy: sr.typ, secret: use.tookSecret})
	if err != nil {
		return nil, err
	}
	return ctx, l.useContext(sr, ctx, remaining)
}

// useContext makes ctx, the context of what sr's section uses, the
// section's own: its local conf (less use: remaining) over ctx's, its set
// keys over ctx's global conf, and a protocol from its type if ctx has
// none: the second half of ConfigLoader._context_from_use.
func (l *configLoader) useContext(sr *sectionRead, ctx *Context, remaining localConf) error {
	where := l.where(sr.s.line)
	var err error
	if ctx.global, err = l.r.with(ctx.global, where, sr.additions...); err != nil {
		return err
	}
	if file, ok := sr.global.values["__file__"]; ok {
		// use sections keep the user's __file__
		if ctx.global, err = l.r.with(ctx.global, where, file); err != nil {
			return err
		}
	}
	ctx.local.update(remaining)
	ctx.loader = l
	if ctx.protocol == "" {
		switch sr.typ {
		case "app", "application":
			ctx.protocol = "paste.app_factory"
		case "composite", "composit":
			ctx.protocol = "paste.composit_factory"
		default:
			ctx.protocol = "paste." + sr.typ + "_factory"
		}
		ctx.twin = l.r.registry.find(protocolKinds[ctx.protocol], ctx.factory)
	}
	return nil
}

// contextFromExplicit resolves a section that names its factory with a
// protocol key, such as paste.filter_factory = module:object: the twin of
// ConfigLoader._context_from_explicit.
func (l *configLoader) contextFromExplicit(sr *sectionRead) (*Context, error) {
	t, s, local, global := sr.t, sr.s, sr.local, sr.global
	var found []setting
	for _, group := range t.protocols {
		for _, protocol := range group {
			if v, ok := local.get(protocol); ok {
				found = append(found, v)
				break
			}
		}
	}
	if len(found) > 1 {
		return nil, errorAt(found[1].where, "[%s] names its factory twice: %s and %s", s.header, found[0].key, found[1].key)
	}
	if len(found) == 0 {
		want := "paste.filter_factory"
		if typ, _, _ := sectionName(s.header); t == appType {
			want = map[string]string{"composite": "paste.composite_factory", "composit": "paste.composite_factory"}[typ]
			if want == "" {
				want = "paste.app_factory"
			}
		}
		for _, other := range local.list {
			if kind, ok := protocolKinds[other.key]; ok {
				return nil, errorAt(other.where, "[%s] has %s, which names a %s factory: it needs %s = module:object", s.header, other.key, kind, want)
			}
		}
		return nil, errorAt(l.where(s.line), "[%s] names no factory: add use = egg:...#name or %s = module:object", s.header, want)
	}
	protocol := found[0]
	local.pop(protocol.key)
	ref, err := entryPointRef(protocol.value)
	if err != nil {
		return nil, errorAt(protocol.where, "%s = %s: %v", protocol.key, shownName(protocol.value, protocol.tookSecret), err)
	}
	ctx := l.r.newContext(t)
	ctx.protocol, ctx.factory, ctx.factoryAt = protocol.key, ref, protocol.where
	ctx.hideFactory = protocol.tookSecret
	ctx.local, ctx.global, ctx.loader = local, global, l
	ctx.twin = l.r.registry.find(protocolKinds[protocol.key], ref)
	ctx.label, ctx.where = s.header, l.where(s.line)
	return ctx, nil
}

// filterAppContext resolves a [filter-app:] section: a filter, named as in
// a [filter:] section, around the app its next key names: the twin of
// ConfigLoader._filter_app_context.
func (l *configLoader) filterAppContext(sr *sectionRead) (*Context, error) {
	s, local, global := sr.s, sr.local, sr.global
	next, ok := local.pop("next")
	if !ok {
		return nil, errorAt(l.where(s.line), "[%s] needs next = the app it filters", s.header)
	}
	ctx := l.r.newContext(filterAppType)
	ctx.global, ctx.loader = global, l
	var err error
	ctx.next, err = l.getContext(appType, next.value, global, site{where: next.where, key: "next", name: next.value, secret: next.tookSecret})
	if err != nil {
		return nil, err
	}
	// Its filter: this section, less next, read as a [filter:] section.
	filter := *sr
	filter.t, filter.local = filterType, local
	if hasKey(local, "use") {
		ctx.local = withoutUse(local)
		ctx.filter, err = l.contextFromUse(&filter, ctx.local)
	} else {
		ctx.filter, err = l.contextFromExplicit(&filter)
		if err == nil {
			ctx.local = ctx.filter.local // one dict, in Paste
		}
	}
	if err != nil {
		return nil, err
	}
	return ctx, nil
}

// pipelineContext resolves a [pipeline:] section: the app its pipeline
// key names last, and the filters before it, the first outermost: the
// twin of ConfigLoader._pipeline_app_context.
func (l *configLoader) pipelineContext(sr *sectionRead) (*Context, error) {
	s, local, global := sr.s, sr.local, sr.global
	p, ok := local.pop("pipeline")
	if !ok {
		return nil, errorAt(l.where(s.line), "[%s] needs pipeline = filter ... app", s.header)
	}
	if len(local.list) > 0 {
		extra := local.list[0]
		return nil, errorAt(extra.where, "[%s] takes only pipeline = ... and set keys, not %q", s.header, extra.key)
	}
	names := strings.FieldsFunc(p.value, isPySpace)
	if len(names) == 0 {
		return nil, errorAt(p.where, "[%s] needs pipeline = filter ... app: it is empty", s.header)
	}
	ctx := l.r.newContext(pipelineType)
	ctx.global, ctx.loader = global, l
	last := names[len(names)-1]
	var err error
	ctx.app, err = l.getContext(appType, last, global, site{where: p.where, key: "pipeline ends with", name: last, secret: p.tookSecret})
	if err != nil {
		return nil, err
	}
	for _, name := range names[:len(names)-1] {
		f, err := l.getContext(filterType, name, global, site{where: p.where, key: "pipeline names", name: name, usedBy: "filter", secret: p.tookSecret})
		if err != nil {
			return nil, err
		}
		ctx.filters = append(ctx.filters, f)
	}
	return ctx, nil
}

// newContext makes a context of type t, and counts it.
func (r *resolver) newContext(t *objectType) *Context {
	r.contexts++
	return &Context{objectType: t}
}

// tooMany is an error at where once the tree has grown past maxContexts.
func (r *resolver) tooMany(where position) error {
	if r.contexts > maxContexts {
		return errorAt(where, "the config resolves to more than %d contexts: do sections name each other through many paths?", maxContexts)
	}
	return nil
}

// spend counts settings made, and bytes of values %(...)s made, for the
// config at where: past the load's budget, it is an error there.
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

// madeBytes is the bytes %(...)s made in making value from raw: none if
// raw has no %, as value is then raw itself.
func madeBytes(raw, value string) int {
	if !strings.Contains(raw, "%") {
		return 0
	}
	return len(value)
}

// with returns g with the settings of adds, spending the settings of the
// copy if it makes one.
func (r *resolver) with(g *globalConf, where position, adds ...setting) (*globalConf, error) {
	changed := g.with(adds...)
	if changed == g {
		return g, nil
	}
	return changed, r.spend(len(changed.values), 0, where)
}

// push notes that s is being resolved, or returns the reference cycle
// if it is already, at where, its FILE:LINE. Paste Deploy has no such
// check: it recurses until Python's recursion limit stops it.
func (r *resolver) push(s *section, where position) error {
	if s.resolving {
		i := slices.Index(r.stack, s)
		var labels []string
		for _, on := range append(r.stack[i:], s) {
			labels = append(labels, on.header)
		}
		return errorAt(where, "reference cycle: %s", strings.Join(labels, " -> "))
	}
	s.resolving = true
	r.stack = append(r.stack, s)
	return nil
}

// pop notes that s is resolved.
func (r *resolver) pop(s *section) {
	s.resolving = false
	r.stack = r.stack[:len(r.stack)-1]
}
