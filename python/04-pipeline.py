"""Step 04's Python twin: step 03's application and middleware, put together
at start-up from the Go step's own api-paste.ini by the real Paste Deploy,
as an OpenStack service does (paste.deploy.loadapp), served by step 03's
twin's server, and reloaded on SIGHUP. The pieces are the twin's own
distribution, "tutorial", in 04-pipeline-site/; stand-ins there answer to
the factory paths OpenStack configs name. -print shows the tree of
contexts Paste Deploy's own loadcontext resolves, as the Go step's -print
shows its twin of it.

    python3 python/04-pipeline.py
    python3 python/04-pipeline.py -print
    curl -i http://localhost:8080

It needs Paste Deploy: apt-get install python3-pastedeploy (Debian).
"""
import argparse
import importlib.util
import json
import logging
import os
import queue
import signal
import stat
import sys
import threading

PROG = os.path.splitext(os.path.basename(sys.argv[0]))[0]

# Leave no __pycache__ behind in the repository.
sys.dont_write_bytecode = True

# The twin's own distribution, and the stand-ins, come first on the path.
HERE = os.path.dirname(os.path.abspath(__file__))
SITE = os.path.join(HERE, "04-pipeline-site")
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


def load_twin(filename):
    """Imports a step's twin from this folder: its name, with a dash, is no
    module name, so it is loaded from its file."""
    name = os.path.splitext(filename)[0].replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, filename))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Step 03's twin: its server serves the pipeline, unchanged.
server = load_twin("03-server.py")


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


def ask_on_hangup(hangups):
    """Waits for SIGHUP, and asks the reloader for a reload each time. It
    has a thread of its own, beside step 03's signal loop, which waits for
    SIGINT and SIGTERM, so that no reload holds up a shutdown; in Go,
    SIGHUP's own signal.Notify channel."""
    while True:
        signal.sigwait({signal.SIGHUP})
        ask_reload(hangups)


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


def write_pidfile(path):
    if path is not None:
        try:
            with open(path, "w") as f:
                f.write(f"{os.getpid()}\n")
        except OSError as err:
            sys.exit(f"{PROG}: -pidfile: {err}")


def remove_pidfile(path):
    if path is not None:
        try:
            os.remove(path)
        except OSError:
            pass


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
    parser.add_argument("-shutdown-timeout", type=server.duration,
                        default="10s", metavar="duration",
                        help="on SIGINT or SIGTERM, wait this long for "
                             "requests in flight (default %(default)s)")
    parser.add_argument("-read-header-timeout", type=server.duration,
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
        server.usage_error("-json goes with -print")
    if (args.tls_cert is None) != (args.tls_key is None):
        server.usage_error("-tls-cert and -tls-key go together: give both, or neither")
    host, colon, port = args.addr.rpartition(":")
    if not colon or not (port.isascii() and port.isdigit()):
        server.usage_error(f"-addr {json.dumps(args.addr)} is not host:port, such as "
                           "localhost:8080 (or :8080, to listen on every interface)")
    if args.config == DEFAULT_CONFIG and not os.path.exists(DEFAULT_CONFIG):
        server.usage_error(f"no {DEFAULT_CONFIG} in {os.getcwd()}: run from the "
                           "repository's root, or give -config path/to/api-paste.ini")
    logging.basicConfig(
        format="time=%(asctime)s level=%(levelname)s msg=%(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S%z", level=logging.INFO)
    logging.addLevelName(logging.WARNING, "WARN")  # as slog names it

    try:
        check_config_file(args.config)
        if args.print:
            import print_tree  # the stubs and notes -print needs, and only it
            print_tree.print_tree(args.config, args.name, args.json)
            return
        app = load_app(args.config, args.name)
    except ConfigError as err:
        server.usage_error(err)  # a config mistake is a usage mistake: status 2
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

    # Block SIGHUP, with the SIGINT and SIGTERM step 03's server waits for,
    # before any thread starts: only sigwait receives them.
    signal.pthread_sigmask(signal.SIG_BLOCK, server.SIGNALS | {signal.SIGHUP})

    # The pid file is there before a client can connect, and gone at exit.
    write_pidfile(args.pidfile)
    hangups = queue.Queue(maxsize=1)
    threading.Thread(target=ask_on_hangup, args=(hangups,), daemon=True).start()
    reloader = threading.Thread(target=reload_each, args=(hangups, reload),
                                daemon=True)
    reloader.start()
    try:
        status = server.serve(handler, args)
        # A SIGHUP that came before the end is not lost: let the reloader
        # finish the reloads asked for.
        hangups.put(None)
        reloader.join()
    finally:
        remove_pidfile(args.pidfile)
    sys.exit(status)


if __name__ == "__main__":
    main()
