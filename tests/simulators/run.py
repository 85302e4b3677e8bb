# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the simulators as standalone processes (for `make demo` and benchmarks).

    python tests/simulators/run.py pki DIR
        make (or reuse) the test PKI in DIR and print its paths as JSON
    python tests/simulators/run.py serve --kind vapi|h4 --cert F --key F [--port 0] [--url-file F] [--max-sessions N]
            [--saml-assertion FILE]... [--vcd-token TOKEN]... [--vcd-cookie VALUE]...
            [--release 4.7] [--vcd-api-token TOKEN[=USER@ORG]]...
        serve until SIGTERM or SIGINT; write the base URL to --url-file once listening; log one line per request to
        stderr (method, path, status: never header values or bodies). GET /_sim/stats returns the counters as JSON,
        POST /_sim/reset clears them.

Logins that need something a real server issues are accepted only for the test values given here: a SAML assertion
(the XML in FILE, for both kinds), and on h4 a Cloud Director access token or session cookie, which log in as
tenant-admin@acme, and Cloud Director API tokens (as USER@ORG, tenant-admin@acme if not given). --release picks the
h4 release whose login and extension types the simulator knows (4.2 still takes vcd_cookie). User names and
passwords are built in: administrator@vsphere.local / VMware1! (both kinds), root / vmware (h4 local) and
tenant-admin@acme / Tenant1! (h4 Cloud Director).
"""

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path

# Callers just run this file; make the package importable from its parent directory.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulators.base import print_request_line  # noqa: E402
from simulators.h4 import H4Simulator  # noqa: E402
from simulators.vapi import VapiSimulator  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    pki = commands.add_parser("pki", help="make the test PKI and print its paths as JSON")
    pki.add_argument("directory")

    serve = commands.add_parser("serve", help="serve one simulator until SIGTERM/SIGINT")
    serve.add_argument("--kind", choices=("vapi", "h4"), required=True)
    serve.add_argument("--cert", required=True)
    serve.add_argument("--key", required=True)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--url-file")
    serve.add_argument("--max-sessions", type=int)
    serve.add_argument("--legacy-only", action="store_true", help="vapi: answer /api/... with 404 like vcsim")
    serve.add_argument("--flavour", choices=("cloud", "manager"), default="cloud", help="h4: which API flavour")
    serve.add_argument("--saml-assertion", action="append", default=[], metavar="FILE",
                       help="accept the SAML bearer assertion in FILE (XML); may be repeated")
    serve.add_argument("--vcd-token", action="append", default=[], metavar="TOKEN",
                       help="h4: accept this Cloud Director access token (auth_type vcd_token); may be repeated")
    serve.add_argument("--vcd-cookie", action="append", default=[], metavar="VALUE",
                       help="h4: accept this Cloud Director session cookie (auth_type vcd_cookie); may be repeated")
    serve.add_argument("--vcd-api-token", action="append", default=[], metavar="TOKEN[=USER@ORG]",
                       help="h4: a Cloud Director API token the vcdApiToken login and apiToken extension accept")
    serve.add_argument("--release", default="4.7", help="h4: the VCDA release whose login and extend types to know")

    args = parser.parse_args(argv)
    if args.command == "serve" and args.kind == "vapi" and (args.vcd_token or args.vcd_cookie or args.vcd_api_token):
        parser.error("--vcd-token, --vcd-cookie and --vcd-api-token are for --kind h4: vCenter takes no Cloud Director"
                     " credentials")
    if args.command == "pki":
        from simulators.pki import make_pki  # only here: cryptography is slow to import, and serve needs none of it

        print(json.dumps(make_pki(args.directory).as_dict(), indent=2))
        return 0
    return serve_until_signalled(args)


def read_assertions(paths):
    """The SAML assertions in the files given, as the XML text a client compresses and sends."""
    assertions = set()
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            assertions.add(handle.read().strip())
    return assertions


def _token_identity(value):
    """TOKEN=USER@ORG, or a bare TOKEN that stands for the simulator's default Cloud Director user."""
    from simulators.h4 import DEFAULT_VCD_IDENTITY

    token, _sep, identity = value.partition("=")
    return token, identity or DEFAULT_VCD_IDENTITY


def serve_until_signalled(args):
    saml_tokens = read_assertions(args.saml_assertion)
    if args.kind == "vapi":
        sim = VapiSimulator(args.cert, args.key, saml_tokens=saml_tokens, legacy_only=args.legacy_only,
                            host=args.host, port=args.port, max_sessions=args.max_sessions)
    else:
        sim = H4Simulator(args.cert, args.key, saml_tokens=saml_tokens, vcd_tokens=args.vcd_token,
                          vcd_cookies=args.vcd_cookie, flavour=args.flavour, host=args.host, port=args.port,
                          max_sessions=args.max_sessions, release=args.release,
                          vcd_api_tokens=dict(_token_identity(value) for value in args.vcd_api_token))
    sim.request_logger = print_request_line(args.kind)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    sim.start()
    if args.url_file:
        # Written beside the target and renamed, so a waiting reader never sees an empty or partial URL.
        tmp = "%s.%d.tmp" % (args.url_file, os.getpid())
        with open(tmp, "w") as handle:
            handle.write(sim.url + "\n")
        os.replace(tmp, args.url_file)
    print("%s simulator listening on %s" % (args.kind, sim.url), file=sys.stderr, flush=True)

    # A timed wait keeps the main thread responsive to signals on every Python version.
    while not stop.wait(0.2):
        pass
    sim.stop()
    print("%s simulator stopped" % args.kind, file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
