package paste

// The resolved tree's nodes, contexts, and what they hold: the Go twins of
// Paste Deploy's LoaderContext, its local_conf and its global_conf.

// Context is one node of the resolved tree: the Go twin of Paste Deploy's
// LoaderContext. It says what kind of piece it is, which factory makes
// it, and with what local and global conf; a pipeline, a filter-app, a
// filter-with or a composite holds the contexts inside it.
type Context struct {
	kind     Kind       // App, Filter, Pipeline, FilterApp or FilterWith: Paste's object type
	protocol string     // "paste.app_factory", ...; "" for the three that hold others, or when nothing decided it
	factory  string     // what the config names: "egg:Paste#urlmap" or "module:object"
	local    *localConf // a Python dict: contexts that share one in Paste share it here
	global   *globalConf
	loader   *configLoader // the file a composite loads its apps from; nil when a URI named it

	app     *Context   // pipeline: its app
	filters []*Context // pipeline: its filters, outermost first
	next    *Context   // filter-app and filter-with: the app the filter wraps
	filter  *Context   // filter-app and filter-with: the filter

	mounts   []mount  // a urlmap's apps, in the config's order
	notFound *Context // a urlmap's not_found_app
	guesses  []guess  // a composite with no Go twin: what its option values seem to name

	section   string    // the section it came from; "" for a URI
	from      *section  // that section
	file      string    // that section's file, absolute
	label     string    // what -print calls it: the section, or the URI
	where     position  // the section's FILE:LINE, or that of the option that named the URI
	factoryAt position  // the FILE:LINE of the option that names the factory
	secret    bool      // the factory's name took in a secret by %(...)s
	twin      *Factory  // the Go factory that twins it; nil if none
	ignored   []setting // keys Paste skips because [DEFAULT] sets them
	require   setting   // the distributions Paste checks are installed
}

// guess is what an option of a composite with no Go twin seems to name, as
// nova's pipeline_factory_v21 reads keystone = ...: only Python code knows.
type guess struct {
	key     string
	filters []*Context
	app     *Context
}

// isURLMap reports whether ctx is a composite that the registry's urlmap twins.
func (ctx *Context) isURLMap() bool {
	return ctx.twin != nil && ctx.twin.Kind == Composite
}

// shownFactory is ctx's factory as -print and errors show it.
func (ctx *Context) shownFactory() string {
	return shown(ctx.factory, ctx.secret)
}

// setting is one option as a factory receives it: its value after
// %(...)s, where it was set, and whether it is secret.
type setting struct {
	key, value string
	where      position // the zero position if no line of a file set it
	secret     bool     // its value took in a secret: by %(...)s, get, or a config: URI
	via        string   // "get NAME" when get copied it from the global conf
}

// hidden reports whether s shows as <hidden>: its value or its key is secret.
func (s setting) hidden() bool {
	return s.secret || looksSecret(s.key)
}

// localConf is a section's own options, in order: the twin of a
// LoaderContext's local_conf, a Python dict.
type localConf struct {
	list  []setting
	index map[string]int // key -> its place in list
}

func (c *localConf) get(key string) (setting, bool) {
	if i, ok := c.index[key]; ok {
		return c.list[i], true
	}
	return setting{}, false
}

// set sets s.key, in its old place if it had one, as a dict does.
func (c *localConf) set(s setting) {
	if i, ok := c.index[s.key]; ok {
		c.list[i] = s
		return
	}
	if c.index == nil {
		c.index = map[string]int{}
	}
	c.index[s.key] = len(c.list)
	c.list = append(c.list, s)
}

// pop removes key and returns it, in a new list: contexts share the old one.
func (c *localConf) pop(key string) (setting, bool) {
	s, ok := c.get(key)
	if ok {
		rest := localConf{list: make([]setting, 0, len(c.list)-1)}
		for _, o := range c.list {
			if o.key != key {
				rest.set(o)
			}
		}
		*c = rest
	}
	return s, ok
}

// globalConf is a context's global conf: [DEFAULT], and the set keys of
// the sections above it. Contexts share it, and a change makes a copy.
type globalConf struct {
	values map[string]setting
	of     *configLoader // the file whose defaults it holds; nil if none
}
