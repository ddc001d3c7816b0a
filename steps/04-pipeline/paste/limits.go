package paste

// Every limit of the loader. Paste Deploy has none but Python's own (its
// recursion limit, ConfigParser's depth of %(...)s): these keep a config
// of a few KiB from making a load, or a SIGHUP reload, hang or take
// gigabytes. A real api-paste.ini is a few KiB and nests a few levels.
const (
	maxConfigSize = 16 << 20 // bytes in a config file: far past any real one
	maxLine       = 1 << 20  // bytes in one line

	// maxNesting is how deep sections may nest: use chains, pipelines and
	// urlmaps. Paste Deploy stops at about 190 nested urlmaps.
	maxNesting = 200

	maxInterpolationDepth = 10                // how deep %(...)s may nest: ConfigParser's MAX_INTERPOLATION_DEPTH
	maxGrowth             = 1 << 20           // bytes %(...)s may add to one value
	maxInterpolated       = 4 * maxConfigSize // bytes of values %(...)s may make in one load

	// maxContexts bounds the tree, which sections that name each other
	// through many paths would grow exponentially, as they do in Paste.
	maxContexts = 1 << 18

	// maxSettings bounds the settings a load makes: a section's options
	// count once for each context it is read for, and a copied global conf
	// counts all its entries.
	maxSettings = 1 << 20

	// maxIndent is the deepest level -print indents, two spaces a level;
	// deeper, a heading starts with its depth, [depth 33].
	maxIndent = 32
)
