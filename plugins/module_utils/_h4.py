# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Private to sessionkit.vmware (may change in any release): VMware Cloud Director Availability (H4) login bodies and session calls.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time
from urllib.parse import quote

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import (
    OptionError,
    SessionApiError,
    acting,
    VendorError,
    clean_text,
    response_error,
)
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import check_header_value
from ansible_collections.sessionkit.vmware.plugins.module_utils._session import SessionApi, ensure_session, usable_token

TOKEN_HEADER = "X-VCAV-Auth"
GENERIC_ACCEPT = "application/json"
_VENDOR_TYPE = "application/vnd.vmware.h4-v%s+json;charset=UTF-8"
_VERSION_IN_TYPE = re.compile(r"application/vnd\.vmware\.h4-v(\d+(?:\.\d+)*)\+json", re.IGNORECASE)
# [0-9], not \d, which also takes other scripts' digits; \Z, not $, which also matches before a final newline.
# A major version alone ("3") is what vCloud Availability 3.0 clients send.
_API_VERSION = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3})?\Z")

# What to do when the appliance refuses a login or extension type with HTTP 400: the types that not every release has.
_TYPE_REFUSED_HINTS = {
    "vcd_cookie": "Cookie logins exist only in vCloud Availability 3.x to VCDA 4.2 (extensions: before 4.5): use "
                  "vcd_token or vcd_api_token instead",
    "vcd_api_token": "API-token logins and extensions exist only in the newest VCDA API (4.7): on older releases "
                     "use vcd_token",
    "multisite": "Multisite extensions exist only in VCDA 4.2 and later",
}

# sites[].type -> (the extension's API type, options it needs, options it may also take, the API field of each).
# The names are those of auth_type, so that a site is given the way a login is.
EXTEND_TYPES = {
    "vcd": ("credentials", ("username", "password"), (), {"username": "vcdUsername", "password": "vcdPassword"}),
    "vcd_token": ("accessToken", ("vcd_token",), ("vcd_token_context",),
                  {"vcd_token": "accessToken", "vcd_token_context": "context"}),
    "vcd_api_token": ("apiToken", ("vcd_api_token", "org"), (), {"vcd_api_token": "token", "org": "org"}),
    "multisite": ("multisite", ("org",), (), {"org": "org"}),
    "vcd_cookie": ("cookie", ("vcd_cookie",), (), {"vcd_cookie": "cookie"}),
}
# VCDA 4.1 and 4.2 document the token extension under its older name and field; 4.5 and later refuse that form.
LEGACY_TOKEN_EXTENSION = ("vcdAccessToken", {"vcd_token": "vcdAccessToken", "vcd_token_context": "context"})
SITE_CREDENTIALS = ("username", "password", "vcd_token", "vcd_token_context", "vcd_api_token", "org", "vcd_cookie")
_ENV_HINT = {"username": " (it may come from VCDA_USER)", "password": " (it may come from VCDA_PASSWORD)"}


def parse_h4_error(data, secrets=()):
    """A VendorError from a VCDA ``ApiError`` body, or None when ``data`` is not one.

    ``stacktrace`` is the server's internals and is dropped on purpose.
    """
    if not isinstance(data, dict) or not ({"code", "msg"} & set(data)):
        return None
    code = data.get("code") if isinstance(data.get("code"), str) and data["code"].strip() else None
    msg = data.get("msg") if isinstance(data.get("msg"), str) and data["msg"].strip() else None
    return VendorError(clean_text(code, secrets) if code else None, [clean_text(msg, secrets)] if msg else [])


def check_auth_options(params):
    """Refuse a missing or an extra credential option for ``auth_type``, before anything is sent."""
    auth_type = params["auth_type"]
    login_type = LOGIN_TYPES[auth_type]
    for option in login_type.needs:
        if not params[option]:
            raise OptionError("auth_type=%s needs %s, which is missing or empty" % (auth_type, option))
    for option in CREDENTIAL_OPTIONS:
        # An empty value counts as unset, so an exported but emptied VCDA_USER does not block token logins.
        if params[option] and option not in login_type.fields:
            raise OptionError("%s is not used by auth_type=%s%s: remove it, or choose the auth_type it belongs to"
                              % (option, auth_type, _ENV_HINT.get(option, "")))
    login_type.check(params)


def _is_vcd_user(username):
    user, _at, org = username.rpartition("@")
    return bool(user and org)


def check_site_options(sites):
    """Refuse a sites entry that cannot work (no site, a site twice, a missing or extra option), before any request."""
    seen = set()
    for entry in sites:
        site = entry["site"]
        if not site.strip():
            raise OptionError("sites has an entry with an empty site: give the VCDA site name, such as site-b")
        if site in seen:
            raise OptionError("sites names site '%s' more than once: give each site once" % clean_text(site))
        seen.add(site)
        if entry["state"] == "absent":
            continue
        extend_type = entry["type"]
        if not extend_type:
            raise OptionError("sites entry '%s' needs type, how to authenticate to that site: one of %s"
                              % (clean_text(site), ", ".join(EXTEND_TYPES)))
        needed, optional = EXTEND_TYPES[extend_type][1:3]
        for option in needed:
            if not entry[option]:
                raise OptionError("sites entry '%s': type=%s needs %s, which is missing or empty"
                                  % (clean_text(site), extend_type, option))
        for option in SITE_CREDENTIALS:
            if entry[option] and option not in needed + optional:
                raise OptionError("sites entry '%s': %s is not used by type=%s: remove it, or choose the type it "
                                  "belongs to" % (clean_text(site), option, extend_type))
        if extend_type == "vcd" and not _is_vcd_user(entry["username"]):
            raise OptionError("sites entry '%s': type=vcd needs username as user@org, such as admin@acme; got '%s'"
                              % (clean_text(site), clean_text(entry["username"])))


def _new_nonce():
    import secrets  # only here: only SAML token logins need a nonce, and a module run pays for every import

    return secrets.token_urlsafe(18)


class LoginType(object):
    """One auth_type of ``POST /sessions``. Each type is a subclass below that holds all this module knows of it, so
    that a new type is one class here, plus its options and documentation in h4_session and the simulator's support.

    ``name`` is the auth_type and ``wire`` the API's name of it; ``fields`` maps each option the type sends to its
    JSON field; ``needs`` lists the options that must be set (the others of ``fields`` may be); ``secrets`` those that
    must never show in a message; ``defaults`` values for options left unset. ``login_subject`` names the login in
    messages, without any secret.
    """

    name = wire = None
    fields = {}
    needs = secrets = ()
    defaults = {}

    def values(self, params):
        """The value of each option of ``fields``: the one given, else its default."""
        return dict((option, params[option] or self.defaults.get(option)) for option in self.fields)

    def body(self, params, now, nonce):
        """The JSON body of the login; ``now`` and ``nonce`` serve types that must send a fresh timestamp and nonce."""
        body = {"type": self.wire}
        body.update((self.fields[option], value) for option, value in self.values(params).items()
                    if value or option in self.needs)
        return body

    def check(self, params):
        """Refuse, with OptionError, a value of a needed option that this type cannot use."""

    def login_subject(self, values):
        raise NotImplementedError


class _SsoLogin(LoginType):
    """A vSphere SSO user's password, optionally acting for another identity (principal)."""
    name, wire, needs, secrets = "sso", "ssoCredentials", ("username", "password"), ("password",)
    fields = {"username": "username", "password": "password", "principal": "principal"}

    def login_subject(self, values):
        return "as '%s'" % values["username"]


class _SsoTokenLogin(LoginType):
    """A SAML bearer token from vSphere SSO; holder-of-key tokens, which need a signature, are not supported."""
    name, wire, needs, secrets = "sso_token", "ssoToken", ("saml_token",), ("saml_token",)
    fields = {"saml_token": "samlToken", "principal": "principal"}

    def body(self, params, now, nonce):
        # A fresh timestamp and nonce per request: the appliance refuses a replayed or stale token login.
        return dict(LoginType.body(self, params, now, nonce), timestamp=int(now() * 1000), nonce=nonce())

    def login_subject(self, values):
        return "with a SAML token"


class _LocalLogin(LoginType):
    """An account of the appliance's OS: root unless username names another."""
    name, wire, needs, secrets = "local", "localUser", ("password",), ("password",)
    fields, defaults = {"username": "localUser", "password": "localPassword"}, {"username": "root"}

    def login_subject(self, values):
        return "as local user '%s'" % values["username"]


class _VcdLogin(LoginType):
    """A Cloud Director user's password; the user is given as user@org."""
    name, wire, needs, secrets = "vcd", "vcdCredentials", ("username", "password"), ("password",)
    fields = {"username": "vcdUser", "password": "vcdPassword"}

    def check(self, params):
        if not _is_vcd_user(params["username"]):
            raise OptionError("auth_type=vcd needs username as user@org, such as admin@acme; got '%s'"
                              % clean_text(params["username"]))

    def login_subject(self, values):
        return "as '%s'" % values["username"]


class _VcdTokenLogin(LoginType):
    """A Cloud Director access token, with the organization that issued it when another Cloud Director did."""
    name, wire, needs, secrets = "vcd_token", "vcdAccessToken", ("vcd_token",), ("vcd_token",)
    fields = {"vcd_token": "vcdAccessToken", "vcd_token_context": "context"}

    def login_subject(self, values):
        return "with a Cloud Director token"


class _VcdCookieLogin(LoginType):
    """A Cloud Director session cookie (vCloud Availability 3.x to VCDA 4.2)."""
    name, wire, needs = "vcd_cookie", "vcdCookie", ("vcd_cookie",)
    fields, secrets = {"vcd_cookie": "vcdCookie"}, ("vcd_cookie",)

    def login_subject(self, values):
        return "with a Cloud Director cookie"


class _VcdApiTokenLogin(LoginType):
    """A Cloud Director API token and its organization (VCDA 4.7)."""
    name, wire, secrets = "vcd_api_token", "vcdApiToken", ("vcd_api_token",)
    needs = ("vcd_api_token", "org")
    fields = {"vcd_api_token": "apiToken", "org": "org"}

    def login_subject(self, values):
        return "with a Cloud Director API token for organization '%s'" % values["org"]


def _in_order(names):
    return tuple(sorted(set(names), key=list(names).index))


# auth_type -> LoginType, in the order the classes stand above (the order of the module's choices). What the module
# knows of all types is derived from them: a type's secrets cannot be missed out of SECRET_OPTIONS.
LOGIN_TYPES = dict((kind.name, kind()) for kind in LoginType.__subclasses__())
AUTH_TYPES = tuple(LOGIN_TYPES)
CREDENTIAL_OPTIONS = _in_order([option for login_type in LOGIN_TYPES.values() for option in login_type.fields])
SECRET_OPTIONS = _in_order([option for login_type in LOGIN_TYPES.values() for option in login_type.secrets])


def login_body(params, now=time.time, nonce=_new_nonce):
    """The JSON body of ``POST /sessions`` for ``auth_type``; ``now`` and ``nonce`` are seams for tests."""
    return LOGIN_TYPES[params["auth_type"]].body(params, now, nonce)


def login_subject(params):
    """How a login is named in messages, without any secret."""
    login_type = LOGIN_TYPES[params["auth_type"]]
    return login_type.login_subject(login_type.values(params))


def extend_body(entry, legacy=False):
    """The JSON body of ``POST /sessions/extend`` for a sites entry; ``legacy`` gives the 4.1/4.2 token form."""
    wire, needed, optional, fields = EXTEND_TYPES[entry["type"]]
    if legacy:
        wire, fields = LEGACY_TOKEN_EXTENSION
    body = {"type": wire, "site": entry["site"]}
    for option in needed + optional:
        if entry[option]:
            body[fields[option]] = entry[option]
    return body


def extend_subject(entry):
    """How an extension names its credentials in messages, without any secret."""
    extend_type = entry["type"]
    if extend_type == "vcd":
        return "as '%s'" % entry["username"]
    if extend_type == "multisite":
        return "for organization '%s'" % entry["org"]
    if extend_type == "vcd_api_token":
        return "with a Cloud Director API token for organization '%s'" % entry["org"]
    return {"vcd_token": "with a Cloud Director token", "vcd_cookie": "with a Cloud Director cookie"}[extend_type]


def accept_header(api_version):
    return _VENDOR_TYPE % api_version if api_version else GENERIC_ACCEPT


def answered_version(response, requested):
    """The vendor API version the server labelled its answer with, else the one asked for, else None."""
    found = _VERSION_IN_TYPE.search(response.content_type or "")
    return found.group(1) if found else requested


class H4Sessions(SessionApi):
    """Login, session check and logout against one VCDA service's ``/sessions``, and its extensions to sites."""

    API = "h4"
    FACT = "h4_session"
    SECRET_OPTIONS = SECRET_OPTIONS + ("token",)
    CONNECTION_OPTIONS = ("api_version", "operation_id")

    def __init__(self, client, params):
        super(H4Sessions, self).__init__(client, params)
        self.api_version = params.get("api_version")
        self.secrets += [entry[name] for entry in params.get("sites") or () for name in SECRET_OPTIONS
                         if entry.get(name)]
        self.request_headers = {"Accept": accept_header(self.api_version)}
        if params.get("operation_id"):
            self.request_headers["operationID"] = params["operation_id"]

    def _with_token(self, token):
        return dict(self.request_headers, **{TOKEN_HEADER: token})

    def _error(self, response, action, credential_type=None):
        """The error for an unexpected answer; ``credential_type`` (an auth_type or sites type) adds its hint to a
        400, which is how an appliance refuses a type its release does not have."""
        error = response_error(response, action, parse_h4_error, self.secrets)
        if response.status == 400 and credential_type in _TYPE_REFUSED_HINTS:
            error.hint = _TYPE_REFUSED_HINTS[credential_type]
        if error.error_type is None and response.headers.get("WWW-Authenticate"):
            error.reason = "HTTP %s: the server asks for authentication (WWW-Authenticate: %s)" % (
                response.status, clean_text(response.headers["WWW-Authenticate"], self.secrets))
        if response.status in (406, 415):
            error.hint = ("The appliance refused the media type for API version %s: set api_version to a version it "
                          "supports, such as 4.7, or leave it unset" % self.api_version if self.api_version else
                          "The appliance refused the generic media type: set api_version to the version it supports, "
                          "such as 4.7")
        return error

    def _details(self, response, action):
        with acting(action):
            data = response.json(self.secrets)
        if not isinstance(data, dict):
            raise self._error(response, action)
        sites = data.get("authenticatedSites")
        roles = data.get("roles")
        return {
            "user": data.get("user") if isinstance(data.get("user"), str) else None,
            "roles": [r for r in roles if isinstance(r, str)] if isinstance(roles, list) else [],
            "authenticated_sites": [s for s in sites if isinstance(s, dict)] if isinstance(sites, list) else [],
            "api_version": answered_version(response, self.api_version),
        }

    def login(self):
        action = "VCDA login to %s %s" % (self.client.endpoint.display, login_subject(self.params))
        with acting(action):
            response = self.client.request("POST", "/sessions", headers=self.request_headers,
                                           json_body=login_body(self.params), idempotent=False)
        if response.status != 200:
            raise self._error(response, action, self.params["auth_type"])
        token = response.headers.get(TOKEN_HEADER, "")
        with acting(action):
            if not usable_token(token):
                raise SessionApiError("HTTP 200 but the answer had no usable %s header, so there is no session token"
                                      % TOKEN_HEADER, url=response.url, status=200,
                                      hint="Check that hostname and port point at the appliance's API, and that no "
                                           "proxy strips response headers")
        return self.opened(token, lambda: self._details(response, action))

    def info(self, token):
        action = "VCDA session check on %s" % self.client.endpoint.display
        with acting(action):
            response = self.client.request("GET", "/sessions", headers=self._with_token(token))
        if response.status == 401:
            return None
        if response.status != 200:
            raise self._error(response, action)
        return self._details(response, action)

    def logout(self, token):
        action = "VCDA logout on %s" % self.client.endpoint.display
        with acting(action):
            response = self.client.request("DELETE", "/sessions", headers=self._with_token(token))
        if response.status not in (200, 204, 401):
            raise self._error(response, action)
        return self.ended(response.status == 401)

    def extend(self, token, entry):
        """Extend the session to ``entry``'s site; its details afterwards."""
        action = "VCDA extension of the session on %s to site '%s' %s" % (
            self.client.endpoint.display, clean_text(entry["site"]), extend_subject(entry))
        headers = self._with_token(token)
        # Extending twice to a site only authenticates again, so unlike a login it may be resent.
        with acting(action):
            response = self.client.request("POST", "/sessions/extend", headers=headers, json_body=extend_body(entry),
                                           idempotent=True)
            if response.status == 400 and entry["type"] == "vcd_token":
                legacy = self.client.request("POST", "/sessions/extend", headers=headers,
                                             json_body=extend_body(entry, legacy=True), idempotent=True)
                # A 400 to both forms is best explained by the answer to the current one.
                response = response if legacy.status == 400 else legacy
        if response.status != 200:
            error = self._error(response, action, entry["type"])
            if error.error_type == "RemoteAuthenticationFailure":
                error.hint = "Site '%s' refused the credentials: check them against that site's Cloud Director" % (
                    clean_text(entry["site"]))
            raise error
        return self._details(response, action)

    def drop(self, token, site):
        """End the session's extension to ``site``; its details afterwards."""
        action = "VCDA removal of site '%s' from the session on %s" % (clean_text(site), self.client.endpoint.display)
        with acting(action):
            response = self.client.request("DELETE", "/sessions/" + quote(site, safe=""),
                                           headers=self._with_token(token))
        if response.status != 200:
            raise self._error(response, action)
        return self._details(response, action)

    def settle(self, token, details, logged_in, check_mode):
        """Extend to the ``sites`` not yet authenticated and drop those with state absent: (details, changed, result).

        A site the session already has is left alone, so a reused session is not extended again.
        """
        extended, dropped = [], []
        for entry in self.params["sites"] or ():
            present = any(site.get("site") == entry["site"] for site in details["authenticated_sites"])
            if entry["state"] == "absent" and present:
                dropped.append(entry["site"])
                if not check_mode:
                    details = self.drop(token, entry["site"])
            elif entry["state"] == "present" and not present:
                extended.append(entry["site"])
                if not check_mode:
                    details = self.extend(token, entry)
        return details, bool(extended or dropped), {"logged_in": logged_in, "extended_sites": extended,
                                                    "dropped_sites": dropped}

    def headers(self, token, details):
        return {TOKEN_HEADER: token, "Accept": accept_header(details["api_version"])}

    def details_result(self, details):
        return dict((key, details[key]) for key in ("user", "roles", "authenticated_sites", "api_version"))


def h4_session(params, check_mode):
    """What the h4_session module does: its result for the options in ``params``."""
    token = check_header_value(params["token"], "token")
    check_header_value(params["operation_id"], "operation_id")
    if params["api_version"] and not _API_VERSION.match(params["api_version"]):
        raise OptionError("api_version '%s' is not a version such as 4.7, or a major version such as 3"
                          % clean_text(params["api_version"]))
    if params["state"] == "absent" and not token:
        raise OptionError("state=absent needs token: the X-VCAV-Auth token of the session to log out")
    if params["state"] == "absent" and params["sites"]:
        raise OptionError("sites cannot be used with state=absent: the logout ends the session with all its sites")
    check_site_options(params["sites"] or ())
    can_login = True
    try:
        check_auth_options(params)
    except OptionError:
        # With a token to reuse, credentials are only needed if it has expired; a partial set is still an error.
        if params["state"] == "absent" or (token and not any(params[o] for o in CREDENTIAL_OPTIONS)):
            can_login = False
        else:
            raise
    return ensure_session(H4Sessions.for_params(params), token, check_mode, can_login)
