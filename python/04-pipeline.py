"""Step 04's Python twin: step 03's application and middleware, put together
at start-up from the Go step's own api-paste.ini by the real Paste Deploy,
as an OpenStack service does (paste.deploy.loadapp), and reloaded on
SIGHUP. The pieces are the twin's own distribution, "tutorial", in
04-pipeline-site/; stand-ins there answer to the factory paths OpenStack
configs name. -print shows the tree of contexts Paste Deploy's own
loadcontext resolves, as the Go step's -print shows its twin of it.

    python3 python/04-pipeline.py
    python3 python/04-pipeline.py -print
    curl -i http://localhost:8080

It needs Paste Deploy: apt-get install python3-pastedeploy (Debian).
"""
import argparse
import json
import logging
import os
import queue
import signal
import socket
import socketserver
import ssl
import stat
import sys
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

PROG = os.path.splitext(os.path.basename(sys.argv[0]))[0]

# Leave no __pycache__ behind in the repository.
sys.dont_write_bytecode = True

# The twin's own distribution, and the stand-ins, come first on the path.
SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "04-pipeline-site")
sys.path[:0] = [SITE, os.path.join(SITE, "standins")]

try:
    from paste.deploy import loadwsgi
    import paste.urlmap  # noqa: F401 (the urlmap the configs use)
except ImportError:
    print(f"{PROG}: {sys.executable} cannot import Paste Deploy: install it "
          "for this python (on Debian, apt-get install python3-pastedeploy, for "
          "/usr/bin/python3), or run the twin with a python3 that has it",
          file=sys.stderr)
    sys.exit(2)

from config_errors import ConfigError, describe  # noqa: E402 (it is found on SITE)
from tutorial import MAX_SLEEP, duration, finish_first, format_duration, logfmt  # noqa: E402


def load_app(path, name):
    """Loads the app called name from the config at path, as an OpenStack
    service does: paste.deploy.loadapp("config:" + the absolute path)."""
    try:
        return loadwsgi.loadapp("config:" + os.path.abspath(path), name=name)
    except Exception as err:
        raise ConfigError(describe(err, path)) from None


class Swappable:
    """Serves the app stored last: SIGHUP stores a new one, and requests
    already inside the old one finish there."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


class InFlight:
    """Counts the requests being handled, so that a shutdown can say how
    many it waits for, and how many it cut; in Go, countInFlight."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.count += 1
        return finish_first(self.app(environ, start_response), self.done)

    def done(self, size):
        with self.lock:
            self.count -= 1


class Handler(WSGIRequestHandler):
    """wsgiref's request handler, with a deadline for the request's headers,
    and without its line per request on stderr: AccessLog writes one."""

    # Any one read or write that stalls this long ends the connection: a
    # body trickled or a reader too slow; eventlet's socket timeout.
    timeout = MAX_SLEEP + 10

    # Huge headers eating memory get 431; nova's max_header_line.
    max_header_bytes = 16 << 10

    def setup(self):
        super().setup()
        # Slowloris, headers trickled to hold a connection, is cut when the
        # deadline passes; nova's client_socket_timeout.
        self.was_cut = False
        self.header_deadline = threading.Timer(
            self.server.read_header_timeout, self.cut)
        self.header_deadline.start()

    def cut(self):
        self.was_cut = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # it has closed already

    def parse_request(self):
        ok = super().parse_request()  # reads the headers
        self.header_deadline.cancel()
        if not ok or self.was_cut:
            return False  # answered already, or cut off
        size = sum(len(name) + len(value) + 4 for name, value in self.headers.items())
        if size > self.max_header_bytes:
            self.send_error(431)
            return False
        return True

    def finish(self):
        self.header_deadline.cancel()
        super().finish()

    def log_message(self, format, *args):
        pass


class Server(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server with a thread per connection: the twin of eventlet's
    wsgi.server, which gives each one a green thread."""

    daemon_threads = True  # the shutdown waits for requests, not threads

    def __init__(self, address, app, read_header_timeout, logger):
        self.read_header_timeout = read_header_timeout
        self.logger = logger
        self.connections = 0  # open, from accept to close
        self.changed = threading.Condition()
        super().__init__(address, Handler)
        self.set_app(app)

    def process_request(self, request, client_address):
        with self.changed:
            self.connections += 1
        super().process_request(request, client_address)  # starts a thread

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.changed:
                self.connections -= 1
                self.changed.notify_all()

    def wait_idle(self, timeout):
        """Waits until every connection has been answered and closed, for
        timeout seconds at most, and reports whether they have."""
        with self.changed:
            return self.changed.wait_for(lambda: self.connections == 0, timeout)

    def shutdown_request(self, request):
        """Ends a connection after its answer, reading (a bounded amount
        of) what the client still sends, so that a client whose body was
        refused reads the answer rather than a reset; net/http does so."""
        try:
            request.shutdown(socket.SHUT_WR)
            request.settimeout(1)
            drained = 0
            while drained < 256 << 10:
                chunk = request.recv(64 << 10)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass
        self.close_request(request)

    def handle_error(self, request, client_address):
        """Logs a connection's error in one line, not a traceback."""
        err = sys.exc_info()[1]
        what = "TLS handshake error" if isinstance(err, ssl.SSLError) else "error"
        self.logger.warning(logfmt(
            f"{what} from {client_address[0]}:{client_address[1]}: {err}"))


SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def wait_and_shut_down(httpd, in_flight, hangups, timeout):
    """Waits for a signal. SIGHUP asks the reloader for a reload, and waits
    for no reload itself. SIGINT or SIGTERM shuts httpd down gracefully:
    it stops accepting, lets the requests in flight finish within timeout,
    and returns the exit status; a second one exits at once. oslo.service
    does this on SIGHUP and SIGTERM; in Go, the signal.Notify channels."""
    sig = signal.sigwait(SIGNALS)
    while sig == signal.SIGHUP:
        ask_reload(hangups)
        sig = signal.sigwait(SIGNALS)
    print(f"{signal.strsignal(sig).lower()}: shutting down, waiting up to "
          f"{format_duration(timeout)} for requests in flight: {in_flight.count}",
          file=sys.stderr)
    threading.Thread(target=exit_on_second_signal, args=(in_flight, hangups),
                     daemon=True).start()
    httpd.shutdown()      # serve_forever returns: nothing more is accepted
    httpd.socket.close()  # and new connections are refused
    if not httpd.wait_idle(timeout):
        print(f"shutdown: gave up waiting after {format_duration(timeout)}; "
              f"requests cut: {in_flight.count}", file=sys.stderr)
        return 1
    print("shutdown complete", file=sys.stderr)
    return 0


def exit_on_second_signal(in_flight, hangups):
    sig = signal.sigwait(SIGNALS)
    while sig == signal.SIGHUP:
        ask_reload(hangups)
        sig = signal.sigwait(SIGNALS)
    print(f"{signal.strsignal(sig).lower()} again: exiting now; "
          f"requests cut: {in_flight.count}", file=sys.stderr)
    os._exit(1)


def ask_reload(hangups):
    """Asks the reloader for a reload, unless one is waiting already: the
    queue holds one, as the Go step's channel does, so the SIGHUPs that
    come during a reload make one more reload, and asking never waits."""
    try:
        hangups.put_nowait(True)
    except queue.Full:
        pass


def reload_each(hangups, reload):
    """The reloader: runs reload once for each request in hangups, one at a
    time and off the signal loop, until it takes None."""
    for _ in iter(hangups.get, None):
        reload()


def check_config_file(path):
    """Refuses, before Paste Deploy's loader opens it, a config that could
    hang a reload or fill memory: anything but a regular file (opening a
    FIFO waits for a writer; /dev/zero never ends), and a file over
    MAX_CONFIG_SIZE; in Go, readConfigFile."""
    try:
        info = os.stat(path)
    except OSError:
        return  # the loader says what is wrong
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(f"{path} is a directory, not a config file")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{path} is not a regular file: a pipe or a device "
                          "could keep a read waiting forever")
    if info.st_size > MAX_CONFIG_SIZE:
        raise ConfigError(f"{path} is {info.st_size} bytes, over the "
                          f"{MAX_CONFIG_SIZE} a config may have")


# MAX_CONFIG_SIZE bounds a config file, as in the Go step.
MAX_CONFIG_SIZE = 16 << 20


# The shipped config, found from the repository's root, where the tutorial
# runs every command.
DEFAULT_CONFIG = "steps/04-pipeline/api-paste.ini"


def remove_pidfile(path):
    if path is not None:
        try:
            os.remove(path)
        except OSError:
            pass


def usage_error(message):
    print(f"{PROG}: {message}", file=sys.stderr)
    sys.exit(2)


def main():
    parser = argparse.ArgumentParser(prog=PROG, usage=argparse.SUPPRESS)
    parser.add_argument("-addr", default="localhost:8080", metavar="host:port",
                        help="listen on host:port (default %(default)s)")
    parser.add_argument("-config", default=DEFAULT_CONFIG,
                        metavar="file", help="the Paste Deploy-style config "
                        "file (default %(default)s)")
    parser.add_argument("-name", default="main", metavar="section",
                        help="the app, pipeline or composite section to serve "
                             "(default %(default)s)")
    parser.add_argument("-print", action="store_true",
                        help="print what the config builds, and exit")
    parser.add_argument("-json", action="store_true",
                        help="with -print, print it as JSON, for tools")
    parser.add_argument("-shutdown-timeout", type=duration,
                        default="10s", metavar="duration",
                        help="on SIGINT or SIGTERM, wait this long for "
                             "requests in flight (default %(default)s)")
    parser.add_argument("-read-header-timeout", type=duration,
                        default="5s", metavar="duration",
                        help="disconnect a client that takes longer to send "
                             "its headers (default %(default)s)")
    parser.add_argument("-tls-cert", metavar="file",
                        help="serve HTTPS with this certificate file (PEM); "
                             "needs -tls-key")
    parser.add_argument("-tls-key", metavar="file",
                        help="the private key file (PEM) for -tls-cert")
    parser.add_argument("-pidfile", metavar="file",
                        help="while serving, keep the process id in this "
                             "file, for kill -HUP $(cat file)")
    args = parser.parse_args()
    if args.json and not args.print:
        usage_error("-json goes with -print")
    if (args.tls_cert is None) != (args.tls_key is None):
        usage_error("-tls-cert and -tls-key go together: give both, or neither")
    host, colon, port = args.addr.rpartition(":")
    if not colon or not (port.isascii() and port.isdigit()):
        usage_error(f"-addr {json.dumps(args.addr)} is not host:port, such as "
                    "localhost:8080 (or :8080, to listen on every interface)")
    if args.config == DEFAULT_CONFIG and not os.path.exists(DEFAULT_CONFIG):
        usage_error(f"no {DEFAULT_CONFIG} in {os.getcwd()}: run from the "
                    "repository's root, or give -config path/to/api-paste.ini")
    logging.basicConfig(
        format="time=%(asctime)s level=%(levelname)s msg=%(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S%z", level=logging.INFO)
    logging.addLevelName(logging.WARNING, "WARN")  # as slog names it
    logger = logging.getLogger()

    try:
        check_config_file(args.config)
        if args.print:
            import print_tree  # the stubs and notes -print needs, and only it
            print_tree.print_tree(args.config, args.name, args.json)
            return
        app = load_app(args.config, args.name)
    except ConfigError as err:
        usage_error(err)  # a config mistake is a usage mistake: status 2
    handler = Swappable(app)

    def reload():
        try:
            check_config_file(args.config)
            handler.app = load_app(args.config, args.name)
        except ConfigError as err:
            print(f"hangup: reload failed, still serving the previous "
                  f"pipeline: {err}", file=sys.stderr)
            return
        print(f"hangup: reloaded {args.config}", file=sys.stderr)

    context, scheme = None, "http"
    if args.tls_cert is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(args.tls_cert, args.tls_key)
        except OSError as err:
            sys.exit(f"{PROG}: loading -tls-cert and -tls-key: {err}")
        scheme = "https"

    # Block the signals before listening, and before any thread starts:
    # once "listening on" is printed, Ctrl-C must already mean "shut down
    # gracefully", and only sigwait receives it.
    signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)

    # The pid file is there before a client can connect, and gone at exit.
    if args.pidfile is not None:
        try:
            with open(args.pidfile, "w") as f:
                f.write(f"{os.getpid()}\n")
        except OSError as err:
            sys.exit(f"{PROG}: -pidfile: {err}")

    # Listen first, so a taken port or a bad address fails here, in one line.
    in_flight = InFlight(handler)
    try:
        httpd = Server((host, int(port)), in_flight,
                       args.read_header_timeout, logger)
    except (OSError, OverflowError) as err:
        remove_pidfile(args.pidfile)
        sys.exit(f"{PROG}: listen on {args.addr}: {err}")
    if context is not None:
        # The handshake happens on the first read, in the connection's own
        # thread, so a slow or failed one holds up no other client.
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True,
                                           do_handshake_on_connect=False)
    host, port = httpd.server_address[:2]
    print(f"listening on {scheme}://{host}:{port}", file=sys.stderr)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    hangups = queue.Queue(maxsize=1)
    reloader = threading.Thread(target=reload_each, args=(hangups, reload),
                                daemon=True)
    reloader.start()
    status = wait_and_shut_down(httpd, in_flight, hangups, args.shutdown_timeout)
    # A SIGHUP that came before the end is not lost: let the reloader
    # finish the reloads asked for.
    hangups.put(None)
    reloader.join()
    remove_pidfile(args.pidfile)
    sys.exit(status)


if __name__ == "__main__":
    main()
