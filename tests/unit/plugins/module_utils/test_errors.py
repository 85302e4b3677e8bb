# -*- coding: utf-8 -*-
# Unit tests for the vendor error-body parsers and the one error type.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import (
    MAX_MESSAGE_CHARS,
    OptionError,
    SessionApiError,
    clean_text,
    decode_json,
    describe_body,
    fail_kwargs,
    http_error,
    parse_h4_error,
    parse_vapi_error,
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
H4_ERROR = {"args": [], "code": "NotAuthenticated", "msg": "Authentication required.",
            "stacktrace": "com.vmware.h4.api.error.exceptions.NotAuthenticatedException: at com.vmware.Secret.line(42)"}


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


def test_h4_parser_keeps_code_and_msg_and_drops_stacktrace():
    vendor = parse_h4_error(H4_ERROR)
    assert vendor.code == "NotAuthenticated"
    assert vendor.messages == ["Authentication required."]
    assert "Secret" not in repr(vendor.__dict__)


@pytest.mark.parametrize("body", [None, [], "x", {"stacktrace": "only"}, {"args": []}])
def test_h4_parser_returns_none_without_code_or_msg(body):
    assert parse_h4_error(body) is None


@pytest.mark.parametrize("body", [{"code": 5, "msg": None}, {"code": "", "msg": ["a"]}, {"code": None, "msg": {}}])
def test_h4_parser_tolerates_wrong_types(body):
    vendor = parse_h4_error(body)
    assert vendor.code is None and vendor.messages == []


def test_decode_json_rejects_truncated_huge_and_deep_bodies():
    assert decode_json(b'{"error_type": "UNAUTH') is None
    assert decode_json(b"[" * 100000) is None
    assert decode_json(b"\xff\xfe") is None
    assert decode_json(json.dumps({"a": "b" * (2 * 1024 * 1024)}).encode()) is None
    assert decode_json(b'"token"') == "token"


def test_clean_text_bounds_strips_controls_and_masks_secrets():
    text = clean_text("line one\r\nline two\x00 secret-pass " + "x" * 1000, secrets=["secret-pass"])
    assert "\n" not in text and "\x00" not in text
    assert "secret-pass" not in text and "********" in text
    assert len(text) <= MAX_MESSAGE_CHARS + 3


def test_describe_body_names_html_title_and_size():
    html = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad</h1></body></html>"
    assert describe_body(html, "text/html") == "an HTML page ('502 Bad Gateway') instead of JSON"
    assert describe_body(b"", "application/json") == "an empty body"
    assert describe_body(b"404 page not found", "text/plain; charset=utf-8") == \
        "a non-JSON body (text/plain, 18 bytes)"


def test_http_error_builds_message_with_causes():
    error = http_error(401, json.dumps(NEW_SHAPE).encode(), "application/json", "https://vc:443/api/session",
                       parse_vapi_error)
    error.action = "vSphere Automation login to vc:443 as 'me'"
    assert error.message == ("vSphere Automation login to vc:443 as 'me' failed: HTTP 401 UNAUTHENTICATED: "
                             "Authentication required. (caused by: Token expired.)")
    assert error.status == 401 and error.error_type == "UNAUTHENTICATED"


def test_http_error_for_h4_matches_the_documented_format():
    error = http_error(401, json.dumps(H4_ERROR).encode(), "application/vnd.vmware.h4-v4.7+json;charset=UTF-8",
                       "https://vcda:443/sessions", parse_h4_error)
    error.action = "VCDA login to vcda:443 as 'user'"
    assert error.message == "VCDA login to vcda:443 as 'user' failed: HTTP 401 NotAuthenticated: Authentication required."
    assert "stacktrace" not in error.message and "Exception" not in error.message


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


def test_message_adds_attempts_and_hint():
    error = SessionApiError("HTTP 503 SERVICE_UNAVAILABLE: Service unavailable.", status=503, hint="Try later")
    error.action = "vSphere Automation login to vc:443 as 'me'"
    error.attempts = 4
    assert error.message == ("vSphere Automation login to vc:443 as 'me' failed: HTTP 503 SERVICE_UNAVAILABLE: "
                             "Service unavailable (gave up after 4 attempts). Try later")
    assert fail_kwargs(error)["attempts"] == 4


def test_fail_kwargs_for_option_error_is_only_the_message():
    assert fail_kwargs(OptionError("hostname is empty")) == {"msg": "hostname is empty"}


def test_max_session_limit_keeps_its_message_id():
    error = http_error(503, json.dumps(MAX_SESSIONS).encode(), "application/json", "u", parse_vapi_error)
    assert "com.vmware.vapi.endpoint.failedToLoginMaxUserSessionCountReached" in error.message_ids
    assert error.error_type == "SERVICE_UNAVAILABLE"
