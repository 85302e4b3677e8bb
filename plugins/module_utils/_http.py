# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Private to sessionkit.vmware (may change in any release): the HTTPS client (host parsing, TLS, proxy, timeout, retries) and its version.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import os
import random
import re
import ssl
import time
import traceback
from collections import namedtuple
from email.utils import parsedate_to_datetime

# The standard library's, not six.moves': six is not otherwise loaded in a module, and importing it costs more than
# the rest of this file.
from urllib.parse import urlsplit

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import (
    OptionError,
    SessionApiError,
    clean_text,
    decode_json,
    describe_body,
)

try:
    import requests
    import requests.exceptions
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

# The one copy of galaxy.yml's version in the code; a unit test keeps the two equal.
COLLECTION_VERSION = "1.0.0"
USER_AGENT = "sessionkit.vmware/%s" % COLLECTION_VERSION

# Gateways and overloaded servers answer these; they are worth another try. A 4xx never is.
RETRY_STATUSES = (502, 503, 504)
# A gateway that answers 504 gave up waiting for the server, which may still have carried the request out.
GATEWAY_TIMEOUT = 504
NOT_RESENT = ("The login was not sent again, because the server may have received it and opened a session that a "
              "second login would leave open; run the task again once the server answers in time")
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0

_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_UNSAFE_IN_HEADER = re.compile(r"[\x00-\x1f\x7f]")
# Common servers and proxies refuse header lines past about 8 kB (Apache 8190 bytes with the header's name, nginx
# 8 kB buffers). One limit for every value sent in a header, an option or a token from a server alike, so that
# whatever token a login accepts is also accepted when it comes back as an option; 8000 leaves room for the name.
MAX_HEADER_VALUE = 8000
MAX_RETRIES = 10


class Endpoint(object):
    """Where an API lives: ``host`` (IPv6 unbracketed), ``port``, ``base_url`` and ``display`` (``host:port``)."""

    def __init__(self, host, port):
        self.host = host
        self.port = port
        shown = "[%s]" % host if ":" in host else host
        self.display = "%s:%d" % (shown, port)
        self.base_url = "https://%s" % self.display


def _checked_host(host, original):
    if not host:
        raise OptionError("hostname '%s' names no host: give a name or address such as vcenter.example.com" % original)
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii") if any(ord(c) > 127 for c in host) else host
    except UnicodeError:
        raise OptionError("hostname '%s' is not a valid host name" % clean_text(original))
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(_DNS_LABEL.match(label) for label in labels):
        raise OptionError("hostname '%s' is not a valid host name or IP address" % clean_text(original))
    return host


def _checked_port(value, source):
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise OptionError("%s '%s' is not a port number: use 1 to 65535" % (source, clean_text(value)))
    if not 1 <= port <= 65535:
        raise OptionError("%s %d is out of range: use 1 to 65535" % (source, port))
    return port


def parse_endpoint(hostname, port=None, default_port=443):
    """An Endpoint from a bare host, ``host:port``, an IPv6 literal or an ``https://`` URL; OptionError otherwise."""
    original = hostname
    text = (hostname or "").strip()
    if not text:
        raise OptionError("hostname is empty: give the server's name or address, such as vcenter.example.com")
    if len(text) > 1024 or any(c.isspace() for c in text) or _UNSAFE_IN_HEADER.search(text):
        raise OptionError("hostname '%s' contains spaces or control characters: give a bare host name or address"
                          % clean_text(text[:80]))
    if "@" in text:
        # Checked first, and never echoed: whatever precedes the @ may be a password.
        raise OptionError("hostname must not carry credentials (it contains '@'): give a bare host name or address, "
                          "and use the username and password options")
    if "://" in text:
        try:
            parts = urlsplit(text)
        except ValueError:
            raise OptionError("hostname '%s' is not a valid URL: give a bare host name or address"
                              % clean_text(text[:80]))
        if parts.scheme.lower() != "https":
            raise OptionError("hostname '%s' uses %s://, but the API is served over HTTPS only: use https:// or "
                              "a bare host name" % (clean_text(text), clean_text(parts.scheme)))
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise OptionError("hostname '%s' has a path or query: give only the scheme, host and port"
                              % clean_text(text))
        text = parts.netloc
    elif "/" in text:
        raise OptionError("hostname '%s' has a path: give only the host name, optionally with :port"
                          % clean_text(text))
    host, host_port = text, None
    if text.startswith("["):
        match = re.match(r"^\[([^\]]+)\](?::(.*))?$", text)
        if not match:
            raise OptionError("hostname '%s' is not a valid bracketed IPv6 address" % clean_text(text))
        host, host_port = match.group(1), match.group(2)
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise OptionError("hostname '%s' is not a valid IPv6 address" % clean_text(text))
    elif text.count(":") == 1:
        host, host_port = text.split(":")
    host = _checked_host(host, original)
    if host_port is not None:
        host_port = _checked_port(host_port, "the port in hostname")
        if port is not None and _checked_port(port, "port") != host_port:
            raise OptionError("hostname names port %d but the port option is %s: give the port in one place only"
                              % (host_port, port))
        return Endpoint(host, host_port)
    return Endpoint(host, _checked_port(port if port is not None else default_port, "port"))


def check_header_value(value, option, base64_encoded=False):
    """Refuse a value that would break out of an HTTP header (header injection), or that no server would take in one,
    before anything is sent. The value is never echoed: it may be a secret.

    ``base64_encoded`` values (a Basic username) travel encoded, so any character can be sent.
    """
    if value is None:
        return value
    if _UNSAFE_IN_HEADER.search(value):
        raise OptionError("%s contains a line break or control character, which cannot be sent in an HTTP header"
                          % option)
    if not base64_encoded:
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise OptionError("%s contains characters outside Latin-1, which an HTTP header cannot carry: session "
                              "tokens and operation IDs are plain ASCII, so check where the value came from" % option)
        if value[:1].isspace():
            # requests refuses such a header only once the request is being sent, with a message naming no option.
            raise OptionError("%s starts with white space, which an HTTP header cannot carry: strip the value, for "
                              "example with the trim filter" % option)
    if len(value) > MAX_HEADER_VALUE:
        raise OptionError("%s is %d characters long, more than the %d an HTTP header can carry: check that it holds "
                          "only the token" % (option, len(value), MAX_HEADER_VALUE))
    return value


class HttpResponse(namedtuple("HttpResponse", "status headers body url attempts")):
    """A complete HTTP answer: ``status``, ``headers`` (case-insensitive), ``body`` bytes and ``attempts`` used."""

    # Why a retryable answer was not retried, for the error's hint; set on an answer that was held back.
    not_resent = None

    @property
    def content_type(self):
        return self.headers.get("Content-Type", "")

    def json(self, secrets=()):
        """The decoded JSON body; SessionApiError when there is none. Content-Type is not trusted (vcsim says text/plain)."""
        data = decode_json(self.body)
        if data is None and self.body.strip() != b"null":
            raise SessionApiError("HTTP %s with %s" % (self.status, describe_body(self.body, self.content_type,
                                                                                  secrets)),
                                  url=self.url, status=self.status)
        return data


def _no_auth(request):
    # An explicit no-op auth stops requests from reading ~/.netrc, whose Basic header would replace ours.
    return request


def _exception_chain(exc):
    """Every exception behind ``exc`` (causes, contexts and urllib3's ``reason``), for classifying it."""
    seen, todo = [], [exc]
    while todo and len(seen) < 20:
        current = todo.pop()
        if current is None or any(current is known for known in seen):
            continue
        seen.append(current)
        todo.extend([getattr(current, "__cause__", None), getattr(current, "__context__", None),
                     getattr(current, "reason", None)])
        todo.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
    return seen


def _tls_reason(text, endpoint, ca_path):
    """Reason and hint for a failed TLS handshake, by what OpenSSL said."""
    lowered = text.lower()
    skip = "or set validate_certs: false to skip verification (only on a network you trust)"
    if "expired" in lowered:
        return ("the server's TLS certificate has expired",
                "Renew the certificate on the server, " + skip)
    if "mismatch" in lowered or "doesn't match" in lowered or "not valid for" in lowered:
        return ("the server's TLS certificate is not valid for the name '%s'" % endpoint.host,
                "Connect with a name that the certificate lists, " + skip)
    if "self-signed" in lowered or "self signed" in lowered:
        where = "is not in ca_path '%s'" % ca_path if ca_path else "is not trusted by this host"
        return ("the server's TLS certificate is self-signed and %s" % where,
                "Set ca_path to a file holding that certificate or the CA that should sign it, " + skip)
    if "verify failed" in lowered or "issuer" in lowered:
        if ca_path:
            return ("the server's TLS certificate is not signed by the CA in ca_path '%s'" % ca_path,
                    "Point ca_path at the CA bundle that signed the server's certificate, " + skip)
        return ("the server's TLS certificate is not signed by a CA this host trusts",
                "Set ca_path to the CA bundle that signed it, " + skip)
    return ("the TLS handshake failed (%s)" % clean_text(text)[:120],
            "Check that %s serves HTTPS on this port" % endpoint.display)


class HttpClient(object):
    """One keep-alive HTTPS connection to an Endpoint; every failure becomes a SessionApiError."""

    def __init__(self, endpoint, validate_certs=True, ca_path=None, timeout=30, proxy_url=None, retries=3,
                 sleep=time.sleep, retry_statuses=RETRY_STATUSES):
        self.endpoint = endpoint
        self.timeout = timeout
        self.retries = retries
        self.retry_statuses = retry_statuses
        self.ca_path = ca_path
        self.proxy_url = proxy_url
        self.validate_certs = validate_certs
        self.max_attempts = 1
        # Whether the last request was sent again after an attempt that may have reached the server: a logout
        # answered 401 then most likely ended the session on that first attempt.
        self.resent_after_reaching = False
        self._sleep = sleep
        self._verify = (ca_path or True) if validate_certs else False
        self._session = requests.Session()
        self._session.auth = _no_auth
        self._session.headers["User-Agent"] = USER_AGENT
        # Passed with each request (as a copy: requests adds the environment's entries to it), not set on the
        # session, where https_proxy from the environment would override it; proxy_url must win.
        self._proxies = {"https": proxy_url} if proxy_url else None
        if not validate_certs:
            # The user chose this; one warning per run from urllib3 would only add noise to module output.
            requests.packages.urllib3.disable_warnings()

    def close(self):
        self._session.close()

    def _backoff(self, attempt):
        return min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)

    def _retry_after(self, response):
        """Seconds from a ``Retry-After`` header (delta or HTTP date), capped by the timeout; None if absent or bad."""
        value = response.headers.get("Retry-After")
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                seconds = parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError, IndexError, OverflowError):
                return None
        return max(0.0, min(seconds, float(self.timeout)))

    def request(self, method, path, headers=None, json_body=None, auth=None, idempotent=None):
        """Send one request, retrying what can heal, and return the HttpResponse whatever its status.

        A non-idempotent request (a login POST) is sent again only when it never reached the server or the server
        refused it without acting (503), because a server that did receive it (a read timeout, a cut answer, a
        gateway's 504) may already have opened a session.
        """
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "DELETE")
        url = self.endpoint.base_url + path
        data = None
        send_headers = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            send_headers["Content-Type"] = "application/json"
        attempt = 0
        self.resent_after_reaching = False
        while True:
            attempt += 1
            self.max_attempts = max(self.max_attempts, attempt)
            try:
                raw = self._session.request(method, url, headers=send_headers, data=data, auth=auth or _no_auth,
                                            timeout=self.timeout, verify=self._verify,
                                            proxies=dict(self._proxies) if self._proxies else None,
                                            allow_redirects=False)
                response = HttpResponse(raw.status_code, raw.headers, raw.content or b"", url, attempt)
            except requests.exceptions.RequestException as exc:
                error, reached_server, retryable = self._transport_error(exc, url)
                if retryable and attempt <= self.retries and (idempotent or not reached_server):
                    self.resent_after_reaching = self.resent_after_reaching or reached_server
                    self._sleep(self._backoff(attempt))
                    continue
                if retryable and attempt <= self.retries:
                    error.hint = "%s. %s" % (error.hint.rstrip("."), NOT_RESENT) if error.hint else NOT_RESENT
                error.attempts = attempt
                raise error
            if response.status == GATEWAY_TIMEOUT and not idempotent and attempt <= self.retries:
                response.not_resent = NOT_RESENT
                return response
            if response.status in self.retry_statuses and attempt <= self.retries:
                wait = self._retry_after(response)
                self._sleep(self._backoff(attempt) if wait is None else wait)
                continue
            return response

    def _transport_error(self, exc, url):
        """(SessionApiError, whether the request may have reached the server, whether trying again may help)."""
        chain = _exception_chain(exc)
        text = " ".join("%s %s" % (type(e).__name__, e) for e in chain)
        lowered = text.lower()
        display = self.endpoint.display
        if any(isinstance(e, requests.exceptions.SSLError) for e in chain):
            reason, hint = _tls_reason(text, self.endpoint, self.ca_path)
            return SessionApiError(reason, url=url, hint=hint), False, False
        if any(isinstance(e, requests.exceptions.ProxyError) for e in chain):
            proxy = urlsplit(self.proxy_url).netloc.rpartition("@")[2] if self.proxy_url else "from https_proxy"
            return (SessionApiError("the proxy (%s) could not connect to %s" % (proxy, display), url=url,
                                    hint="Check proxy_url, or the https_proxy and no_proxy environment variables"),
                    False, True)
        if any(isinstance(e, requests.exceptions.ConnectTimeout) for e in chain):
            return (SessionApiError("no connection to %s within %ss (the timeout option)" % (display, self.timeout),
                                    url=url, hint="Check the host, the port and any firewall between; raise timeout "
                                                  "for a slow network"), False, True)
        if any(isinstance(e, requests.exceptions.ReadTimeout) for e in chain):
            return (SessionApiError("no answer from %s within %ss (the timeout option)" % (display, self.timeout),
                                    url=url, hint="The server is slow or stuck; raise timeout if it is only slow"),
                    True, True)
        if ("name or service not known" in lowered or "nodename nor servname" in lowered
                or "temporary failure in name resolution" in lowered or "nameresolutionerror" in lowered
                or "gaierror" in lowered or "no address associated" in lowered):
            return (SessionApiError("cannot resolve the host name '%s'" % self.endpoint.host, url=url,
                                    hint="Check the hostname option and this machine's DNS settings"), False, False)
        if "refused" in lowered:
            return (SessionApiError("connection refused by %s" % display, url=url,
                                    hint="Check that the port is the API's HTTPS port (usually 443) and that the "
                                         "service is running"), False, True)
        if isinstance(exc, requests.exceptions.ConnectionError) or isinstance(
                exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
            return (SessionApiError("the connection to %s was closed before a complete answer arrived" % display,
                                    url=url, hint="Check for a proxy or load balancer that cuts connections"),
                    True, True)
        return SessionApiError("the request to %s could not be sent (%s)" % (display, type(exc).__name__),
                               url=url), False, False


def http_client(params, retry_statuses=RETRY_STATUSES):
    """An HttpClient for the endpoint and transport options in ``params``, which retries answers of
    ``retry_statuses``; OptionError for values that cannot work."""
    endpoint = parse_endpoint(params["hostname"], params["port"])
    if params["timeout"] < 1:
        raise OptionError("timeout %d is not a positive number of seconds" % params["timeout"])
    if not 0 <= params["retries"] <= MAX_RETRIES:
        raise OptionError("retries %d is out of range: use 0 to %d" % (params["retries"], MAX_RETRIES))
    ca_path = params["ca_path"]
    if ca_path and not (os.path.isfile(ca_path) and os.access(ca_path, os.R_OK)):
        raise OptionError("ca_path '%s' is not a readable file: give the path of a PEM CA bundle" % ca_path)
    if ca_path and params["validate_certs"]:
        # Loaded here so that a wrong file is named as such, not blamed on the server's handshake later.
        try:
            ssl.create_default_context(cafile=ca_path)
        except (ssl.SSLError, OSError, ValueError):
            raise OptionError("ca_path '%s' holds no PEM certificate: give a file of CA certificates in PEM form "
                              "(-----BEGIN CERTIFICATE-----)" % ca_path)
    proxy_url = params["proxy_url"]
    if proxy_url and not proxy_url.lower().startswith(("http://", "https://")):
        raise OptionError("proxy_url must start with http:// or https://, such as http://proxy.example.com:3128")
    return HttpClient(endpoint, validate_certs=params["validate_certs"], ca_path=ca_path,
                      timeout=params["timeout"], proxy_url=proxy_url, retries=params["retries"],
                      retry_statuses=retry_statuses)


def connection_options(client):
    """The endpoint and transport options of ``client``, as ``http_client`` takes them: what a later logout needs."""
    return dict(hostname=client.endpoint.host, port=client.endpoint.port, validate_certs=client.validate_certs,
                ca_path=client.ca_path, timeout=client.timeout, proxy_url=client.proxy_url, retries=client.retries)
