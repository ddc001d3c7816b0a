package paste

// Every limit of the loader. Paste Deploy has none of these but Python's
// own (its recursion limit, and ConfigParser's depth of %(...)s): they
// keep a config of a few KiB from making a load, or a SIGHUP reload
// inside a serving process, hang or take gigabytes. An OpenStack
// api-paste.ini is a few KiB, nests a few levels, and makes under a
// hundred settings.
const (
	// maxConfigSize bounds a config file: 16 MiB is far past any real one.
	maxConfigSize = 16 << 20

	// maxLine bounds one line of a config file.
	maxLine = 1 << 20

	// maxNesting is how deep sections may nest: a use chain, pipelines
	// and urlmaps inside one another. Paste Deploy recurses as deep as
	// Python lets it, and stops at about 190 nested urlmaps.
	maxNesting = 200

	// maxInterpolationDepth is how deep %(...)s may nest: ConfigParser's
	// MAX_INTERPOLATION_DEPTH.
	maxInterpolationDepth = 10

	// maxGrowth bounds what %(...)s may add to one value: ten keys that
	// each name the next twice would grow it a thousandfold.
	maxGrowth = 1 << 20

	// maxContexts bounds the tree: sections that name each other through
	// many paths would grow it exponentially, as they do in Paste.
	maxContexts = 1 << 18

	// maxSettings bounds the settings a load makes: the options read for
	// every context, as a section is read once for each that names it,
	// and the entries of each global conf copied to change it.
	maxSettings = 1 << 20

	// maxInterpolated bounds the bytes of the values %(...)s makes in a
	// load, however its values name each other.
	maxInterpolated = 4 * maxConfigSize

	// maxIndent is the deepest level -print indents, two spaces a level;
	// deeper, a heading starts with its depth, [depth 33].
	maxIndent = 32
)
