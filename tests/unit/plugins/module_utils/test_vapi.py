# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Unit tests for _vapi.py: the vAPI error-body parser, the Basic and SAML login headers, and VapiSessions.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import gzip
import json

import pytest

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import OptionError, fail_kwargs, http_error
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import check_header_value, http_client
from ansible_collections.sessionkit.vmware.plugins.module_utils._vapi import (
    VapiSessions,
    basic_authorization,
    login_authorization,
    parse_vapi_error,
    saml_authorization,
)

NEW_SHAPE = {
    "error_type": "UNAUTHENTICATED",
    "messages": [
        {"id": "com.vmware.vapi.endpoint.method.authentication.required",
         "default_message": "Authentication required.", "args": []},
        {"id": "cause.id", "default_message": "Token expired.", "args": []},
    ],
}
LEGACY_SHAPE = {
    "type": "com.vmware.vapi.std.errors.unauthenticated",
    "value": {"messages": [{"id": "x", "default_message": "Authentication required.", "args": []}]},
}
MAX_SESSIONS = {
    "error_type": "SERVICE_UNAVAILABLE",
    "messages": [{"id": "com.vmware.vapi.endpoint.failedToLoginMaxUserSessionCountReached",
                  "default_message": "Failed to login: maximum sessions for the user reached.", "args": []}],
}


def test_new_vapi_shape_gives_code_messages_and_ids():
    vendor = parse_vapi_error(NEW_SHAPE)
    assert vendor.code == "UNAUTHENTICATED"
    assert vendor.messages == ["Authentication required.", "Token expired."]
    assert vendor.message_ids[0] == "com.vmware.vapi.endpoint.method.authentication.required"


def test_legacy_vapi_envelope_takes_code_from_type():
    vendor = parse_vapi_error(LEGACY_SHAPE)
    assert vendor.code == "UNAUTHENTICATED"
    assert vendor.messages == ["Authentication required."]


def test_legacy_envelope_prefers_explicit_error_type():
    body = {"type": "com.vmware.vapi.std.errors.error", "value": {"error_type": "NOT_FOUND", "messages": []}}
    assert parse_vapi_error(body).code == "NOT_FOUND"


def test_localized_is_used_when_default_message_is_missing():
    vendor = parse_vapi_error({"error_type": "ERROR", "messages": [{"id": "a", "localized": "Lokalisiert."}]})
    assert vendor.messages == ["Lokalisiert."]


@pytest.mark.parametrize("body", [
    None, "text", 42, [], ["error_type"], {}, {"value": "token"}, {"user": "x"},
])
def test_vapi_parser_returns_none_for_what_is_not_an_error(body):
    assert parse_vapi_error(body) is None


@pytest.mark.parametrize("messages", [None, "Authentication required.", 7, [None, 3, "x"], [{"default_message": 5}]])
def test_vapi_parser_tolerates_wrong_message_types(messages):
    vendor = parse_vapi_error({"error_type": "ERROR", "messages": messages})
    assert vendor.code == "ERROR"
    assert vendor.messages == []


def test_vapi_parser_with_wrong_error_type_type_has_no_code():
    assert parse_vapi_error({"error_type": ["x"], "messages": []}).code is None


def test_http_error_builds_message_with_causes():
    error = http_error(401, json.dumps(NEW_SHAPE).encode(), "application/json", "https://vc:443/api/session",
                       parse_vapi_error)
    error.action = "vSphere Automation login to vc:443 as 'me'"
    assert error.message == ("vSphere Automation login to vc:443 as 'me' failed: HTTP 401 UNAUTHENTICATED: "
                             "Authentication required. (caused by: Token expired.)")
    assert error.status == 401 and error.error_type == "UNAUTHENTICATED"


def test_http_error_for_empty_and_html_bodies():
    assert http_error(401, b"", "", "u", parse_vapi_error).reason == "HTTP 401 with an empty body"
    html = b"<html><title>404 Not Found</title></html>"
    assert http_error(404, html, "text/html", "u", parse_vapi_error).reason == \
        "HTTP 404 with an HTML page ('404 Not Found') instead of JSON"


def test_server_echoing_a_secret_is_masked():
    body = json.dumps({"error_type": "ERROR", "messages": [{"default_message": "bad password hunter22!"}]}).encode()
    error = http_error(400, body, "application/json", "u", parse_vapi_error, secrets=["hunter22!"])
    assert "hunter22!" not in error.message
    assert "hunter22!" not in json.dumps(fail_kwargs(error))


def test_max_session_limit_keeps_its_message_id():
    error = http_error(503, json.dumps(MAX_SESSIONS).encode(), "application/json", "u", parse_vapi_error)
    assert "com.vmware.vapi.endpoint.failedToLoginMaxUserSessionCountReached" in error.message_ids
    assert error.error_type == "SERVICE_UNAVAILABLE"


def test_a_basic_username_may_hold_any_character_since_it_travels_base64_encoded():
    assert check_header_value("\u7528\u6237@vsphere.local", "username", base64_encoded=True)
    header, who = login_authorization(_creds(username="\u7528\u6237@vsphere.local", password="p"), True)
    assert header.startswith("Basic ") and who == "'\u7528\u6237@vsphere.local'"
    with pytest.raises(OptionError, match="line break"):
        check_header_value("a\nb", "username", base64_encoded=True)


def test_basic_authorization_is_utf8():
    header = basic_authorization("jürgen@vsphere.local", "pässword")
    assert base64.b64decode(header.split()[1]).decode("utf-8") == "jürgen@vsphere.local:pässword"


def test_saml_xml_is_gzipped_and_base64_encoded():
    xml = "<saml2:Assertion>bearer</saml2:Assertion>"
    header = saml_authorization("  " + xml + "\n")
    assert header.startswith('SIGN token="') and header.endswith('"')
    encoded = header[len('SIGN token="'):-1]
    assert gzip.decompress(base64.b64decode(encoded)).decode() == xml


def test_saml_already_encoded_is_sent_unchanged_and_junk_is_refused():
    assert saml_authorization("H4sIAAAAAAAA/w==") == 'SIGN token="H4sIAAAAAAAA/w=="'
    with pytest.raises(OptionError, match="neither SAML XML nor base64"):
        saml_authorization("not base64 at all!")


def test_saml_base64_of_plain_xml_is_compressed():
    xml = "<saml2:Assertion>bearer</saml2:Assertion>"
    for given in (base64.b64encode(xml.encode()).decode(), base64.b64encode(b"\xef\xbb\xbf\n" + xml.encode()).decode(),
                  base64.b64encode(xml.encode()).decode().rstrip("=")):
        encoded = saml_authorization(given)[len('SIGN token="'):-1]
        assert gzip.decompress(base64.b64decode(encoded)).decode() == xml


def test_saml_base64_of_gzip_is_sent_as_it_is_and_base64_of_other_data_is_refused():
    packed = base64.b64encode(gzip.compress(b"<saml2:Assertion>x</saml2:Assertion>")).decode()
    assert saml_authorization(packed) == 'SIGN token="%s"' % packed
    for junk in (base64.b64encode(b"just some text").decode(), "QUJDRE"[:5]):
        with pytest.raises(OptionError, match="base64 text, but of neither gzip-compressed data nor SAML XML"):
            saml_authorization(junk)


def _creds(**values):
    params = {"username": None, "password": None, "saml_token": None}
    params.update(values)
    return params


def test_login_authorization_rules():
    assert login_authorization(_creds(username="u", password="p"), True)[1] == "'u'"
    assert login_authorization(_creds(saml_token="<a/>", username="u"), True)[1] == "a SAML token"
    assert login_authorization(_creds(), False) == (None, None)
    with pytest.raises(OptionError, match="none was given"):
        login_authorization(_creds(), True)
    with pytest.raises(OptionError, match="password is missing or empty"):
        login_authorization(_creds(username="u", password=""), True)
    with pytest.raises(OptionError, match="username is missing"):
        login_authorization(_creds(password="p"), True)
    with pytest.raises(OptionError, match="must not contain ':'"):
        login_authorization(_creds(username="a:b", password="p"), True)


def vapi_params(**values):
    params = dict(hostname="vc.example.com", port=None, validate_certs=True, ca_path=None, timeout=30, proxy_url=None,
                  retries=0, username="u", password="pw-1", saml_token=None, api="auto", state="present",
                  session_token=None, session_info=True, set_facts=True, guard=False, guard_dir="/nonexistent")
    params.update(values)
    return params


def test_vapi_sessions_are_built_from_client_and_params_like_every_session_api():
    params = vapi_params(session_token="tok-1", api="rest")
    sessions = VapiSessions(http_client(params), params)
    try:
        assert set(sessions.secrets) == {"pw-1", "tok-1"}
        assert sessions.api == "rest" and sessions.api_used is None
        sessions.api_used = "rest"
        connection = sessions.connection()
        assert connection["api"] == "rest" and connection["hostname"] == "vc.example.com"
        assert "pw-1" not in repr(connection)
    finally:
        sessions.client.close()


def test_vapi_sessions_from_a_guard_record_try_both_paths():
    params = vapi_params()
    sessions = VapiSessions(http_client(params), params)
    connection = sessions.connection()
    sessions.client.close()
    again = VapiSessions(http_client(connection), connection)
    try:
        assert again.api == "auto" and again.secrets == []
    finally:
        again.client.close()


def test_vapi_result_has_the_documented_keys_in_order():
    params = vapi_params()
    sessions = VapiSessions(http_client(params), params)
    try:
        sessions.api_used = "api"
        session = sessions.result("tok", None)
        assert list(session) == ["token", "headers", "url", "api", "user", "created_time", "last_accessed_time"]
        assert session["headers"] == {"vmware-api-session-id": "tok"} and session["user"] is None
    finally:
        sessions.client.close()
