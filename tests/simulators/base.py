# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared machinery of the API simulators: an HTTPS/1.1 server on loopback with sessions, records and fault switches.

A subclass implements ``route(request) -> Response`` and ``error_response(status, request) -> Response`` (its API's own
error shape, used for scripted failures). Everything a test reads or flips is guarded by one lock, because requests
are served on their own threads.
"""

import copy
import datetime
import http.server
import json
import secrets
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit


class HeaderDict(dict):
    """Request headers keyed by lower-case name; lookups with any spelling work. Repeated headers are comma-joined."""

    def __init__(self, items=()):
        super().__init__()
        for name, value in items:
            name = name.lower()
            super().__setitem__(name, value if name not in self else "%s, %s" % (self[name], value))

    def __getitem__(self, name):
        return super().__getitem__(name.lower())

    def __setitem__(self, name, value):
        super().__setitem__(name.lower(), value)

    def __contains__(self, name):
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name, default=None):
        return super().get(name.lower(), default)


@dataclass
class RequestRecord:
    """One request as the server received it. ``status`` is filled in once answered (None: connection was reset)."""

    method: str
    path: str  # as sent, including the query string
    headers: HeaderDict
    body: bytes
    connection_id: int  # 1 for the first TCP connection accepted since the last reset, and so on
    status: int = None

    @property
    def route(self):
        """The path without its query string."""
        return urlsplit(self.path).path

    @property
    def query(self):
        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)

    def json(self):
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = None
    headers: dict = field(default_factory=dict)


def json_response(status, value, content_type="application/json", headers=None):
    return Response(status, json.dumps(value).encode("utf-8"), content_type, dict(headers or {}))


@dataclass
class Session:
    token: str
    user: str
    created: datetime.datetime
    last_accessed: datetime.datetime
    details: dict = field(default_factory=dict)  # API-specific: login type, roles, sites...


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso_time(moment):
    """ISO-8601 with milliseconds and a Z, the way vCenter prints times: 2026-11-22T07:00:00.000Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


@dataclass
class Fault:
    kind: str  # "respond", "delay", "reset", or an API-specific kind such as "omit_token"
    remaining: int = None  # None: until cleared
    status: int = 503
    body: object = None  # None: the API's own error body for ``status``
    content_type: str = None
    headers: dict = field(default_factory=dict)
    html: bool = False
    seconds: float = 0.0
    method: str = None  # None: any method
    route: str = None  # None: any path

    def applies_to(self, request):
        return request is None or ((self.method is None or request.method == self.method)
                                   and (self.route is None or request.route == self.route))


# Returned by a fault instead of a Response: the handler breaks the connection instead of answering.
RESET = object()


class SimServer:
    """Base of VapiSimulator and H4Simulator. See the module docstring; the public surface is listed in __init__."""

    kind = "base"

    def __init__(self, certfile, keyfile, host="127.0.0.1", port=0, max_sessions=None):
        self.certfile = certfile
        self.keyfile = keyfile
        self.host = host
        self.requested_port = port
        # Called with each answered RequestRecord (from the serving thread); run.py logs through it.
        self.request_logger = None
        self._lock = threading.RLock()
        self._httpd = None
        self._thread = None
        self._stopping = threading.Event()
        self._live_sockets = set()
        # Options a test may change on a shared server; reset() puts these values back.
        self._defaults = {"max_sessions": max_sessions}
        self.reset()

    # ----- lifecycle

    def start(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certfile, self.keyfile)
        self._stopping.clear()
        self._httpd = _TLSServer((self.host, self.requested_port), self, context)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="%s-simulator" % self.kind, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        # Kept-alive connections would otherwise keep their threads (and the port's clients) waiting.
        with self._lock:
            live = list(self._live_sockets)
        for sock in live:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(5)
        self._httpd = None
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self._httpd.server_address[1]

    @property
    def url(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "https://%s:%d" % (host, self.port)

    # ----- records, counters and sessions

    def reset(self):
        """Forget records, counters, sessions and faults, and put changed options back to the constructor's values."""
        with self._lock:
            self.requests = []
            self.connections = 0
            self.logins = 0
            self.logouts = 0
            self.failed_logins = 0
            # The most sessions open at once since the last reset: exact, counted where sessions open.
            self.peak_sessions = 0
            self._sessions = {}
            self._faults = []
            for name, value in self._defaults.items():
                setattr(self, name, copy.deepcopy(value))
            self._reset_api_state()

    def _reset_api_state(self):
        """Subclass hook, called under the lock by reset()."""

    @property
    def open_sessions(self):
        with self._lock:
            return len(self._sessions)

    @property
    def sessions(self):
        """A snapshot: token -> Session."""
        with self._lock:
            return dict(self._sessions)

    def expire(self, token):
        """Drop one session as an idle timeout would; its token then gets 401. Returns whether it existed."""
        with self._lock:
            return self._sessions.pop(token, None) is not None

    def expire_all(self):
        with self._lock:
            count = len(self._sessions)
            self._sessions.clear()
            return count

    def requests_to(self, route=None, method=None):
        """The recorded requests for ``route`` (a path without its query string) and ``method``, each None for any:
        the one place tests count requests (len) or read their statuses."""
        with self._lock:
            return [r for r in self.requests
                    if (route is None or r.route == route) and (method is None or r.method == method)]

    def stats(self):
        """The counters as one dict: what GET /_sim/stats answers, and what the benchmark records."""
        with self._lock:
            return {"logins": self.logins, "logouts": self.logouts, "open_sessions": len(self._sessions),
                    "failed_logins": self.failed_logins, "peak_sessions": self.peak_sessions,
                    "requests": len(self.requests),
                    "connections": self.connections}

    def _open_session(self, user, **details):
        """A new session for ``user``, or None when ``max_sessions`` of theirs are already open."""
        with self._lock:
            if self.max_sessions is not None:
                if sum(1 for s in self._sessions.values() if s.user == user) >= self.max_sessions:
                    self.failed_logins += 1
                    return None
            now = utc_now()
            session = Session(secrets.token_hex(16), user, now, now, details)
            self._sessions[session.token] = session
            self.logins += 1
            self.peak_sessions = max(self.peak_sessions, len(self._sessions))
            return session

    def _find_session(self, token):
        """The live session for ``token`` (its last access time updated), or None."""
        with self._lock:
            session = self._sessions.get(token) if token else None
            if session is not None:
                session.last_accessed = utc_now()
            return session

    def _close_session(self, token):
        with self._lock:
            if not token or self._sessions.pop(token, None) is None:
                return False
            self.logouts += 1
            return True

    def _login_failed(self):
        with self._lock:
            self.failed_logins += 1

    # ----- fault switches

    def fail_next(self, count=1, status=503, body=None, content_type=None, headers=None, retry_after=None,
                  method=None, route=None):
        """The next ``count`` requests get ``status``; ``body`` None means the API's own error body for it.

        ``method`` and ``route`` limit the fault to matching requests, so that a login can pass and the call after it
        fail.
        """
        headers = self._fault_headers(headers, retry_after)
        return self._add_fault(Fault("respond", count, status, body, content_type, headers, method=method, route=route))

    def fail_always(self, status=503, body=None, content_type=None, headers=None, retry_after=None):
        headers = self._fault_headers(headers, retry_after)
        return self._add_fault(Fault("respond", None, status, body, content_type, headers))

    def html_error(self, status=502, count=None):
        """Answer like a reverse proxy whose backend is down: an HTML page labelled text/html."""
        return self._add_fault(Fault("respond", count, status, html=True))

    def delay(self, seconds, count=None):
        """Sleep ``seconds`` before answering (then answer normally, or with any other fault)."""
        return self._add_fault(Fault("delay", count, seconds=seconds))

    def reset_connection(self, count=1, after_handling=False, method=None, route=None):
        """Send a status line and half a header, then reset the TCP connection.

        With ``after_handling``, the request is carried out first (a login opens its session, a logout ends it) and
        only its answer is lost. ``method`` and ``route`` limit the fault to matching requests.
        """
        kind = "reset_after" if after_handling else "reset"
        return self._add_fault(Fault(kind, count, method=method, route=route))

    def clear_faults(self):
        with self._lock:
            self._faults = []

    @staticmethod
    def _fault_headers(headers, retry_after):
        headers = dict(headers or {})
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return headers

    def _add_fault(self, fault):
        """Switch ``fault`` on; returns the simulator, so that a test can start one and switch its faults in a line."""
        if fault.remaining is not None and fault.remaining <= 0:
            return self
        with self._lock:
            self._faults.append(fault)
        return self

    def _take_fault(self, kind, request=None):
        """Use up one application of a fault of ``kind`` that applies to ``request``; counted faults go before
        standing ones, oldest first."""
        with self._lock:
            candidates = [f for f in self._faults if f.kind == kind and f.applies_to(request)]
            counted = [f for f in candidates if f.remaining is not None]
            fault = (counted or candidates or [None])[0]
            if fault is not None and fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
            return fault

    def _fault_response(self, fault, request):
        if fault.html:
            phrase = _phrase(fault.status)
            page = ("<html><body><h1>%d %s</h1><p>The upstream server did not answer.</p>"
                    "<hr><address>proxy</address></body></html>\n" % (fault.status, phrase))
            return Response(fault.status, page.encode("utf-8"), "text/html", dict(fault.headers))
        if fault.body is None:
            response = self.error_response(fault.status, request)
        elif isinstance(fault.body, (dict, list)):
            response = json_response(fault.status, fault.body)
        else:
            body = fault.body.encode("utf-8") if isinstance(fault.body, str) else bytes(fault.body)
            response = Response(fault.status, body, "text/plain")
        if fault.content_type is not None:
            response.content_type = fault.content_type
        response.headers.update(fault.headers)
        return response

    # ----- request handling

    def route(self, request):
        raise NotImplementedError

    def error_response(self, status, request):
        raise NotImplementedError

    def _dispatch(self, request):
        """Answer one request: control endpoints, then faults, then the API itself."""
        if request.route.startswith("/_sim/"):
            # The demo and benchmarks read counters from another process; these are not part of the API, so they
            # are neither recorded nor subject to faults.
            return self._control(request)
        with self._lock:
            self.requests.append(request)
        delay = self._take_fault("delay")
        if delay is not None:
            self._stopping.wait(delay.seconds)
        if self._take_fault("reset", request) is not None:
            return RESET
        fault = self._take_fault("respond", request)
        if fault is not None:
            return self._fault_response(fault, request)
        try:
            response = self.route(request)
        except Exception:  # a simulator bug: show it, and answer like a broken server would
            traceback.print_exc()
            return self.error_response(500, request)
        return RESET if self._take_fault("reset_after", request) is not None else response

    def _control(self, request):
        if request.method == "GET" and request.route == "/_sim/stats":
            return json_response(200, self.stats())
        if request.method == "POST" and request.route == "/_sim/reset":
            self.reset()
            return Response(204)
        return Response(404, b"unknown simulator control path\n", "text/plain")

    def _connection_opened(self):
        with self._lock:
            self.connections += 1
            return self.connections

    def _track(self, sock, alive):
        with self._lock:
            if alive:
                self._live_sockets.add(sock)
            else:
                self._live_sockets.discard(sock)

    def _answered(self, request):
        logger = self.request_logger
        if logger is not None:
            logger(request)


def _phrase(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class _TLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, sim, context):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.sim = sim
        self.context = context
        super().__init__(address, _Handler)

    def server_bind(self):
        # HTTPServer.server_bind would do a reverse DNS lookup (getfqdn), which can stall on a host without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def finish_request(self, request, client_address):
        # The TLS handshake happens here, on the connection's own thread, so one slow client cannot block accept().
        raw = request
        connection_id = self.sim._connection_opened()
        raw.settimeout(10)
        # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm and the client's
        # delayed ACK would add ~40 ms to many responses.
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client rejected our certificate or went away: nothing to serve
        tls.sim_connection_id = connection_id
        self.sim._track(tls, True)
        try:
            self.RequestHandlerClass(tls, client_address, self)
        except (ConnectionError, TimeoutError, ssl.SSLError):
            pass  # clients hang up mid-request in fault tests; that is not a server error
        finally:
            self.sim._track(tls, False)
            tls.close()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: several requests per connection, as real clients use them
    timeout = 30  # an idle kept-alive connection is closed after this, as real servers do
    server_version = "sessionkit-simulator"

    def version_string(self):
        return self.server_version  # the Server header, without Python's version

    def log_message(self, format, *args):
        pass  # SimServer.request_logger replaces the default per-request line on stderr

    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self):
        sim = self.server.sim
        record = RequestRecord(self.command, self.path, HeaderDict(self.headers.items()), self._read_body(),
                               self.connection.sim_connection_id)
        response = sim._dispatch(record)
        if response is RESET:
            self._break_connection()
        else:
            record.status = response.status  # before sending: a test may look as soon as its reply arrives
            self._send(response)
        sim._answered(record)

    def _read_body(self):
        # The body must be read in full, or the next request on a kept-alive connection would start mid-body.
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, response):
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        has_body = response.status not in (204, 304) and response.status >= 200
        if has_body:  # RFC 9110: a 204 carries no Content-Length
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if has_body and response.body:
            self.wfile.write(response.body)

    def _break_connection(self):
        # A status line and part of the headers, then close without TLS close_notify and with SO_LINGER 0, which
        # makes the kernel send a TCP RST, like a crashing proxy. The Content-Length already sent promises a body
        # that never comes, so a client that takes the cut-off headers as complete still fails with an
        # incomplete read rather than seeing a 200. The short pause lets the partial bytes reach the client
        # before the RST discards anything still unsent.
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 64\r\nX-Cut: of")
            time.sleep(0.05)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        self.rfile.close()  # rfile holds a reference to the socket; drop it so close() really closes it now
        self.connection.close()


def print_request_line(kind, stream=None):
    """A request_logger writing one line per request, without header values or bodies (they carry secrets)."""
    stream = stream or sys.stderr

    def log(record):
        status = record.status if record.status is not None else "reset"
        stream.write("%s conn=%d %s %s -> %s\n" % (kind, record.connection_id, record.method, record.path, status))
        stream.flush()

    return log
