"""The step-04 twin's own pieces, and the Paste Deploy factories that make
them: the distribution "tutorial", whose entry points (in
tutorial-0.dist-info/entry_points.txt) egg:tutorial#name names. Each
factory takes the global conf and its section's options, as Paste Deploy
calls it, and reads an option from the global conf when the section does
not set it, as oslo.middleware's factories do."""
import hashlib
import hmac
import json
import logging
import os
import re
import sys
import time
import traceback
import urllib.parse
import uuid

import paste.urlmap

# The 2016 example's body, byte for byte.
GREETING = b" From VietStack: Wellcome the 8th Meetup of VietOpenStack \n"

# oslo.middleware's default max_request_body_size.
DEFAULT_MAX_BODY_SIZE = 114688


class Greeter:
    """The application: a callable that answers with the greeting; in Go,
    an http.Handler. Its message comes from the config."""

    def __init__(self, message):
        self.message = message

    def __call__(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(self.message)))])
        return [self.message]


def boom(environ, start_response):
    """Fails on purpose, so FaultWrapper can be seen at work."""
    raise RuntimeError("boom: a bug in the application")


def echo(environ, start_response):
    """Answers a POST with its body."""
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]


# MAX_SLEEP bounds /sleep, so no request can hold the server for long.
MAX_SLEEP = 30


def sleep(environ, start_response):
    """Answers GET /sleep?d=DURATION once the delay has passed: a slow
    request, to watch a graceful shutdown wait for it."""
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    try:
        delay = duration(query.get("d", [""])[0])
    except ValueError:
        delay = -1
    if not 0 <= delay <= MAX_SLEEP:
        return plain_error(start_response, "400 Bad Request",
                           "400 d must be a duration from 0s to 30s, such as d=5s")
    body = f"slept {format_duration(delay)}\n".encode()
    # Content-Length, known before the sleep, lets a client tell a cut
    # answer from a whole one: wsgiref's HTTP/1.0 ends a body without it
    # by closing the connection, which looks alike in both cases.
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return slept(delay, body)


def slept(delay, body):
    # An empty first chunk sends the header at once, so the client can see
    # that the request is in flight.
    yield b""
    time.sleep(delay)
    yield body


DURATION = re.compile(r"([0-9]+(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)")
UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def duration(text):
    """Reads a duration in seconds from Go's notation (500ms, 10s, 1m30s),
    so the twin takes the same flags and queries as the Go step."""
    parts = DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"{text!r} is not a duration, such as 10s or 500ms")
    return sum(float(n) * UNITS[u] for n, u in parts)


def format_duration(seconds):
    """Writes seconds as Go writes a duration under a minute: 10s, 500ms."""
    if seconds == 0 or seconds >= 1:
        return f"{seconds:g}s"
    return f"{seconds * 1000:g}ms"


def paths(environ, start_response):
    """Answers with the prefix a urlmap moved and the path left for the
    app: SCRIPT_NAME and PATH_INFO."""
    body = f"SCRIPT_NAME={environ.get('SCRIPT_NAME', '')} " \
           f"PATH_INFO={environ['PATH_INFO']}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]


def plain_error(start_response, status, text, headers=()):
    """Answers status with a one-line text body, as Go's http.Error does."""
    body = (text + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("X-Content-Type-Options", "nosniff"),
                            *headers,
                            ("Content-Length", str(len(body)))])
    return [body]


class Router:
    """The app's own URL map, as a WSGI app has one (Routes, in nova): it
    answers other methods with 405 and an Allow header, and other paths
    with 404, in the words of Go's ServeMux."""

    def __init__(self, routes):
        self.routes = routes  # {path: {method: app}}

    def __call__(self, environ, start_response):
        # PATH_INFO is empty at the root of an app that a urlmap mounted.
        methods = self.routes.get(environ["PATH_INFO"] or "/")
        if methods is None:
            return plain_error(start_response, "404 Not Found",
                               "404 page not found")
        app = methods.get(environ["REQUEST_METHOD"])
        if app is None:
            allow = ", ".join(methods)
            return plain_error(start_response, "405 Method Not Allowed",
                               "Method Not Allowed", [("Allow", allow)])
        return app(environ, start_response)


def new_app(message):
    """Routes requests to the application; GET routes answer HEAD too.
    /sleep is an app of its own now, mounted by the config."""
    greeter = Greeter(message)
    return Router({
        "/": {"GET": greeter, "HEAD": greeter},
        "/boom": {"GET": boom, "HEAD": boom},
        "/echo": {"POST": echo},
    })


REQUEST_ID_HEADER = "X-Openstack-Request-Id"
REQUEST_ID_KEY = "openstack.request_id"


class RequestId:
    """Gives every request a fresh id, "req-" and a UUID, in the response
    header and in environ: oslo.middleware's RequestId; in Go, requestID."""

    # The headers that carry the id too, as oslo's compat_headers: none.
    compat_headers = []

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        request_id = "req-" + str(uuid.uuid4())
        environ[REQUEST_ID_KEY] = request_id

        def add_header(status, headers, exc_info=None):
            for name in [REQUEST_ID_HEADER, *self.compat_headers]:
                headers.append((name, request_id))
            return start_response(status, headers, exc_info)

        return self.app(environ, add_header)


# The header nova's ComputeReqIdMiddleware sets too, with the same id, for
# clients of nova's older API.
COMPUTE_REQUEST_ID_HEADER = "X-Compute-Request-Id"


class ComputeRequestId(RequestId):
    """RequestId that also sets X-Compute-Request-Id: nova's
    ComputeReqIdMiddleware, oslo's RequestId with compat_headers; in Go,
    computeRequestID."""

    compat_headers = [COMPUTE_REQUEST_ID_HEADER]


class FaultWrapper:
    """Turns an exception anywhere inside it into a 500 with nova's JSON
    body, logged once with its traceback: nova's FaultWrapper; in Go,
    faultWrap."""

    def __init__(self, app, logger):
        self.app = app
        self.logger = logger

    def __call__(self, environ, start_response):
        try:
            # yield from, not return: an error while the body is made is
            # caught too.
            yield from self.app(environ, start_response)
        except Exception as err:
            request_id = environ.get(REQUEST_ID_KEY, "")
            self.logger.error(logfmt("panic", request_id=request_id,
                                     panic=str(err),
                                     stack=traceback.format_exc()))
            # exc_info replaces the app's status and headers, if they are
            # not sent yet; if they are, the server ends the connection.
            # RequestId, outside, adds the request id to the new ones.
            start_response("500 Internal Server Error",
                           [("Content-Type", "application/json; charset=UTF-8"),
                            ("Content-Length", str(len(FAULT_BODY)))],
                           sys.exc_info())
            yield FAULT_BODY


# The body nova's FaultWrapper answers a 500 with, byte for byte: what
# failed, never how. The request id is in the header.
FAULT_BODY = json.dumps({"computeFault": {
    "code": 500,
    "message": "The server has either erred or is incapable of "
               "performing the requested operation.",
}}).encode()


class SizeLimiter:
    """Refuses request bodies over max_size bytes with 413, before the app
    runs: oslo.middleware's RequestBodySizeLimiter; in Go, sizeLimit."""

    def __init__(self, app, max_size):
        self.app = app
        self.max_size = max_size

    def __call__(self, environ, start_response):
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            # wsgiref does not decode chunked bodies (eventlet does, but then
            # webob reads one as empty), so the size of one is unknown, and
            # reading it would never end.
            return plain_error(start_response, "411 Length Required",
                               "411 a request body needs a Content-Length")
        if int(environ.get("CONTENT_LENGTH") or 0) > self.max_size:
            # short-circuit: the app never sees it
            return too_large(environ, start_response, self.max_size)
        return self.app(environ, start_response)


def too_large(environ, start_response, max_size):
    """Answers 413 as oslo.middleware does, through webob's
    HTTPRequestEntityTooLarge: the same words, in HTML, JSON or plain text,
    as the request's Accept prefers (curl's */* gets HTML, no Accept
    plain); in Go, tooLarge."""
    explanation = f"Request is too large. Larger than max_request_body_size ({max_size})."
    offer = best_offer(environ.get("HTTP_ACCEPT", ""), "text/html", "application/json")
    if offer == "text/html":
        content_type = "text/html; charset=UTF-8"
        body = ("<html>\n <head>\n  <title>413 Request Entity Too Large</title>\n"
                " </head>\n <body>\n  <h1>413 Request Entity Too Large</h1>\n"
                f"  {explanation}<br /><br />\n\n\n\n </body>\n</html>")
    elif offer == "application/json":  # webob's markup and all
        content_type = "application/json"
        body = json.dumps({"message": explanation + "<br /><br />\n\n\n",
                           "code": "413 Request Entity Too Large",
                           "title": "Request Entity Too Large"})
    else:
        content_type = "text/plain; charset=UTF-8"
        body = f"413 Request Entity Too Large\n\n{explanation}\n\n   "
    body = body.encode()
    start_response("413 Request Entity Too Large",
                   [("Content-Type", content_type),
                    ("Content-Length", str(len(body)))])
    return [body]


def best_offer(accept, *offers):
    """Returns the first of offers (type/subtype, lower case) that an
    Accept header allows, highest quality first and then in the order of
    offers, or "" when it allows none: webob's
    accept.acceptable_offers(offers)[0], which oslo.middleware uses to
    choose a body's type; in Go, bestOffer. As in webob, a header that does
    not parse allows every offer, and an empty one none."""
    if not ACCEPT_HEADER.fullmatch(accept):
        return offers[0]
    ranges = MEDIA_RANGE.findall(accept)
    best, best_q = "", 0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    return best


def quality(ranges, offer):
    """The quality the media ranges give offer, in thousandths: that of the
    most specific range that matches it, the first of equals; 0 if none
    does. A range with parameters matches a type/subtype only with the
    same parameters, which the offers never have; its wildcards match as
    if it had none."""
    offer_type, _, offer_sub = offer.partition("/")
    q, best = 0, 0
    for typ, sub, params, qvalue in ranges:
        typ, sub = typ.lower(), sub.lower()
        if typ == offer_type and sub == offer_sub and not params:
            specificity = 3
        elif typ == offer_type and sub == "*":
            specificity = 2
        elif typ == "*" and sub == "*":
            specificity = 1
        else:
            continue
        if specificity > best:
            q, best = thousandths(qvalue), specificity
    return q


def thousandths(qvalue):
    """Reads a qvalue the grammar has checked, "" for none: 1000 for 1,
    500 for 0.5."""
    if qvalue == "" or qvalue[0] == "1":
        return 1000
    return int(qvalue[2:].ljust(3, "0"))


# The Accept header's grammar, as webob has it: RFC 7230's list of RFC
# 7231's media ranges, each with its parameters (none named q), a weight,
# and accept extensions.
OWS = "[ \t]*"
TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
QUOTED = r'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\U0010ffff]|\\[\t \x21-\x7e\x80-\U0010ffff])*"'
VALUE = "(?:" + TOKEN + "|" + QUOTED + ")"
RANGE = "(" + TOKEN + ")/(" + TOKEN + ")((?:" + OWS + ";" + OWS + "(?![qQ]=)" + TOKEN + "=" + VALUE + ")*)"
WEIGHT = OWS + ";" + OWS + r"[qQ]=(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)"
EXT = OWS + ";" + OWS + TOKEN + "(?:=" + VALUE + ")?"
ELEMENT = RANGE + "(?:" + WEIGHT + "(?:" + EXT + ")*)?"
ACCEPT_HEADER = re.compile("(?:(?:,|" + ELEMENT + ")(?:" + OWS + ",(?:" + OWS + ELEMENT + ")?)*)?")
MEDIA_RANGE = re.compile(ELEMENT)


class AccessLog:
    """Writes one line per request, after the response: oslo's request
    logging; in Go, accessLog. Put it outside FaultWrapper, so the 500 that
    an exception becomes is logged too."""

    def __init__(self, app, logger):
        self.app = app
        self.logger = logger

    def __call__(self, environ, start_response):
        start = time.monotonic()
        status = "200"
        # The path as the client sent it: a urlmap outside may have moved a
        # prefix to SCRIPT_NAME, and one inside may move more.
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")

        def record(status_line, headers, exc_info=None):
            nonlocal status
            status = status_line.split()[0]
            return start_response(status_line, headers, exc_info)

        def log(size):
            self.logger.info(logfmt(
                "request",
                method=environ["REQUEST_METHOD"],
                path=path,
                status=status,
                bytes=size,
                duration=f"{(time.monotonic() - start) * 1000:.3f}ms",
                request_id=environ.get(REQUEST_ID_KEY, "")))

        return finish_first(self.app(environ, record), log)


def finish_first(chunks, finish):
    """Yields a response body's chunks, and calls finish(size) before the
    last one goes out, so that what finish does (a log line, a count) is
    done before the client has the whole answer, as in Go, where a handler
    returns before its response is complete. An empty chunk, which only
    sends the headers, goes out at once."""
    held, size = b"", 0
    try:
        for chunk in chunks:
            size += len(chunk)
            if not chunk:
                yield chunk
                continue
            if held:
                yield held
            held = chunk
    finally:
        finish(size)
    if held:
        yield held


def logfmt(msg, **fields):
    """Formats a message and its fields as key=value, as Go's slog text
    handler does: a value with spaces, quotes or control characters is
    quoted, so no client can forge a log line."""
    def value(v):
        v = str(v)
        plain = v and v.isprintable() and not any(c in v for c in ' ="\\')
        return v if plain else json.dumps(v)
    return " ".join([value(msg)] + [f"{k}={value(v)}" for k, v in fields.items()])


class Healthcheck:
    """Answers a load balancer's poll without calling the app:
    oslo.middleware's Healthcheck (5.0.0, and its current source); in Go,
    healthcheck. It answers 200 while every backend is healthy and 503
    while one is not, with the reasons as plain text, HTML or JSON, as
    Accept prefers; HEAD gets 204 or 503, with no body. As an app
    (app_factory, the form OpenStack services use now) a urlmap mounts it
    at a path."""

    def __init__(self, backend, disable_by_file):
        self.backend = backend  # backends = disable_by_file
        # Its disable_by_file_path: 503 while this file exists.
        self.disable_by_file = disable_by_file

    def check(self):
        """Returns each backend's reason, and whether all are healthy."""
        if not self.backend:
            return [], True
        if self.disable_by_file and os.path.exists(self.disable_by_file):
            return ["DISABLED BY FILE"], False
        return ["OK"], True

    def __call__(self, environ, start_response):
        """Answers with the health of every backend, as oslo's
        Healthcheck.process_request does, byte for byte."""
        reasons, healthy = self.check()
        status = "200 OK" if healthy else "503 Service Unavailable"
        if environ["REQUEST_METHOD"] == "HEAD":
            if healthy:
                start_response("204 No Content", [])  # as webob sends it: no Content-Type
            else:
                start_response(status, [("Content-Type", "text/plain; charset=UTF-8")])
            # No Content-Length: a 204 has none, and a HEAD's would be the
            # GET's. One empty chunk sends the head without it.
            return [b""]
        offer = best_offer(environ.get("HTTP_ACCEPT", ""),
                           "text/plain", "text/html", "application/json")
        if offer == "text/html":
            content_type, body = "text/html; charset=UTF-8", health_html(reasons)
        elif offer == "application/json":
            content_type, body = "application/json", health_json(reasons)
        else:  # no type allowed: plain text, never a 406
            content_type, body = "text/plain; charset=UTF-8", "\n".join(reasons)
        body = body.encode()
        start_response(status, [("Content-Type", content_type),
                                ("Content-Length", str(len(body)))])
        return [body]


def health_json(reasons):
    """oslo's JSON body: sorted keys, indented by four."""
    return json.dumps({"detailed": False, "reasons": reasons}, indent=4, sort_keys=True)


def health_html(reasons):
    """oslo's HTML page: a table of the reasons."""
    rows = "".join(f"<TR>\n\n    <TD>{reason}</TD>\n\n</TR>\n"
                   for reason in reasons) or "\n"  # none: an empty line
    return ("<HTML>\n<HEAD><TITLE>Healthcheck Status</TITLE></HEAD>\n<BODY>\n\n"
            f"<H2>Result of {len(reasons)} checks:</H2>\n"
            '<TABLE bgcolor="#ffffff" border="1">\n<TBODY>\n<TR>\n\n<TH>\nReason\n</TH>\n</TR>\n'
            f"{rows}</TBODY>\n</TABLE>\n<HR></HR>\n\n</BODY>\n</HTML>")


class HealthcheckFilter:
    """Answers requests for path as a Healthcheck does, and passes every
    other request on: the older form, oslo's Healthcheck.factory, which
    oslo.middleware deprecates for the app form but still loads; in Go,
    healthcheckFilter."""

    def __init__(self, app, path, healthcheck):
        self.app = app
        self.path = path
        self.healthcheck = healthcheck

    def __call__(self, environ, start_response):
        # The whole path, as webob's req.path: a urlmap above may have
        # moved a prefix of it into SCRIPT_NAME.
        if environ.get("SCRIPT_NAME", "") + environ["PATH_INFO"] != self.path:
            return self.app(environ, start_response)
        return self.healthcheck(environ, start_response)


class AuthToken:
    """Lets a request through only if its X-Auth-Token header equals token,
    and answers 401 otherwise: a stand-in for keystonemiddleware's
    auth_token, which asks Keystone instead. The token is never logged."""

    def __init__(self, app, token):
        self.app = app
        self.want = hashlib.sha256(token.encode()).digest()

    def __call__(self, environ, start_response):
        # Compare digests in constant time: the time taken reveals neither
        # the token nor its length.
        got = hashlib.sha256(environ.get("HTTP_X_AUTH_TOKEN", "").encode()).digest()
        if hmac.compare_digest(got, self.want):
            return self.app(environ, start_response)
        body = json.dumps({"error": {
            "code": 401,
            "message": "The request you have made requires authentication.",
            "title": "Unauthorized",
        }}, separators=(",", ":")).encode() + b"\n"
        start_response("401 Unauthorized",
                       [("Content-Type", "application/json"),
                        ("WWW-Authenticate", 'Token realm="api"'),
                        ("Content-Length", str(len(body)))])
        return [body]


class OptionError(ValueError):
    """A bad option value: KEY: what is wrong."""

    def __init__(self, key, message):
        super().__init__(f"{key}: {message}")
        self.key = key


def options(name, global_conf, local_conf, known):
    """The options a factory reads: the global conf, then the section's
    own. A section's option the factory does not read is a mistake."""
    unknown = sorted(set(local_conf) - set(known))
    if unknown and not known:
        raise TypeError(f"{name} has no option {unknown[0]!r}: it takes none")
    if unknown:
        raise TypeError(f"{name} has no option {unknown[0]!r} "
                        f"(it has: {', '.join(known)})")
    return {**{k: global_conf[k] for k in known if k in global_conf}, **local_conf}


def int_option(opts, key, default):
    """Reads a whole number of bytes, or returns default."""
    text = opts.get(key)
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()):
        raise OptionError(key, "must be a whole number of bytes")
    return int(text)


def greeting_app(global_conf, **local_conf):
    """paste.app_factory for the greeting; message replaces its text."""
    opts = options("greeting", global_conf, local_conf, ["message"])
    return new_app((opts["message"] + "\n").encode() if "message" in opts else GREETING)


def sleep_app(global_conf, **local_conf):
    """paste.app_factory for /sleep."""
    options("sleep", global_conf, local_conf, [])
    return sleep


def paths_app(global_conf, **local_conf):
    """paste.app_factory for the app that shows SCRIPT_NAME and PATH_INFO."""
    options("paths", global_conf, local_conf, [])
    return paths


# The options of oslo's Healthcheck that its twin reads, in either form.
HEALTHCHECK_OPTIONS = ["backends", "disable_by_file_path", "detailed"]


def new_healthcheck(opts):
    """Reads oslo's options: backends (disable_by_file, the one backend
    twinned), disable_by_file_path and detailed; in Go, newHealthcheck."""
    backends = opts.get("backends", "").strip()
    if backends not in ("", "disable_by_file"):
        raise OptionError("backends", "only disable_by_file has a Go twin")
    backend = backends == "disable_by_file"
    if "disable_by_file_path" in opts and not backend:
        raise OptionError("disable_by_file_path",
                          "is read only with backends = disable_by_file")
    detailed = opts.get("detailed", "").lower()  # oslo.config's words for a boolean
    if detailed in ("true", "1", "on", "yes"):
        # It shows the Python process's threads, garbage collector and
        # platform; oslo itself warns it may expose sensitive details.
        raise OptionError("detailed", "only false has a Go twin: the detailed "
                          "answer shows the process's internals")
    if detailed not in ("", "false", "0", "off", "no"):
        raise OptionError("detailed", "must be true or false")
    return Healthcheck(backend, opts.get("disable_by_file_path", ""))


def healthcheck_app(global_conf, **local_conf):
    """paste.app_factory for Healthcheck as an app, at whatever path a
    urlmap mounts it: backends, disable_by_file_path, detailed, and path,
    which oslo's app_factory reads and ignores, as this does."""
    opts = options("healthcheck", global_conf, local_conf, ["path", *HEALTHCHECK_OPTIONS])
    return new_healthcheck(opts)


def request_id_filter(global_conf, **local_conf):
    """paste.filter_factory for RequestId."""
    options("request_id", global_conf, local_conf, [])
    return RequestId


def compute_req_id_filter(global_conf, **local_conf):
    """paste.filter_factory for ComputeRequestId."""
    options("compute_req_id", global_conf, local_conf, [])
    return ComputeRequestId


def faultwrap_filter(global_conf, **local_conf):
    """paste.filter_factory for FaultWrapper."""
    options("faultwrap", global_conf, local_conf, [])
    return lambda app: FaultWrapper(app, logging.getLogger())


def accesslog_filter(global_conf, **local_conf):
    """paste.filter_factory for AccessLog."""
    options("accesslog", global_conf, local_conf, [])
    return lambda app: AccessLog(app, logging.getLogger())


def sizelimit_filter(global_conf, **local_conf):
    """paste.filter_factory for SizeLimiter: max_request_body_size."""
    opts = options("sizelimit", global_conf, local_conf, ["max_request_body_size"])
    max_size = int_option(opts, "max_request_body_size", DEFAULT_MAX_BODY_SIZE)
    return lambda app: SizeLimiter(app, max_size)


def healthcheck_filter(global_conf, **local_conf):
    """paste.filter_factory for HealthcheckFilter: path, and Healthcheck's
    options."""
    opts = options("healthcheck", global_conf, local_conf, ["path", *HEALTHCHECK_OPTIONS])
    path = opts.get("path", "/healthcheck")
    if not path.startswith("/"):
        raise OptionError("path", "must start with /")
    healthcheck = new_healthcheck(opts)
    return lambda app: HealthcheckFilter(app, path, healthcheck)


def authtoken_filter(global_conf, **local_conf):
    """paste.filter_factory for AuthToken: token, never shown."""
    token = options("authtoken", global_conf, local_conf, ["token"]).get("token")
    if not token:
        raise OptionError("token", "must be set, and not empty")
    return lambda app: AuthToken(app, token)


def urlmap_composite(loader, global_conf, **local_conf):
    """paste.composite_factory for the urlmap: Paste's own."""
    return paste.urlmap.urlmap_factory(loader, global_conf, **local_conf)


# What step 04's Go registry calls each factory, and the options it reads
# (None: a composite's keys are its own), so that the twin's -print names
# the pieces as the Go step does.
TWINS = {
    greeting_app: ("greeting", ["message"]),
    sleep_app: ("sleep", []),
    paths_app: ("paths", []),
    healthcheck_app: ("healthcheck", ["path", *HEALTHCHECK_OPTIONS]),
    request_id_filter: ("request_id", []),
    compute_req_id_filter: ("compute_req_id", []),
    faultwrap_filter: ("faultwrap", []),
    accesslog_filter: ("accesslog", []),
    sizelimit_filter: ("sizelimit", ["max_request_body_size"]),
    healthcheck_filter: ("healthcheck", ["path", *HEALTHCHECK_OPTIONS]),
    authtoken_filter: ("authtoken", ["token"]),
    urlmap_composite: ("urlmap", None),
    paste.urlmap.urlmap_factory: ("urlmap", None),
}
