# -*- coding: utf-8 -*-
# Unit tests for the VCDA login bodies and the per-auth_type option rules.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import OptionError
from ansible_collections.sessionkit.vmware.plugins.module_utils._h4 import (
    AUTH_TYPES,
    CREDENTIAL_OPTIONS,
    accept_header,
    check_auth_options,
    login_body,
    login_subject,
)


def params(auth_type, **values):
    base = dict((name, None) for name in CREDENTIAL_OPTIONS)
    base.update(auth_type=auth_type)
    base.update(values)
    return base


def body(auth_type, **values):
    p = params(auth_type, **values)
    check_auth_options(p)
    return login_body(p, now=lambda: 1465194049.081, nonce=lambda: "nonce-1")


def test_sso_body():
    assert body("sso", username="u@vsphere.local", password="pw") == \
        {"type": "ssoCredentials", "username": "u@vsphere.local", "password": "pw"}


def test_sso_body_with_principal():
    assert body("sso", username="u", password="pw", principal="other@vsphere.local")["principal"] == \
        "other@vsphere.local"


def test_sso_token_body_has_millisecond_timestamp_and_nonce():
    assert body("sso_token", saml_token="<saml2:Assertion/>") == {
        "type": "ssoToken", "samlToken": "<saml2:Assertion/>", "timestamp": 1465194049081, "nonce": "nonce-1"}


def test_sso_token_nonce_is_fresh_by_default():
    p = params("sso_token", saml_token="<a/>")
    assert login_body(p)["nonce"] != login_body(p)["nonce"]


def test_local_body_defaults_to_root():
    assert body("local", password="pw") == {"type": "localUser", "localUser": "root", "localPassword": "pw"}
    assert body("local", username="admin", password="pw")["localUser"] == "admin"


def test_vcd_body_uses_the_api_field_names():
    assert body("vcd", username="admin@acme", password="pw") == \
        {"type": "vcdCredentials", "vcdUser": "admin@acme", "vcdPassword": "pw"}


def test_vcd_token_and_cookie_bodies():
    assert body("vcd_token", vcd_token="jwt") == {"type": "vcdAccessToken", "vcdAccessToken": "jwt"}
    assert body("vcd_token", vcd_token="jwt", vcd_token_context="site-a")["context"] == "site-a"
    assert body("vcd_cookie", vcd_cookie="c00kie") == {"type": "vcdCookie", "vcdCookie": "c00kie"}


@pytest.mark.parametrize("auth_type, values, fragment", [
    ("sso", {"username": "u"}, "auth_type=sso needs password"),
    ("sso", {"password": "p"}, "auth_type=sso needs username"),
    ("sso", {"username": "u", "password": ""}, "needs password, which is missing or empty"),
    ("sso_token", {}, "needs saml_token"),
    ("local", {}, "needs password"),
    ("vcd", {"username": "admin", "password": "p"}, "username as user@org"),
    ("vcd", {"username": "@acme", "password": "p"}, "username as user@org"),
    ("vcd_token", {}, "needs vcd_token"),
    ("vcd_cookie", {}, "needs vcd_cookie"),
    ("sso", {"username": "u", "password": "p", "vcd_token": "x"}, "vcd_token is not used by auth_type=sso"),
    ("vcd_cookie", {"vcd_cookie": "c", "username": "u"}, "username is not used by auth_type=vcd_cookie (it may come"),
    ("local", {"password": "p", "principal": "x"}, "principal is not used by auth_type=local"),
    ("vcd", {"username": "a@b", "password": "p", "principal": "x"}, "principal is not used by auth_type=vcd"),
])
def test_missing_and_extra_options_are_refused(auth_type, values, fragment):
    with pytest.raises(OptionError) as caught:
        check_auth_options(params(auth_type, **values))
    assert fragment in caught.value.message


def test_every_auth_type_has_a_subject_without_secrets():
    for auth_type in AUTH_TYPES:
        subject = login_subject(params(auth_type, username="user@org", password="hunter2", saml_token="s",
                                       vcd_token="t", vcd_cookie="c"))
        assert "hunter2" not in subject and subject


def test_accept_header():
    assert accept_header("4.7") == "application/vnd.vmware.h4-v4.7+json;charset=UTF-8"
    assert accept_header(None) == "application/json"
