# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Unit tests for _vapi.py: the vAPI error-body parser and the vSphere Automation session calls.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import fail_kwargs, http_error
from ansible_collections.sessionkit.vmware.plugins.module_utils._vapi import parse_vapi_error

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
