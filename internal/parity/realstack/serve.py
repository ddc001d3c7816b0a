"""The real stack step 04 twins, for the parity test and .ci/loadcheck:
Paste Deploy loads an api-paste.ini with the real oslo.middleware and
Paste's urlmap, and eventlet's wsgi.server serves it, set up as nova's
wsgi.Server (nova/wsgi.py) sets it up. The one stand-in is nova's
FaultWrapper, ported in nova/api/openstack/__init__.py beside this file,
since nova is not packaged; the tutorial's own apps (egg:tutorial) are the
step-04 twin's.

    python3 serve.py -config FILE [-addr HOST:PORT] [-name NAME]

It prints which oslo.middleware it loaded ("oslo.middleware VERSION from
FILE"), then "serving on HOST:PORT" once it listens, and runs until SIGINT
or SIGTERM.
"""
import eventlet

eventlet.monkey_patch()  # as nova does first, in nova/monkey_patch.py

import argparse  # noqa: E402
import importlib  # noqa: E402
import importlib.metadata  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402

import eventlet.wsgi  # noqa: E402
from paste.deploy import loadapp  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# The tutorial's distribution (egg:tutorial: greeting, sleep, accesslog):
# the twin's own pieces, which both stacks serve.
sys.path.insert(1, os.path.join(HERE, "..", "..", "..", "python", "04-pipeline-site"))

# nova.conf's [wsgi] defaults, which nova's wsgi.Server passes on.
MAX_HEADER_LINE = 16384  # max_header_line
POOL_SIZE = 1000  # default_pool_size
CLIENT_SOCKET_TIMEOUT = 900  # client_socket_timeout
KEEP_ALIVE = True  # keep_alive


def main():
    parser = argparse.ArgumentParser(prog="real-stack")
    parser.add_argument("-config", required=True)
    parser.add_argument("-addr", default="127.0.0.1:8080")
    parser.add_argument("-name", default="main")
    args = parser.parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(name)s %(message)s")

    app = loadapp("config:" + os.path.abspath(args.config), name=args.name)
    # Which oslo_middleware the app was built with (the one imported, or
    # the one it would import): the parity test holds it to be the real
    # package, not the twin's stand-in of the same name.
    oslo = importlib.import_module("oslo_middleware")
    print("oslo.middleware %s from %s" % (importlib.metadata.version("oslo.middleware"),
                                          os.path.realpath(oslo.__file__)), flush=True)

    host, _, port = args.addr.rpartition(":")
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = eventlet.listen((host, int(port)), family=family, backlog=128)
    eventlet.wsgi.MAX_HEADER_LINE = MAX_HEADER_LINE
    print("serving on %s:%d" % sock.getsockname()[:2], flush=True)

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    eventlet.wsgi.server(sock, app, protocol=eventlet.wsgi.HttpProtocol,
                         custom_pool=eventlet.GreenPool(POOL_SIZE),
                         log=logging.getLogger("eventlet.wsgi.server"),
                         debug=False, keepalive=KEEP_ALIVE,
                         socket_timeout=CLIENT_SOCKET_TIMEOUT)


if __name__ == "__main__":
    main()
