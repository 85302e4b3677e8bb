# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Private to sessionkit.vmware (may change in any release): vSphere Automation session calls on the /api and legacy /rest paths.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import re

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import (
    MAX_MESSAGES,
    OptionError,
    SessionApiError,
    VendorError,
    acting,
    clean_text,
    response_error,
)
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import check_header_value
from ansible_collections.sessionkit.vmware.plugins.module_utils._session import SessionApi, ensure_session, usable_token

SESSION_HEADER = "vmware-api-session-id"
PATHS = {"api": "/api/session", "rest": "/rest/com/vmware/cis/session"}
# vCenter before 7.0 U2 and govmomi's vcsim answer 404 on /api/session; their /rest token also works on /api calls.
AUTO_ORDER = ("api", "rest")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
_GZIP_MAGIC = b"\x1f\x8b"
_LEGACY_TYPE_PREFIX = "com.vmware.vapi.std.errors."
# What the session-info call says about a session, as the returned session names it.
DETAILS = ("user", "created_time", "last_accessed_time")


def _message_list(raw, secrets):
    """Texts and ids of a vAPI ``messages`` stack, tolerating any wrong types inside it."""
    texts, ids = [], []
    if not isinstance(raw, list):
        return texts, ids
    for entry in raw[:MAX_MESSAGES]:
        if not isinstance(entry, dict):
            continue
        text = entry.get("default_message") or entry.get("localized")
        if isinstance(text, str) and text.strip():
            texts.append(clean_text(text, secrets))
        if isinstance(entry.get("id"), str):
            ids.append(clean_text(entry["id"], secrets))
    return texts, ids


def parse_vapi_error(data, secrets=()):
    """A VendorError from either vAPI error shape, or None when ``data`` is neither.

    New shape: ``{"error_type", "messages", ...}`` at the top level.
    Legacy shape: ``{"type": "com.vmware.vapi.std.errors.x", "value": {"messages", "error_type"?}}``.
    """
    if not isinstance(data, dict):
        return None
    code = None
    if isinstance(data.get("value"), dict) and ("type" in data or "messages" in data["value"]):
        legacy_type = data.get("type")
        data = data["value"]
        if isinstance(legacy_type, str) and legacy_type.startswith(_LEGACY_TYPE_PREFIX):
            code = legacy_type[len(_LEGACY_TYPE_PREFIX):].upper()
    if "error_type" not in data and "messages" not in data:
        return None
    if isinstance(data.get("error_type"), str) and data["error_type"].strip():
        code = data["error_type"]
    texts, ids = _message_list(data.get("messages"), secrets)
    return VendorError(clean_text(code, secrets) if code else None, texts, ids)


def basic_authorization(username, password):
    """A Basic header in UTF-8, which requests' own latin-1 encoding would refuse for many names."""
    raw = ("%s:%s" % (username, password)).encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def saml_authorization(saml_token):
    """The ``SIGN`` header for a SAML bearer assertion, given as XML, as base64 of XML, or as base64 of gzip.

    vCenter takes only base64 of gzip-compressed XML, so the other two forms are compressed here.
    """
    text = saml_token.strip()
    if not text.startswith("<"):
        if not _BASE64.match(text):
            raise OptionError("saml_token is neither SAML XML nor base64 text: give the assertion XML as issued by "
                              "SSO")
        try:
            decoded = base64.b64decode(text + "=" * (-len(text) % 4))
        except ValueError:  # binascii.Error: a length no base64 text has
            decoded = b""
        if decoded[:2] == _GZIP_MAGIC:
            return 'SIGN token="%s"' % text
        if not decoded.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            raise OptionError("saml_token is base64 text, but of neither gzip-compressed data nor SAML XML: give the "
                              "assertion XML as issued by SSO")
        text = decoded.decode("utf-8-sig", "replace").strip()
    import gzip  # only here: most logins use a password, and a module run pays for every import

    return 'SIGN token="%s"' % base64.b64encode(gzip.compress(text.encode("utf-8"))).decode("ascii")


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
        check_header_value(username, "username", base64_encoded=True)
        return basic_authorization(username, password), "'%s'" % username
    if username and not password:
        raise OptionError("password is missing or empty for username '%s': set password or VMWARE_PASSWORD" % username)
    if password and not username:
        raise OptionError("username is missing: set username or VMWARE_USER to go with password")
    if required:
        raise OptionError("a login needs username and password (or VMWARE_USER and VMWARE_PASSWORD), or saml_token; "
                          "none was given")
    return None, None


class VapiSessions(SessionApi):
    """Login, session info and logout against one vCenter, on /api or /rest as the ``api`` option says.

    ``api_used`` remembers which path answered, so that later calls on the same token go straight there.
    """

    API = "vapi"
    FACT = "vapi_session"
    SECRET_OPTIONS = ("password", "saml_token", "session_token")

    def __init__(self, client, params):
        super(VapiSessions, self).__init__(client, params)
        self.api = params.get("api") or "auto"
        self.api_used = None

    def _call(self, action, make_request, ok_statuses, gone_statuses=()):
        """Run ``make_request(api)`` on each API path in turn until one is not a 404; the response or None if gone."""
        apis = (self.api_used,) if self.api_used else AUTO_ORDER if self.api == "auto" else (self.api,)
        for api in apis:
            with acting(action):
                response = make_request(api)
            if response.status == 404 and api != apis[-1]:
                continue
            if response.status in ok_statuses:
                self.api_used = api
                return response
            if response.status in gone_statuses:
                self.api_used = api
                return None
            raise response_error(response, action, parse_vapi_error, self.secrets)

    def login(self):
        """A new session: (token, details or None when session_info is off)."""
        authorization, who = login_authorization(self.params, required=True)
        action = "vSphere Automation login to %s as %s" % (self.client.endpoint.display, who)

        def send(api):
            headers = {"Authorization": authorization}
            if api == "rest":
                # Tells old vCenters not to set a session cookie: the header is all we use.
                headers["vmware-use-header-authn"] = "true"
            return self.client.request("POST", PATHS[api], headers=headers, idempotent=False)

        response = self._call(action, send, (200, 201))
        with acting(action):
            data = response.json(self.secrets)
            token = data.get("value") if self.api_used == "rest" and isinstance(data, dict) else data
            if not usable_token(token):
                raise SessionApiError("HTTP %s but the answer held no usable session token" % response.status,
                                      url=response.url, status=response.status)
        return self.opened(token, lambda: self.info(token) if self.params["session_info"] else None)

    def info(self, token):
        action = "vSphere Automation session check on %s" % self.client.endpoint.display

        def send(api):
            headers = {SESSION_HEADER: token}
            if api == "rest":
                return self.client.request("POST", PATHS[api] + "?~action=get", headers=headers, idempotent=True)
            return self.client.request("GET", PATHS[api], headers=headers)

        response = self._call(action, send, (200,), (401,))
        if response is None:
            return None
        with acting(action):
            data = response.json(self.secrets)
        if self.api_used == "rest" and isinstance(data, dict) and isinstance(data.get("value"), dict):
            data = data["value"]
        if not isinstance(data, dict):
            data = {}
        return dict((key, data.get(key) if isinstance(data.get(key), str) else None) for key in DETAILS)

    def logout(self, token):
        action = "vSphere Automation logout on %s" % self.client.endpoint.display

        def send(api):
            return self.client.request("DELETE", PATHS[api], headers={SESSION_HEADER: token})

        return self.ended(self._call(action, send, (200, 204), (401,)) is None)

    def connection(self):
        return dict(super(VapiSessions, self).connection(), api=self.api_used)

    def headers(self, token, details):
        return {SESSION_HEADER: token}

    def details_result(self, details):
        details = details or {}
        return dict([("api", self.api_used)] + [(key, details.get(key)) for key in DETAILS])


def vapi_session(params, check_mode):
    """What the vapi_session module does: its result for the options in ``params``."""
    token = check_header_value(params["session_token"], "session_token")
    if params["state"] == "absent" and not token:
        raise OptionError("state=absent needs session_token: the token of the session to log out")
    authorization = login_authorization(params, required=params["state"] == "present" and not token)[0]
    return ensure_session(VapiSessions.for_params(params), token, check_mode, authorization is not None)
