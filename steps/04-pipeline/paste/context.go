package paste

import "slices"

// The resolved tree's nodes, contexts, and what they hold: the Go twins of
// Paste Deploy's object types, LoaderContext, local_conf and global_conf.

// objectType is what a context makes: the Go twin of Paste Deploy's
// _ObjectType instances, APP and FILTER, and the virtual PIPELINE,
// FILTER_APP and FILTER_WITH.
type objectType struct {
	name      string     // as Paste names it: "application", "filter", "pipeline", ...
	protocols [][]string // the keys that name its factory, by group; one per group is read
	prefixes  [][]string // the section types that define it, by group; the first found in a group wins
}

// The object types: what an app section and a filter section make, and
// the three kinds of context that only contain others.
var (
	appType = &objectType{"application",
		[][]string{{"paste.app_factory"}, {"paste.composite_factory"}, {"paste.composit_factory"}},
		[][]string{{"app", "application"}, {"composite", "composit"}, {"pipeline"}, {"filter-app"}}}
	filterType = &objectType{"filter",
		[][]string{{"paste.filter_factory", "paste.filter_app_factory"}},
		[][]string{{"filter"}}}
	pipelineType   = &objectType{name: "pipeline"}
	filterAppType  = &objectType{name: "filter_app"}
	filterWithType = &objectType{name: "filtered_with"}
)

// protocolKinds maps each protocol to the kind of Go factory that twins
// it.
var protocolKinds = map[string]string{
	"paste.app_factory":        "app",
	"paste.composite_factory":  "composite",
	"paste.composit_factory":   "composite",
	"paste.filter_factory":     "filter",
	"paste.filter_app_factory": "filter",
}

// setting is one option as a factory receives it: the value after
// %(...)s, where it was set, and whether it is secret.
type setting struct {
	key, value string
	where      position // where it was set; the zero position if no file line set it
	secret     bool     // its name looks secret, or it took in a secret
	tookSecret bool     // its value took in a secret by %(...)s, or a config: URI passed it in secret
	via        string   // "get NAME" when get copied it from the global conf
}

// localConf is a section's own options, in order: the Go twin of a
// LoaderContext's local_conf.
type localConf struct {
	list  []setting
	index map[string]int // key -> position in list, once list is long
}

// set sets s.key, in its old place if it had one, as a Python dict does.
func (c *localConf) set(s setting) {
	if i, ok := c.find(s.key); ok {
		c.list[i] = s
		return
	}
	c.list = append(c.list, s)
	switch {
	case c.index != nil:
		c.index[s.key] = len(c.list) - 1
	case len(c.list) >= indexFrom:
		c.index = map[string]int{}
		for i, s := range c.list {
			c.index[s.key] = i
		}
	}
}

// find returns where key is in the list.
func (c *localConf) find(key string) (int, bool) {
	if c.index != nil {
		i, ok := c.index[key]
		return i, ok
	}
	for i, s := range c.list {
		if s.key == key {
			return i, true
		}
	}
	return 0, false
}

// get returns the setting for key.
func (c *localConf) get(key string) (setting, bool) {
	i, ok := c.find(key)
	if !ok {
		return setting{}, false
	}
	return c.list[i], true
}

// pop removes key and returns its setting.
func (c *localConf) pop(key string) (setting, bool) {
	i, ok := c.find(key)
	if !ok {
		return setting{}, false
	}
	// A new list, for other localConfs may share this one.
	s := c.list[i]
	c.list = slices.Delete(slices.Clone(c.list), i, i+1)
	if c.index != nil {
		c.index = map[string]int{}
		for i, s := range c.list {
			c.index[s.key] = i
		}
	}
	return s, true
}

// update sets every setting of other, as dict.update does.
func (c *localConf) update(other localConf) {
	for _, s := range other.list {
		c.set(s)
	}
}

// globalConf is the global conf a context gets: [DEFAULT], and the set
// keys of the sections above it. One globalConf is shared by every
// context that has the same, and never changed: a change makes a copy.
type globalConf struct {
	values map[string]setting
	of     *configLoader // it holds all of this loader's defaults; nil if none
}

// lookup returns key's setting, if g has it; a nil g has none.
func (g *globalConf) lookup(key string) (setting, bool) {
	if g == nil {
		return setting{}, false
	}
	s, ok := g.values[key]
	return s, ok
}

// with returns g with the settings of adds, copying g only if one of them
// changes it.
func (g *globalConf) with(adds ...setting) *globalConf {
	changed := false
	for _, s := range adds {
		if old, ok := g.values[s.key]; !ok || old.value != s.value || old.secret != s.secret {
			changed = true
		}
	}
	if !changed {
		return g
	}
	values := make(map[string]setting, len(g.values)+len(adds))
	for k, v := range g.values {
		values[k] = v
	}
	for _, s := range adds {
		values[s.key] = s
	}
	return &globalConf{values, g.of}
}

// Context is one node of the resolved tree: the Go twin of Paste
// Deploy's LoaderContext. Its first fields are Paste's own; the rest say
// where it came from and, below a composite, what its options name.
type Context struct {
	objectType  *objectType
	protocol    string   // "paste.app_factory", ...; "" for the virtual types, or when nothing decided it
	factory     string   // what the config names: "egg:Paste#urlmap" or "module:object"; "" for the virtual types
	factoryAt   position // the FILE:LINE of the option that names the factory
	hideFactory bool     // the factory took in a secret by %(...)s: shown as <hidden>
	local       localConf
	global      *globalConf
	loader      *configLoader // the file a composite loads its apps from; nil when a URI named it

	app     *Context   // pipeline: its app
	filters []*Context // pipeline: its filters, outermost first
	next    *Context   // filter_app and filtered_with: the app the filter wraps
	filter  *Context   // filter_app and filtered_with: the filter

	section string    // the section it came from, as Paste's get_context found it; "" for a URI
	from    *section  // that section
	file    string    // that section's file, absolute
	label   string    // what -print calls it: the section, or the URI
	where   position  // the section's FILE:LINE, or the option's that named the URI
	twin    *Factory  // the Go factory that twins it; nil if none
	ignored []setting // keys Paste skipped because [DEFAULT] sets them
	require setting   // the distributions Paste checks are installed

	mounts   []mount  // a urlmap's apps, in the config's order; urlmapOrder gives the order it tries them
	notFound *Context // a urlmap's not_found_app
	guesses  []guess  // for a composite with no Go twin: what its option values seem to name
}

// guess is an option of a composite with no Go twin whose value names
// sections: a filter list and an app, as nova's pipeline_factory_v21 reads
// its keystone = ... and noauth2 = ... options. It is a guess: only the
// composite's Python code knows what its options mean.
type guess struct {
	key     string
	filters []*Context
	app     *Context
}

// shownFactory is ctx's factory as -print and errors show it.
func (ctx *Context) shownFactory() string {
	return shownName(ctx.factory, ctx.hideFactory)
}
