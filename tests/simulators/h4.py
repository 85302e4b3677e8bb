# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""VMware Cloud Director Availability ("H4") API simulator: POST/GET/DELETE /sessions, POST /sessions/extend,
DELETE /sessions/{site} and GET /diagnostics/about.

Status codes, bodies, media types and headers follow /work/shared/reference/api-facts.md, seeds/vcda-login.txt and
vcda-sessions.md, which also says which login and extend types each release knows.
"""

import json
import re
import time
import uuid
from urllib.parse import unquote

from .base import Response, SimServer, Fault, json_response
from .vapi import saml_subject

DEFAULT_SSO_USERS = {"administrator@vsphere.local": "VMware1!"}
DEFAULT_LOCAL_USERS = {"root": "vmware"}
DEFAULT_VCD_USERS = {"tenant-admin@acme": "Tenant1!"}
DEFAULT_VERSIONS = ["4.0", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7"]
# Every vendor media type version a release of some major may accept; vCloud Availability 3.0 clients send "3".
KNOWN_VERSIONS = ["3", "3.0", "3.5"] + DEFAULT_VERSIONS
NEWEST_RELEASE = "4.7"
DEFAULT_PEER_SITES = ("site-b", "site-c")
# Whom a vcdAccessToken or vcdCookie stands for when vcd_tokens / vcd_cookies are given as a plain set.
DEFAULT_VCD_IDENTITY = "tenant-admin@acme"

TOKEN_HEADER = "X-VCAV-Auth"
EXPIRED_CHALLENGE = {"WWW-Authenticate": "Authentication Token Required"}
PLAIN_JSON = "application/json;charset=UTF-8"
VCD_TYPES = ("vcdCredentials", "vcdAccessToken", "vcdCookie", "vcdApiToken")
# (first release, first release without it or None) of each login and extend type, from vcda-sessions.md §1 and §3.
# 4.1 and 4.2 document the JWT extension as type vcdAccessToken; the 4.5+ schema names it accessToken.
LOGIN_TYPES = {
    "ssoCredentials": ("3.0", None), "ssoToken": ("3.0", None), "localUser": ("3.0", None),
    "vcdCredentials": ("3.0", None), "vcdCookie": ("3.0", "4.5"), "vcdAccessToken": ("4.1", None),
    "vcdApiToken": ("4.7", None),
}
EXTEND_TYPES = {
    "credentials": ("3.0", None), "cookie": ("3.0", "4.5"), "vcdAccessToken": ("4.1", "4.5"),
    "accessToken": ("4.5", None), "multisite": ("4.2", None), "apiToken": ("4.7", None),
}
SSO_TOKEN_WINDOW_MS = 10 * 60 * 1000  # the ssoToken timestamp must be this close to the server's clock

_VENDOR_TYPE = re.compile(r"application/vnd\.vmware\.h4-v(\d+(?:\.\d+)?)\+json", re.IGNORECASE)
_VCD_USER = re.compile(r"^[^@\s]+@[^@\s]+$")

# code and msg of the ApiError for each status the simulator produces or a test may script.
_ERRORS = {
    400: ("BadUserInput", "Bad user input."),
    401: ("NotAuthenticated", "Authentication required."),
    403: ("Forbidden", "Permission denied."),
    404: ("NotFound", "Not found."),
    406: ("NotAcceptable", "Not acceptable."),
    415: ("UnsupportedMediaType", "Unsupported media type."),
}
_SERVER_FAILURE = ("GeneralServerFailure", "General server failure.")
# The seed's example: code Forbidden comes from a PermissionDeniedException. Other codes map to <code>Exception.
_EXCEPTIONS = {"Forbidden": "PermissionDeniedException"}


class ApiFailure(Exception):
    """Raised inside a handler to answer with an ApiError."""

    def __init__(self, status, code, msg, headers=None):
        super().__init__(msg)
        self.status, self.code, self.msg, self.headers = status, code, msg, headers or {}


def bad_input(msg):
    return ApiFailure(400, "BadUserInput", msg)


def not_authenticated(headers=None):
    return ApiFailure(401, "NotAuthenticated", "Authentication required.", headers)


def api_error_body(code, msg):
    exception = _EXCEPTIONS.get(code, code + "Exception")
    # Two lines, like a real Java stack trace, so a client that leaks it into its messages is easy to spot.
    stacktrace = ("com.vmware.h4.api.error.exceptions.%s: %s\n"
                  "\tat com.vmware.h4.common.rest.ApiExceptionHandler.handle(ApiExceptionHandler.java:57)"
                  % (exception, msg))
    return {"args": [], "code": code, "msg": msg, "stacktrace": stacktrace}


def _version_key(version):
    return tuple(int(part) for part in version.split("."))


def types_of(table, release):
    """The types of LOGIN_TYPES or EXTEND_TYPES that ``release`` knows, in the table's order."""
    key = _version_key(release)
    return [name for name, (since, until) in table.items()
            if _version_key(since) <= key and (until is None or key < _version_key(until))]


def versions_of(release):
    """The media type versions a release accepts: those of its major version up to itself ("3" only on 3.x)."""
    key = _version_key(release)
    return [v for v in KNOWN_VERSIONS if _version_key(v)[0] == key[0] and _version_key(v) <= key
            and (key[0] == 3 or "." in v)]


def _identities(value):
    """vcd_tokens / vcd_cookies: a dict value -> "user@org", or a plain collection of values (DEFAULT_VCD_IDENTITY)."""
    if isinstance(value, dict):
        return dict(value)
    return {item: DEFAULT_VCD_IDENTITY for item in (value or ())}


class H4Simulator(SimServer):
    """One Cloud Director Availability service. ``flavour`` "cloud" accepts the vcd* login types, "manager" does not.

    ``release`` (such as "3.5", "4.2", "4.7") decides which login and extend types are known, and by default which
    media type versions are accepted. ``peer_sites`` are the remote sites a session can be extended to; the
    Cloud Director identities (vcd_users, vcd_tokens, vcd_api_tokens, vcd_cookies) are valid on every site.
    ``null_sites`` answers ``authenticatedSites: null`` for a session with no site, as the on-premises appliance does.
    """

    kind = "h4"

    def __init__(self, certfile, keyfile, sso_users=None, local_users=None, vcd_users=None, vcd_tokens=None,
                 vcd_cookies=None, saml_tokens=(), supported_versions=None, unsupported_status=406, flavour="cloud",
                 site="site-a", host="127.0.0.1", port=0, max_sessions=None, release=NEWEST_RELEASE,
                 vcd_api_tokens=None, peer_sites=DEFAULT_PEER_SITES, null_sites=False):
        super().__init__(certfile, keyfile, host=host, port=port, max_sessions=max_sessions)
        if flavour not in ("cloud", "manager"):
            raise ValueError("flavour must be 'cloud' or 'manager'")
        if release not in KNOWN_VERSIONS or "." not in release:
            raise ValueError("release must be one of %s" % ", ".join(v for v in KNOWN_VERSIONS if "." in v))
        self.instance_id = str(uuid.uuid4())
        self._defaults.update(
            sso_users=dict(DEFAULT_SSO_USERS if sso_users is None else sso_users),
            local_users=dict(DEFAULT_LOCAL_USERS if local_users is None else local_users),
            vcd_users=dict(DEFAULT_VCD_USERS if vcd_users is None else vcd_users),
            vcd_tokens=_identities(vcd_tokens),
            vcd_cookies=_identities(vcd_cookies),
            vcd_api_tokens=_identities(vcd_api_tokens),
            saml_tokens=set(saml_tokens),
            supported_versions=list(versions_of(release) if supported_versions is None else supported_versions),
            release=release,
            peer_sites=list(peer_sites),
            null_sites=null_sites,
            unsupported_status=unsupported_status,
            flavour=flavour,
            site=site)
        self.reset()

    def _reset_api_state(self):
        self._seen_nonces = set()
        self.extensions = 0
        self.failed_extensions = 0
        self.shrinks = 0

    def omit_token_header(self, count=1):
        """The next ``count`` successful logins answer 200 without the X-VCAV-Auth header (the session is created)."""
        # Kept in the shared fault list, so clear_faults() and reset() cover it too.
        return self._add_fault(Fault("omit_token", count))

    def garble_login_body(self, count=1):
        """The next ``count`` successful logins answer 200 with the X-VCAV-Auth header but an HTML body instead of
        the session details, as a proxy that rewrites bodies would (the session is created)."""
        return self._add_fault(Fault("garble_body", count))

    @property
    def operation_ids(self):
        """The operationID header of each recorded request (None where absent)."""
        with self._lock:
            return [r.headers.get("operationID") for r in self.requests]

    @property
    def accept_headers(self):
        with self._lock:
            return [r.headers.get("Accept") for r in self.requests]

    # ----- media types and errors

    def _negotiate(self, request):
        """(version, acceptable): the supported vendor version Accept asks for, or None for plain JSON.

        Not acceptable only when Accept names vendor versions, none of them supported, and no generic JSON type.
        """
        accept = request.headers.get("Accept", "")
        asked = _VENDOR_TYPE.findall(accept)
        for version in asked:
            if version in self.supported_versions:
                return version, True
        if not asked:
            return None, True
        generic = {part.split(";")[0].strip().lower() for part in accept.split(",")}
        return None, bool(generic & {"application/json", "application/*", "*/*"})

    def _vendor_type(self, version):
        version = version or max(self.supported_versions, key=_version_key)
        return "application/vnd.vmware.h4-v%s+json;charset=UTF-8" % version

    def _api_error(self, status, code, msg, version, headers=None):
        # Error bodies always carry the vendor media type (v4.7 unless the client asked for another supported one).
        return json_response(status, api_error_body(code, msg), self._vendor_type(version), headers)

    def error_response(self, status, request):
        code, msg = _ERRORS.get(status, _SERVER_FAILURE)
        headers = EXPIRED_CHALLENGE if status == 401 else None
        return self._api_error(status, code, msg, self._negotiate(request)[0], headers)

    def _success(self, value, version, headers=None):
        content_type = self._vendor_type(version) if version else PLAIN_JSON
        return json_response(200, value, content_type, headers)

    # ----- routing

    def route(self, request):
        version, acceptable = self._negotiate(request)
        if not acceptable:
            accept = request.headers.get("Accept", "")
            code = "NotAcceptable" if self.unsupported_status == 406 else "UnsupportedMediaType"
            return self._api_error(self.unsupported_status, code,
                                   "Unsupported API version in Accept '%s'. Supported versions: %s."
                                   % (accept, ", ".join(self.supported_versions)), None)
        handlers = {
            ("POST", "/sessions"): self._login,
            ("GET", "/sessions"): self._info,
            ("DELETE", "/sessions"): self._logout,
            ("GET", "/diagnostics/about"): self._about,
            ("GET", "/inventory/vapps"): self._vapps,
        }
        handlers[("POST", "/sessions/extend")] = self._extend
        handler = handlers.get((request.method, request.route))
        if handler is None and request.method == "DELETE" and request.route.startswith("/sessions/"):
            handler = self._shrink
        try:
            if handler is None:
                raise ApiFailure(404, "NotFound", "Not found: %s %s." % (request.method, request.route))
            return handler(request, version)
        except ApiFailure as failure:
            return self._api_error(failure.status, failure.code, failure.msg, version, failure.headers)

    # ----- session calls

    def _authenticated(self, request):
        """The caller's session; a ``site`` query parameter must name the local site or one the session extends to."""
        session = self._find_session(request.headers.get(TOKEN_HEADER))
        if session is None:
            raise not_authenticated(EXPIRED_CHALLENGE)
        for site in request.query.get("site", []):
            if site != self.site and site not in self._site_names(session):
                raise ApiFailure(401, "NotAuthenticated", "Remote site '%s' is not authenticated." % site)
        return session

    def _site_names(self, session):
        with self._lock:
            return [entry["site"] for entry in session.details.get("authenticatedSites") or []]

    def _info(self, request, version):
        return self._success(self._details(self._authenticated(request)), version)

    def _logout(self, request, version):
        if not self._close_session(request.headers.get(TOKEN_HEADER)):
            raise not_authenticated(EXPIRED_CHALLENGE)
        return Response(204)

    def _about(self, request, version):
        self._authenticated(request)
        site = (request.query.get("site") or [self.site])[0]
        return self._success({"productName": "VMware Cloud Director Availability", "version": self.release + ".0",
                              "buildVersion": self.release + ".0.12345678", "buildDate": "2026-01-15T00:00:00Z",
                              "instanceId": self.instance_id, "site": site}, version)

    def _vapps(self, request, version):
        """A call that works per site: the local one, or with ``?site=`` one the session is extended to."""
        self._authenticated(request)
        site = (request.query.get("site") or [self.site])[0]
        return self._success([{"id": "vapp-%s-1" % site, "name": "web-%s" % site, "site": site}], version)

    def _details(self, session):
        details = {"user": session.user, "roles": list(session.details["roles"])}
        with self._lock:
            sites = session.details.get("authenticatedSites")
            if sites:
                details["authenticatedSites"] = [dict(site) for site in sites]
            elif self.null_sites:
                details["authenticatedSites"] = None
            elif sites is not None:
                details["authenticatedSites"] = []
        return details

    def _json_object(self, request):
        media_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise ApiFailure(415, "UnsupportedMediaType",
                             "Content type '%s' is not supported; send application/json."
                             % request.headers.get("Content-Type", ""))
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise bad_input("The request body is not valid JSON.")
        if not isinstance(data, dict):
            raise bad_input("The request body must be a JSON object.")
        return data

    def _login(self, request, version):
        data = self._json_object(request)
        login_type = data.get("type")
        check = {
            "ssoCredentials": self._check_sso_credentials,
            "ssoToken": self._check_sso_token,
            "localUser": self._check_local_user,
            "vcdCredentials": self._check_vcd_credentials,
            "vcdAccessToken": self._check_vcd_access_token,
            "vcdCookie": self._check_vcd_cookie,
            "vcdApiToken": self._check_vcd_api_token,
        }.get(login_type) if isinstance(login_type, str) else None
        if check is None or login_type not in types_of(LOGIN_TYPES, self.release):
            raise bad_input("Unknown session type %s: expected one of %s."
                            % (json.dumps(login_type), ", ".join(self._login_types())))
        if login_type in VCD_TYPES and self.flavour != "cloud":
            raise bad_input("Session type '%s' is not supported by this service: expected one of %s."
                            % (login_type, ", ".join(self._login_types())))
        try:
            user, org = check(data)
        except ApiFailure as failure:
            if failure.status == 401:
                self._login_failed()
            raise
        details = {"type": login_type, "roles": ["ADMINISTRATORS"], "principal": data.get("principal")}
        if login_type in VCD_TYPES:
            details["authenticatedSites"] = [{"site": self.site, "org": org}]
        session = self._open_session(user, **details)
        if session is None:
            # The appliance documents no session limit; GeneralServerFailure (503) is the closest thing it could
            # answer, and it lets tests drive the same "too many sessions" path as on vCenter.
            raise ApiFailure(503, "GeneralServerFailure",
                             "Failed to login: the maximum number of sessions for user %s has been reached." % user)
        headers = {} if self._take_fault("omit_token") else {TOKEN_HEADER: session.token}
        if self._take_fault("garble_body"):
            return Response(200, b"<html><head><title>Portal</title></head></html>\n", "text/html", headers)
        return self._success(self._details(session), version, headers)

    def _login_types(self):
        return [t for t in types_of(LOGIN_TYPES, self.release) if self.flavour == "cloud" or t not in VCD_TYPES]

    # ----- multi-site: POST /sessions/extend and DELETE /sessions/{site}

    def _extend(self, request, version):
        session = self._authenticated(request)
        data = self._json_object(request)
        extend_type = data.get("type")
        known = types_of(EXTEND_TYPES, self.release)
        check = {
            "credentials": self._check_remote_credentials,
            "cookie": lambda d, s: self._vcd_identity(self.vcd_cookies, _field(d, "cookie", str))[1],
            "vcdAccessToken": lambda d, s: self._check_remote_jwt(d, "vcdAccessToken"),
            "accessToken": lambda d, s: self._check_remote_jwt(d, "accessToken"),
            "multisite": self._check_remote_multisite,
            "apiToken": lambda d, s: self._api_token_org(_field(d, "token", str), _field(d, "org", str)),
        }.get(extend_type) if isinstance(extend_type, str) else None
        if check is None or extend_type not in known:
            raise bad_input("Unknown extension type %s: expected one of %s."
                            % (json.dumps(extend_type), ", ".join(known)))
        site = _field(data, "site", str)
        if site == self.site or site not in self.peer_sites:
            raise bad_input("Site '%s' is not a remote site of %s: expected one of %s."
                            % (site, self.site, ", ".join(self.peer_sites)))
        try:
            org = check(data, session)
        except ApiFailure as failure:
            if failure.status != 401:
                raise
            with self._lock:
                self.failed_extensions += 1
            raise ApiFailure(401, "RemoteAuthenticationFailure", "Authentication to site '%s' failed." % site)
        with self._lock:
            sites = [s for s in session.details.get("authenticatedSites") or [] if s["site"] != site]
            session.details["authenticatedSites"] = sites + [{"site": site, "org": org}]
            self.extensions += 1
        return self._success(self._details(session), version)

    def _shrink(self, request, version):
        session = self._authenticated(request)
        site = unquote(request.route[len("/sessions/"):])
        if not site or site == self.site:
            raise bad_input("Site '%s' is the local site, which a session cannot be shrunk from." % site)
        with self._lock:
            sites = session.details.get("authenticatedSites") or []
            if any(s["site"] == site for s in sites):
                session.details["authenticatedSites"] = [s for s in sites if s["site"] != site]
                self.shrinks += 1
        return self._success(self._details(session), version)

    def _check_remote_credentials(self, data, session):
        return self._check_vcd_credentials({"vcdUser": _field(data, "vcdUsername", str),
                                            "vcdPassword": _field(data, "vcdPassword", str)})[1]

    def _check_remote_jwt(self, data, field_name):
        _field(data, "context", str, required=False)
        return self._vcd_identity(self.vcd_tokens, _field(data, field_name, str))[1]

    def _check_remote_multisite(self, data, session):
        """The remote org must be one the Cloud Director identities know, and the session must belong to an org."""
        org = _field(data, "org", str)
        known = {identity.rpartition("@")[2] for store in (self.vcd_users, self.vcd_tokens, self.vcd_api_tokens,
                                                           self.vcd_cookies) for identity in store}
        if session.details.get("type") not in VCD_TYPES or org not in known:
            raise not_authenticated()
        return org

    # Each _check_* validates its fields (400) and credentials (401), and returns (user, org or None).

    def _check_sso_credentials(self, data):
        username = _field(data, "username", str)
        password = _field(data, "password", str)
        principal = _field(data, "principal", str, required=False)
        if self.sso_users.get(username) != password:
            raise not_authenticated()
        # principal binds the session to another identity; the simulator lets every SSO user impersonate.
        return principal or username, None

    def _check_sso_token(self, data):
        token = _field(data, "samlToken", str)
        timestamp = _field(data, "timestamp", int)
        nonce = _field(data, "nonce", str)
        _field(data, "signature", str, required=False)  # only holder-of-key tokens need it; not verified here
        principal = _field(data, "principal", str, required=False)
        if not nonce:
            raise bad_input("Field 'nonce' must not be empty.")
        if abs(time.time() * 1000 - timestamp) > SSO_TOKEN_WINDOW_MS:
            raise not_authenticated()
        with self._lock:
            replayed = nonce in self._seen_nonces
            self._seen_nonces.add(nonce)
        if replayed or token not in self.saml_tokens:
            raise not_authenticated()
        return principal or saml_subject(token), None

    def _check_local_user(self, data):
        user = _field(data, "localUser", str)
        password = _field(data, "localPassword", str)
        if self.local_users.get(user) != password:
            raise not_authenticated()
        return user, None

    def _check_vcd_credentials(self, data):
        user = _field(data, "vcdUser", str)
        password = _field(data, "vcdPassword", str)
        if not _VCD_USER.match(user):
            raise bad_input("Field 'vcdUser' must be in the form user@org, got '%s'." % user)
        if self.vcd_users.get(user) != password:
            raise not_authenticated()
        return user, user.rpartition("@")[2]

    def _check_vcd_access_token(self, data):
        token = _field(data, "vcdAccessToken", str)
        _field(data, "context", (str, dict), required=False)
        return self._vcd_identity(self.vcd_tokens, token)

    def _check_vcd_cookie(self, data):
        return self._vcd_identity(self.vcd_cookies, _field(data, "vcdCookie", str))

    def _check_vcd_api_token(self, data):
        token, org = _field(data, "apiToken", str), _field(data, "org", str)
        return self.vcd_api_tokens.get(token), self._api_token_org(token, org)

    def _api_token_org(self, token, org):
        """An API token is valid only with the short name of its own organization."""
        identity = self.vcd_api_tokens.get(token)
        if identity is None or identity.rpartition("@")[2].lower() != org.lower():
            raise not_authenticated()
        return identity.rpartition("@")[2]

    @staticmethod
    def _vcd_identity(known, value):
        identity = known.get(value)
        if identity is None:
            raise not_authenticated()
        return identity, identity.rpartition("@")[2]


def _field(data, name, kinds, required=True):
    """The value of a login field, after checking it is present (if required) and of the right JSON type."""
    value = data.get(name)
    if value is None:
        if required:
            raise bad_input("Missing required field '%s'." % name)
        return None
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    # bool is an int in Python but not in JSON.
    if isinstance(value, bool) or not isinstance(value, kinds):
        expected = " or ".join({str: "a string", int: "an integer", dict: "an object"}[k] for k in kinds)
        raise bad_input("Field '%s' must be %s." % (name, expected))
    return value
