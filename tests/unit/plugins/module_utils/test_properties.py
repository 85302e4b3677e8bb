# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Property-based tests (hypothesis): the error-body parsers and the host parser, fed anything, return a value or
# raise the collection's own OptionError, never another exception, and never echo a secret they were given.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import requests.utils

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import (
    OptionError,
    SessionApiError,
    decode_json,
    describe_body,
    http_error,
)
from ansible_collections.sessionkit.vmware.plugins.module_utils._h4 import parse_h4_error
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import Endpoint, check_header_value, parse_endpoint
from ansible_collections.sessionkit.vmware.plugins.module_utils._vapi import parse_vapi_error

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A secret as users have them: printable and long enough to be masked.
# The fixed prefix keeps a secret from being an ordinary word of the messages themselves ("hostname").
secrets_ = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=4, max_size=20).map(
    lambda s: "Zq9!" + s)

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40))
json_values = st.recursive(json_leaf, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)), max_leaves=20)


def with_secret(secret, shape):
    """``shape`` (a JSON value) with ``secret`` in every string position, bare, inside text, and upper-cased."""
    if isinstance(shape, str):
        return st.sampled_from([secret, "x %s y" % secret, shape + secret, secret.upper(), secret.lower()])
    if isinstance(shape, list):
        return st.tuples(*[with_secret(secret, item) for item in shape]).map(list)
    if isinstance(shape, dict):
        keys = list(shape)
        return st.tuples(*[with_secret(secret, shape[k]) for k in keys]).map(lambda vs: dict(zip(keys, vs)))
    return st.just(shape)


def vapi_shape(secret):
    message = {"id": secret, "default_message": secret, "localized": secret, "args": [secret]}
    new = {"error_type": secret, "messages": [message, message]}
    legacy = {"type": "com.vmware.vapi.std.errors." + secret, "value": {"error_type": secret, "messages": [message]}}
    return st.one_of(with_secret(secret, new), with_secret(secret, legacy))


def h4_shape(secret):
    return with_secret(secret, {"code": secret, "msg": secret, "args": [secret], "stacktrace": secret})


def html_page(secret):
    return st.sampled_from([
        "<html><head><title>%s</title></head><body>x</body></html>" % secret,
        "<h1>502 %s</h1>" % secret,
        "<p>%s</p>" % secret,
    ])


def assert_hidden(secret, *texts):
    for text in texts:
        assert secret not in text
        assert secret.lower() not in text.lower(), text


def error_texts(error):
    return [error.message, error.reason, str(error.error_type)] + error.server_messages + error.message_ids


@SETTINGS
@given(data=json_values, secret=secrets_)
def test_vapi_parser_takes_any_json(data, secret):
    vendor = parse_vapi_error(data, [secret])
    assert vendor is None or (isinstance(vendor.messages, list) and all(isinstance(m, str) for m in vendor.messages))


@SETTINGS
@given(data=json_values, secret=secrets_)
def test_h4_parser_takes_any_json(data, secret):
    vendor = parse_h4_error(data, [secret])
    assert vendor is None or all(isinstance(m, str) for m in vendor.messages)


@SETTINGS
@given(st.data(), secrets_)
def test_vapi_error_bodies_never_echo_the_secret(data, secret):
    body = data.draw(vapi_shape(secret))
    vendor = parse_vapi_error(body, [secret])
    assert vendor is not None
    assert_hidden(secret, str(vendor.code), *(vendor.messages + vendor.message_ids))
    error = http_error(503, json.dumps(body).encode(), "application/json", "https://vc:443/api/session",
                       parse_vapi_error, [secret])
    assert_hidden(secret, *error_texts(error))


@SETTINGS
@given(st.data(), secrets_)
def test_h4_error_bodies_never_echo_the_secret(data, secret):
    body = data.draw(h4_shape(secret))
    error = http_error(401, json.dumps(body).encode(), "application/vnd.vmware.h4-v4.7+json", "https://h4/sessions",
                       parse_h4_error, [secret])
    assert_hidden(secret, *error_texts(error))


@SETTINGS
@given(st.data(), secrets_, st.sampled_from([parse_vapi_error, parse_h4_error]),
       st.sampled_from(["text/html", "text/plain", None, "application/json"]))
def test_html_and_text_bodies_never_echo_the_secret(data, secret, parser, content_type):
    page = data.draw(html_page(secret))
    for body in (page.encode("utf-8"), page.encode("utf-16")):
        error = http_error(502, body, content_type, "https://vc/x", parser, [secret])
        assert_hidden(secret, *error_texts(error))
        assert_hidden(secret, describe_body(body, content_type, [secret]))
    # A content type that carries the secret is not shown either.
    error = http_error(502, b"x", "text/" + secret, "https://vc/x", parser, [secret])
    assert_hidden(secret, *error_texts(error))


@SETTINGS
@given(body=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))),
       content_type=st.one_of(st.none(), st.text(max_size=40)),
       status=st.integers(min_value=100, max_value=599),
       parser=st.sampled_from([parse_vapi_error, parse_h4_error]),
       secret=secrets_)
@example(body=b"[" * 100000, content_type="application/json", status=500, parser=parse_vapi_error, secret="s3cret-pw")
@example(body=b"9" * 5000, content_type=None, status=500, parser=parse_h4_error, secret="s3cret-pw")
@example(body=b"\xff\xfe<\x00h\x001\x00>", content_type="text/html", status=502, parser=parse_h4_error,
         secret="s3cret-pw")
def test_any_body_gives_an_error_and_no_other_exception(body, content_type, status, parser, secret):
    decode_json(body)
    assert isinstance(describe_body(body, content_type), str)
    error = http_error(status, body, content_type, "https://vc/x", parser, [secret])
    assert isinstance(error, SessionApiError)
    assert error.message.startswith("HTTP %d" % status)
    assert "\n" not in error.message


@SETTINGS
@given(body=st.one_of(st.binary(max_size=200), st.text(max_size=200)))
def test_decode_json_returns_a_value_or_none(body):
    result = decode_json(body)
    if result is not None:
        json.dumps(result)


hostnames = st.one_of(
    st.text(max_size=60),
    st.from_regex(r"\A(https?|ftp)?(://)?[a-z0-9.:\[\]@%-]{0,30}(/[a-z]*)?\Z"),
    st.builds(lambda a, b: "%s:%s" % (a, b), st.text(max_size=20), st.text(max_size=8)),
    st.builds(lambda a: "[%s]" % a, st.text("0123456789abcdef:.%", max_size=40)),
)
ports = st.one_of(st.none(), st.integers(), st.text(max_size=8))


@SETTINGS
@given(hostname=hostnames, port=ports)
@example(hostname="x" * 10000, port=None)
@example(hostname="vc.example.com:0", port=None)
@example(hostname="[::1]:99999", port=None)
@example(hostname="\u2603.example", port=443)
@example(hostname="https://:443", port=None)
def test_parse_endpoint_returns_an_endpoint_or_option_error(hostname, port):
    try:
        endpoint = parse_endpoint(hostname, port)
    except OptionError as error:
        assert error.message and "\n" not in error.message
        return
    assert isinstance(endpoint, Endpoint)
    assert 1 <= endpoint.port <= 65535
    assert endpoint.host and not any(c.isspace() or c in "/@?#" for c in endpoint.host)
    assert endpoint.base_url.startswith("https://")


@SETTINGS
@given(secret=secrets_.filter(lambda s: not any(c in s for c in "@/:?#[]%")),
       user=st.text("abcdefghijklmnop.", min_size=1, max_size=10),
       template=st.sampled_from([
           "https://{u}:{s}@vc.example.com",
           "https://{u}:{s}@vc.example.com/api",
           "http://{u}:{s}@vc.example.com",
           "ftp://{u}:{s}@vc.example.com:21/x",
           "{u}:{s}@vc.example.com",
           "{s}@vc.example.com",
           "{u}:{s}@vc.example.com:443",
           "https://{u}:{s}@vc.example.com?x=1",
       ]))
def test_parse_endpoint_never_echoes_credentials_in_the_hostname(secret, user, template):
    hostname = template.format(u=user, s=secret)
    try:
        parse_endpoint(hostname)
    except OptionError as error:
        assert secret not in error.message
        return
    raise AssertionError("%r was accepted" % hostname)


@SETTINGS
@given(value=st.text(max_size=60))
@example(value="tok\u20acen")
@example(value=" leading-space")
@example(value="\xa0nbsp")
@example(value="abc\r\nX-Injected: 1")
def test_header_value_check_passes_only_what_a_header_can_carry(value):
    """A header value (a token, an operation ID) that the check passes is one requests and http.client send as it is;
    anything else is refused before the request, as OptionError."""
    try:
        checked = check_header_value(value, "token")
    except OptionError:
        return
    assert checked == value
    requests.utils.check_header_validity(("X-VCAV-Auth", value))  # raises InvalidHeader for what requests refuses
    value.encode("latin-1")  # what http.client does with a header value; it must not raise


@SETTINGS
@given(secret=secrets_, bad=st.sampled_from(["\n", "\r\nX: y", "\x00", "\u20ac", "\u4e2d"]), before=st.booleans(),
       base64_encoded=st.booleans())
def test_a_refused_header_value_is_never_repeated(secret, bad, before, base64_encoded):
    value = bad + secret if before else secret + bad
    try:
        check_header_value(value, "token", base64_encoded=base64_encoded)
    except OptionError as error:
        assert secret not in error.message
    else:
        assert base64_encoded and not any(c in bad for c in "\r\n\x00")  # only non-Latin-1 text passes, encoded
