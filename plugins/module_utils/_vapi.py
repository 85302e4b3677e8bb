# Private to sessionkit.vmware (may change in any release): vSphere Automation session calls on the /api and legacy /rest paths.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import gzip
import re

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import (
    OptionError,
    SessionApiError,
    http_error,
    parse_vapi_error,
)
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import check_header_value
from ansible_collections.sessionkit.vmware.plugins.module_utils._options import http_client

SESSION_HEADER = "vmware-api-session-id"
PATHS = {"api": "/api/session", "rest": "/rest/com/vmware/cis/session"}
# vCenter before 7.0 U2 and govmomi's vcsim answer 404 on /api/session; their /rest token also works on /api calls.
AUTO_ORDER = ("api", "rest")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")


def basic_authorization(username, password):
    """A Basic header in UTF-8, which requests' own latin-1 encoding would refuse for many names."""
    raw = ("%s:%s" % (username, password)).encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def saml_authorization(saml_token):
    """The ``SIGN`` header for a SAML bearer assertion, given as XML or already gzip-compressed and base64-encoded."""
    text = saml_token.strip()
    if text.startswith("<"):
        encoded = base64.b64encode(gzip.compress(text.encode("utf-8"))).decode("ascii")
    elif _BASE64.match(text):
        encoded = text
    else:
        raise OptionError("saml_token is neither SAML XML nor base64 text: give the assertion XML as issued by SSO")
    return 'SIGN token="%s"' % encoded


def login_authorization(params, required):
    """(Authorization header, who logs in) from the credential options; OptionError for a partial or missing set.

    ``required`` is false when a session token may make the login unnecessary.
    """
    if params["saml_token"]:
        return saml_authorization(params["saml_token"]), "a SAML token"
    username, password = params["username"], params["password"]
    if username and password:
        if ":" in username:
            raise OptionError("username must not contain ':', which HTTP Basic authentication cannot carry")
        check_header_value(username, "username")
        return basic_authorization(username, password), "'%s'" % username
    if username and not password:
        raise OptionError("password is missing or empty for username '%s': set password or VMWARE_PASSWORD" % username)
    if password and not username:
        raise OptionError("username is missing: set username or VMWARE_USER to go with password")
    if required:
        raise OptionError("a login needs username and password (or VMWARE_USER and VMWARE_PASSWORD), or saml_token; "
                          "none was given")
    return None, None


class VapiSessions(object):
    """Login, session info and logout against one vCenter, choosing /api or /rest as ``api`` says."""

    def __init__(self, client, api="auto", secrets=()):
        self.client = client
        self.api = api
        self.secrets = [s for s in secrets if s]

    def _fail(self, response, action):
        error = http_error(response.status, response.body, response.content_type, response.url,
                           parse_vapi_error, self.secrets)
        error.action = action
        error.attempts = response.attempts
        return error

    def _each_api(self, known_api=None):
        return (known_api,) if known_api else AUTO_ORDER if self.api == "auto" else (self.api,)

    def _call(self, action, known_api, make_request, ok_statuses, gone_statuses=()):
        """Run ``make_request(api)`` on each API path in turn until one is not a 404; (response or None, api)."""
        apis = self._each_api(known_api)
        for api in apis:
            try:
                response = make_request(api)
            except SessionApiError as error:
                error.action = action
                raise
            if response.status == 404 and api != apis[-1]:
                continue
            if response.status in ok_statuses:
                return response, api
            if response.status in gone_statuses:
                return None, api
            raise self._fail(response, action)

    def login(self, authorization, who):
        """A new session: (token, api used)."""
        action = "vSphere Automation login to %s as %s" % (self.client.endpoint.display, who)

        def send(api):
            headers = {"Authorization": authorization}
            if api == "rest":
                # Tells old vCenters not to set a session cookie: the header is all we use.
                headers["vmware-use-header-authn"] = "true"
            return self.client.request("POST", PATHS[api], headers=headers, idempotent=False)

        response, api = self._call(action, None, send, (200, 201))
        try:
            data = response.json()
        except SessionApiError as error:
            error.action = action
            raise
        token = data.get("value") if api == "rest" and isinstance(data, dict) else data
        if not isinstance(token, str) or not token.strip() or len(token) > 4096 or re.search(r"[\x00-\x1f\x7f]", token):
            error = SessionApiError("HTTP %s but the answer held no usable session token" % response.status,
                                    url=response.url, status=response.status)
            error.action = action
            raise error
        self.secrets.append(token)
        return token, api

    def info(self, token, known_api=None):
        """(session details, api) for a token, or (None, api) when the server says it is unknown or expired."""
        action = "vSphere Automation session check on %s" % self.client.endpoint.display

        def send(api):
            headers = {SESSION_HEADER: token}
            if api == "rest":
                return self.client.request("POST", PATHS[api] + "?~action=get", headers=headers, idempotent=True)
            return self.client.request("GET", PATHS[api], headers=headers)

        response, api = self._call(action, known_api, send, (200,), (401,))
        if response is None:
            return None, api
        try:
            data = response.json()
        except SessionApiError as error:
            error.action = action
            raise
        if api == "rest" and isinstance(data, dict) and isinstance(data.get("value"), dict):
            data = data["value"]
        if not isinstance(data, dict):
            data = {}
        return dict((key, data.get(key) if isinstance(data.get(key), str) else None)
                    for key in ("user", "created_time", "last_accessed_time")), api

    def logout(self, token, known_api=None):
        """(True, api) when the session was ended, (False, api) when the server says it was already gone."""
        action = "vSphere Automation logout on %s" % self.client.endpoint.display

        def send(api):
            return self.client.request("DELETE", PATHS[api], headers={SESSION_HEADER: token})

        response, api = self._call(action, known_api, send, (200, 204), (401,))
        return response is not None, api


def _session_result(token, base_url, api, details):
    details = details or {}
    return {
        "token": token,
        "headers": {SESSION_HEADER: token},
        "url": base_url,
        "api": api,
        "user": details.get("user"),
        "created_time": details.get("created_time"),
        "last_accessed_time": details.get("last_accessed_time"),
    }


def ensure_session(params, check_mode):
    """What ``vapi_session`` does: the module result for ``state`` and the options in ``params``."""
    token = check_header_value(params["session_token"], "session_token")
    if params["state"] == "absent" and not token:
        raise OptionError("state=absent needs session_token: the token of the session to log out")
    authorization, who = login_authorization(params, required=params["state"] == "present" and not token)
    client = http_client(params)
    sessions = VapiSessions(client, params["api"], secrets=[params["password"], params["saml_token"], token])
    try:
        if params["state"] == "absent":
            if check_mode:
                details, api = sessions.info(token)
                return {"changed": details is not None, "api": api, "attempts": client.max_attempts,
                        "msg": "would log out" if details else "the session was already gone"}
            ended, api = sessions.logout(token)
            return {"changed": ended, "api": api, "attempts": client.max_attempts,
                    "msg": "logged out" if ended else "the session was already gone"}
        changed = False
        details = None
        api = None
        if token:
            details, api = sessions.info(token)
        if details is None:
            if authorization is None:
                raise OptionError("session_token is no longer valid and no credentials were given to log in again: "
                                  "set username and password, or saml_token")
            token, api = sessions.login(authorization, who)
            changed = True
            if params["session_info"]:
                details = sessions.info(token, api)[0]
        session = _session_result(token, client.endpoint.base_url, api, details)
        return {"changed": changed, "session": session, "attempts": client.max_attempts,
                "ansible_facts": {"vapi_session": session}}
    finally:
        client.close()
