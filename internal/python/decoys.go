package python

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// decoys are distributions named as OpenStack's, with the paste entry
// points the real ones have (swift 2.30.1, oslo.middleware 5.0.0): what an
// OpenStack developer's python3 finds installed. Each one's package fails
// its import, loudly, so a run that finds one cannot pass.
var decoys = []struct {
	name, version, module string
	entryPoints           string
}{
	{"swift", "2.30.1", "swift", `[paste.app_factory]
account = swift.account.server:app_factory
container = swift.container.server:app_factory
object = swift.obj.server:app_factory
proxy = swift.proxy.server:app_factory

[paste.filter_factory]
account_quotas = swift.common.middleware.account_quotas:filter_factory
bulk = swift.common.middleware.bulk:filter_factory
cache = swift.common.middleware.memcache:filter_factory
catch_errors = swift.common.middleware.catch_errors:filter_factory
container_quotas = swift.common.middleware.container_quotas:filter_factory
copy = swift.common.middleware.copy:filter_factory
dlo = swift.common.middleware.dlo:filter_factory
gatekeeper = swift.common.middleware.gatekeeper:filter_factory
healthcheck = swift.common.middleware.healthcheck:filter_factory
keystoneauth = swift.common.middleware.keystoneauth:filter_factory
listing_formats = swift.common.middleware.listing_formats:filter_factory
memcache = swift.common.middleware.memcache:filter_factory
proxy_logging = swift.common.middleware.proxy_logging:filter_factory
ratelimit = swift.common.middleware.ratelimit:filter_factory
slo = swift.common.middleware.slo:filter_factory
symlink = swift.common.middleware.symlink:filter_factory
tempurl = swift.common.middleware.tempurl:filter_factory
versioned_writes = swift.common.middleware.versioned_writes:filter_factory
`},
	{"oslo.middleware", "5.0.0", "oslo_middleware", `[paste.app_factory]
healthcheck = oslo_middleware:Healthcheck.app_factory

[paste.filter_factory]
catch_errors = oslo_middleware:CatchErrors.factory
cors = oslo_middleware:CORS.factory
healthcheck = oslo_middleware:Healthcheck.factory
http_proxy_to_wsgi = oslo_middleware:HTTPProxyToWSGI.factory
request_id = oslo_middleware:RequestId.factory
sizelimit = oslo_middleware:RequestBodySizeLimiter.factory
`},
	{"keystonemiddleware", "10.2.0", "keystonemiddleware", ""},
	{"nova", "27.0.0", "nova", ""},
}

// writeDecoys writes the decoy distributions into dir, as a folder for
// PYTHONPATH: each a dist-info folder with its entry points, and a package
// whose import raises ImportError naming it a decoy. A sealed run never
// sees them; a run that is not sealed finds them before what is installed.
func writeDecoys(dir string) error {
	for _, d := range decoys {
		info := filepath.Join(dir, fmt.Sprintf("%s-%s.dist-info", strings.ReplaceAll(d.name, ".", "_"), d.version))
		pkg := filepath.Join(dir, d.module)
		files := map[string]string{
			filepath.Join(info, "METADATA"): fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\n"+
				"Summary: a decoy the tests put on PYTHONPATH, not %s\n", d.name, d.version, d.name),
			filepath.Join(info, "entry_points.txt"): d.entryPoints,
			filepath.Join(pkg, "__init__.py"): fmt.Sprintf("raise ImportError(%q)\n",
				"a decoy "+d.name+" was imported: the sealed python3 let in a distribution it must not see"),
		}
		for path, text := range files {
			if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
				return err
			}
			if err := os.WriteFile(path, []byte(text), 0o666); err != nil {
				return err
			}
		}
	}
	return nil
}
