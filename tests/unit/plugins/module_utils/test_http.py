# -*- coding: utf-8 -*-
# Unit tests for host parsing, header-value checks and the Basic/SAML headers.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import gzip

import pytest

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import OptionError
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import check_header_value, parse_endpoint
from ansible_collections.sessionkit.vmware.plugins.module_utils._vapi import (
    basic_authorization,
    login_authorization,
    saml_authorization,
)


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


def test_a_basic_username_may_hold_any_character_since_it_travels_base64_encoded():
    assert check_header_value("\u7528\u6237@vsphere.local", "username", base64_encoded=True)
    header, who = login_authorization(_creds(username="\u7528\u6237@vsphere.local", password="p"), True)
    assert header.startswith("Basic ") and who == "'\u7528\u6237@vsphere.local'"
    with pytest.raises(OptionError, match="line break"):
        check_header_value("a\nb", "username", base64_encoded=True)


def test_header_value_check_passes_plain_tokens_through():
    assert check_header_value("cb40d6966154bce92713c537d2c4a848", "session_token") == "cb40d6966154bce92713c537d2c4a848"
    assert check_header_value(None, "session_token") is None


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
