# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Unit tests for the one error type, body decoding and cleaning, and fail_json arguments; each API's error-body
# parser is tested beside its API (test_vapi.py, test_h4.py).

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import (
    MAX_MESSAGE_CHARS,
    OptionError,
    SessionApiError,
    clean_text,
    decode_json,
    describe_body,
    fail_kwargs,
)


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


def test_message_adds_attempts_and_hint():
    error = SessionApiError("HTTP 503 SERVICE_UNAVAILABLE: Service unavailable.", status=503, hint="Try later")
    error.action = "vSphere Automation login to vc:443 as 'me'"
    error.attempts = 4
    assert error.message == ("vSphere Automation login to vc:443 as 'me' failed: HTTP 503 SERVICE_UNAVAILABLE: "
                             "Service unavailable (gave up after 4 attempts). Try later")
    assert fail_kwargs(error)["attempts"] == 4


def test_fail_kwargs_for_option_error_is_only_the_message():
    assert fail_kwargs(OptionError("hostname is empty")) == {"msg": "hostname is empty"}
