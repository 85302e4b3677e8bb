# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Unit tests for _http.py: host parsing, header-value checks, and the one copy of the collection's version.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import yaml

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import OptionError
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import (
    COLLECTION_VERSION,
    USER_AGENT,
    check_header_value,
    parse_endpoint,
)

# The collection's root, where galaxy.yml is: four folders above this file's (tests/unit/plugins/module_utils).
COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


@pytest.mark.parametrize("hostname, port, base_url, display", [
    ("vc.example.com", None, "https://vc.example.com:443", "vc.example.com:443"),
    ("vc.example.com", 8443, "https://vc.example.com:8443", "vc.example.com:8443"),
    ("vc.example.com:9443", None, "https://vc.example.com:9443", "vc.example.com:9443"),
    ("vc.example.com:9443", 9443, "https://vc.example.com:9443", "vc.example.com:9443"),
    ("  vc.example.com  ", None, "https://vc.example.com:443", "vc.example.com:443"),
    ("10.0.0.5", None, "https://10.0.0.5:443", "10.0.0.5:443"),
    ("fd00::10", None, "https://[fd00::10]:443", "[fd00::10]:443"),
    ("[fd00::10]", None, "https://[fd00::10]:443", "[fd00::10]:443"),
    ("[fd00::10]:8443", None, "https://[fd00::10]:8443", "[fd00::10]:8443"),
    ("https://vc.example.com", None, "https://vc.example.com:443", "vc.example.com:443"),
    ("HTTPS://vc.example.com:444/", None, "https://vc.example.com:444", "vc.example.com:444"),
    ("https://[::1]:8443", None, "https://[::1]:8443", "[::1]:8443"),
    ("bücher.example", None, "https://bücher.example:443", "bücher.example:443"),
])
def test_parse_endpoint_accepts_the_documented_forms(hostname, port, base_url, display):
    endpoint = parse_endpoint(hostname, port)
    assert endpoint.base_url == base_url
    assert endpoint.display == display


@pytest.mark.parametrize("hostname, port, fragment", [
    ("", None, "hostname is empty"),
    ("   ", None, "hostname is empty"),
    (None, None, "hostname is empty"),
    ("http://vc.example.com", None, "uses http://"),
    ("ftp://vc.example.com", None, "uses ftp://"),
    ("https://vc.example.com/ui", None, "has a path"),
    ("https://vc.example.com/?a=b", None, "has a path or query"),
    ("vc.example.com/api", None, "has a path"),
    ("https://me:pw@vc.example.com", None, "must not carry credentials"),
    ("vc example.com", None, "spaces or control characters"),
    ("vc.example.com\r\nX-Injected: 1", None, "spaces or control characters"),
    ("vc.example.com:abc", None, "is not a port number"),
    ("vc.example.com:0", None, "out of range"),
    ("vc.example.com:65536", None, "out of range"),
    ("vc.example.com", 0, "out of range"),
    ("vc.example.com", 65536, "out of range"),
    ("vc.example.com:443", 8443, "give the port in one place only"),
    ("[fd00::zz]", None, "not a valid IPv6 address"),
    ("[fd00::10", None, "not a valid bracketed IPv6"),
    ("-bad-.example", None, "not a valid host name"),
    ("a" * 64 + ".example", None, "not a valid host name"),
    ("x" * 5000, None, "spaces or control characters"),
    ("https://", None, "names no host"),
])
def test_parse_endpoint_refuses_with_a_clear_message(hostname, port, fragment):
    with pytest.raises(OptionError) as caught:
        parse_endpoint(hostname, port)
    assert fragment in caught.value.message


@pytest.mark.parametrize("value", ["abc\r\nX-Evil: 1", "abc\n", "a\x00b", "tab\there"])
def test_header_values_with_control_characters_are_refused(value):
    with pytest.raises(OptionError, match="line break or control character"):
        check_header_value(value, "session_token")


@pytest.mark.parametrize("value", ["tok\u20acen", "\u4e2d\u6587", "smart \u201cquotes\u201d"])
def test_header_values_outside_latin1_are_refused_without_echoing_them(value):
    with pytest.raises(OptionError, match="outside Latin-1") as caught:
        check_header_value(value, "token")
    assert value not in caught.value.message


def test_header_value_check_passes_plain_tokens_through():
    assert check_header_value("cb40d6966154bce92713c537d2c4a848", "session_token") == "cb40d6966154bce92713c537d2c4a848"
    assert check_header_value(None, "session_token") is None


def test_the_version_in_the_code_is_galaxy_yml_s():
    with open(os.path.join(COLLECTION_ROOT, "galaxy.yml")) as galaxy:
        version = yaml.safe_load(galaxy)["version"]
    assert COLLECTION_VERSION == version
    assert USER_AGENT == "sessionkit.vmware/" + version
