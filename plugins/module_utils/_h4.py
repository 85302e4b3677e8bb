# Private to sessionkit.vmware (may change in any release): VMware Cloud Director Availability (H4) login bodies and session calls.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import (
    OptionError,
    SessionApiError,
    acting,
    clean_text,
    parse_h4_error,
    response_error,
)
from ansible_collections.sessionkit.vmware.plugins.module_utils._guard import SessionGuard
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import check_header_value
from ansible_collections.sessionkit.vmware.plugins.module_utils._options import connection_options, http_client
from ansible_collections.sessionkit.vmware.plugins.module_utils._session import ensure_session, log_out_orphan

TOKEN_HEADER = "X-VCAV-Auth"
GENERIC_ACCEPT = "application/json"
_VENDOR_TYPE = "application/vnd.vmware.h4-v%s+json;charset=UTF-8"
_VERSION_IN_TYPE = re.compile(r"application/vnd\.vmware\.h4-v(\d+(?:\.\d+)*)\+json", re.IGNORECASE)
# [0-9], not \d, which also takes other scripts' digits; \Z, not $, which also matches before a final newline.
_API_VERSION = re.compile(r"[0-9]{1,3}\.[0-9]{1,3}\Z")

# auth_type -> (the API's login type, options it needs, options it may also take)
AUTH_TYPES = {
    "sso": ("ssoCredentials", ("username", "password"), ("principal",)),
    "sso_token": ("ssoToken", ("saml_token",), ("principal",)),
    "local": ("localUser", ("password",), ("username",)),
    "vcd": ("vcdCredentials", ("username", "password"), ()),
    "vcd_token": ("vcdAccessToken", ("vcd_token",), ("vcd_token_context",)),
    "vcd_cookie": ("vcdCookie", ("vcd_cookie",), ()),
}
CREDENTIAL_OPTIONS = ("username", "password", "principal", "saml_token", "vcd_token", "vcd_token_context",
                      "vcd_cookie")
_ENV_HINT = {"username": " (it may come from VCDA_USER)", "password": " (it may come from VCDA_PASSWORD)"}


def check_auth_options(params):
    """Refuse a missing or an extra credential option for ``auth_type``, before anything is sent."""
    auth_type = params["auth_type"]
    needed, optional = AUTH_TYPES[auth_type][1:]
    for option in needed:
        if not params[option]:
            raise OptionError("auth_type=%s needs %s, which is missing or empty" % (auth_type, option))
    for option in CREDENTIAL_OPTIONS:
        # An empty value counts as unset, so an exported but emptied VCDA_USER does not block token logins.
        if params[option] and option not in needed + optional:
            raise OptionError("%s is not used by auth_type=%s%s: remove it, or choose the auth_type it belongs to"
                              % (option, auth_type, _ENV_HINT.get(option, "")))
    if auth_type == "vcd":
        user, _at, org = params["username"].rpartition("@")
        if not user or not org:
            raise OptionError("auth_type=vcd needs username as user@org, such as admin@acme; got '%s'"
                              % clean_text(params["username"]))


def _new_nonce():
    import secrets  # only here: only SAML token logins need a nonce, and a module run pays for every import

    return secrets.token_urlsafe(18)


def login_body(params, now=time.time, nonce=_new_nonce):
    """The JSON body of ``POST /sessions`` for ``auth_type``; ``now`` and ``nonce`` are seams for tests."""
    auth_type = params["auth_type"]
    body = {"type": AUTH_TYPES[auth_type][0]}
    if auth_type == "sso":
        body.update(username=params["username"], password=params["password"])
    elif auth_type == "sso_token":
        # A fresh timestamp and nonce per request: the appliance refuses a replayed or stale token login.
        body.update(samlToken=params["saml_token"], timestamp=int(now() * 1000), nonce=nonce())
    elif auth_type == "local":
        body.update(localUser=params["username"] or "root", localPassword=params["password"])
    elif auth_type == "vcd":
        body.update(vcdUser=params["username"], vcdPassword=params["password"])
    elif auth_type == "vcd_token":
        body.update(vcdAccessToken=params["vcd_token"])
        if params["vcd_token_context"]:
            body["context"] = params["vcd_token_context"]
    else:
        body.update(vcdCookie=params["vcd_cookie"])
    if auth_type in ("sso", "sso_token") and params["principal"]:
        body["principal"] = params["principal"]
    return body


def login_subject(params):
    """How a login is named in messages, without any secret."""
    auth_type = params["auth_type"]
    if auth_type in ("sso", "vcd"):
        return "as '%s'" % params["username"]
    if auth_type == "local":
        return "as local user '%s'" % (params["username"] or "root")
    return {"sso_token": "with a SAML token", "vcd_token": "with a Cloud Director token",
            "vcd_cookie": "with a Cloud Director cookie"}[auth_type]


def accept_header(api_version):
    return _VENDOR_TYPE % api_version if api_version else GENERIC_ACCEPT


def answered_version(response, requested):
    """The vendor API version the server labelled its answer with, else the one asked for, else None."""
    found = _VERSION_IN_TYPE.search(response.content_type or "")
    return found.group(1) if found else requested


class H4Sessions(object):
    """Login, session check and logout against one VCDA service's ``/sessions``."""

    def __init__(self, client, params):
        self.client = client
        self.params = params
        self.api_version = params["api_version"]
        self.secrets = [params[name] for name in ("password", "saml_token", "vcd_token", "vcd_cookie", "token")
                        if params[name]]
        self.headers = {"Accept": accept_header(self.api_version)}
        if params["operation_id"]:
            self.headers["operationID"] = params["operation_id"]

    def _error(self, response, action):
        error = response_error(response, action, parse_h4_error, self.secrets)
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
            response = self.client.request("POST", "/sessions", headers=self.headers,
                                           json_body=login_body(self.params), idempotent=False)
        if response.status != 200:
            raise self._error(response, action)
        token = response.headers.get(TOKEN_HEADER, "")
        if not token.strip() or len(token) > 8192 or re.search(r"[\x00-\x1f\x7f]", token):
            error = SessionApiError("HTTP 200 but the answer had no usable %s header, so there is no session token"
                                    % TOKEN_HEADER, url=response.url, status=200,
                                    hint="Check that hostname and port point at the appliance's API, and that no "
                                         "proxy strips response headers")
            error.action = action
            raise error
        self.secrets.append(token)
        try:
            return token, self._details(response, action)
        except SessionApiError as error:
            log_out_orphan(self, token, error)
            raise

    def info(self, token):
        action = "VCDA session check on %s" % self.client.endpoint.display
        with acting(action):
            response = self.client.request("GET", "/sessions", headers=dict(self.headers, **{TOKEN_HEADER: token}))
        if response.status == 401:
            return None
        if response.status != 200:
            raise self._error(response, action)
        return self._details(response, action)

    def logout(self, token):
        action = "VCDA logout on %s" % self.client.endpoint.display
        with acting(action):
            response = self.client.request("DELETE", "/sessions", headers=dict(self.headers, **{TOKEN_HEADER: token}))
        if response.status in (200, 204):
            return True
        if response.status == 401:
            # After a resend, the first DELETE most likely reached the server and ended the session.
            return self.client.resent_after_reaching
        raise self._error(response, action)

    def connection(self):
        return dict(connection_options(self.client), api_version=self.api_version,
                    operation_id=self.params["operation_id"])

    def result(self, token, details):
        version = details["api_version"]
        return {
            "token": token,
            "headers": {TOKEN_HEADER: token, "Accept": accept_header(version)},
            "url": self.client.endpoint.base_url,
            "user": details["user"],
            "roles": details["roles"],
            "authenticated_sites": details["authenticated_sites"],
            "api_version": version,
        }


def log_out(connection, token):
    """Log out ``token`` with the options a record kept (see H4Sessions.connection); whether a session was ended."""
    params = dict((name, None) for name in CREDENTIAL_OPTIONS + ("token",))
    params.update(connection)
    sessions = H4Sessions(http_client(connection), params)
    sessions.secrets.append(token)
    try:
        return sessions.logout(token)
    finally:
        sessions.client.close()


def h4_session(params, check_mode):
    """What the h4_session module does: its result for the options in ``params``."""
    token = check_header_value(params["token"], "token")
    check_header_value(params["operation_id"], "operation_id")
    if params["api_version"] and not _API_VERSION.match(params["api_version"]):
        raise OptionError("api_version '%s' is not a version such as 4.7" % clean_text(params["api_version"]))
    if params["state"] == "absent" and not token:
        raise OptionError("state=absent needs token: the X-VCAV-Auth token of the session to log out")
    can_login = True
    try:
        check_auth_options(params)
    except OptionError:
        # With a token to reuse, credentials are only needed if it has expired; a partial set is still an error.
        if params["state"] == "absent" or (token and not any(params[o] for o in CREDENTIAL_OPTIONS)):
            can_login = False
        else:
            raise
    sessions = H4Sessions(http_client(params), params)
    return ensure_session(sessions, params["state"], token, check_mode, "h4_session", can_login,
                          SessionGuard("h4", params, log_out), params["set_facts"])
