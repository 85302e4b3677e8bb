# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Unit tests for the VCDA login bodies and the per-auth_type option rules.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import OptionError, http_error
from ansible_collections.sessionkit.vmware.plugins.module_utils._h4 import (
    AUTH_TYPES,
    CREDENTIAL_OPTIONS,
    EXTEND_TYPES,
    LOGIN_TYPES,
    SECRET_OPTIONS,
    SITE_CREDENTIALS,
    H4Sessions,
    accept_header,
    check_auth_options,
    check_site_options,
    extend_body,
    extend_subject,
    h4_session,
    login_body,
    login_subject,
    parse_h4_error,
)
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import http_client

H4_ERROR = {"args": [], "code": "NotAuthenticated", "msg": "Authentication required.",
            "stacktrace": "com.vmware.h4.api.error.exceptions.NotAuthenticatedException: at com.vmware.Secret.line(42)"}


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
    assert body("vcd_token", vcd_token="jwt", vcd_token_context="acme-dr")["context"] == "acme-dr"
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
    ("vcd_api_token", {"org": "acme"}, "auth_type=vcd_api_token needs vcd_api_token"),
    ("vcd_api_token", {"vcd_api_token": "t"}, "auth_type=vcd_api_token needs org"),
    ("vcd_api_token", {"vcd_api_token": "t", "org": "acme", "vcd_token": "j"}, "vcd_token is not used by"),
    ("vcd_token", {"vcd_token": "j", "org": "acme"}, "org is not used by auth_type=vcd_token"),
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
                                       vcd_token="t", vcd_cookie="c", vcd_api_token="api-secret", org="acme"))
        assert "hunter2" not in subject and "api-secret" not in subject and subject


def test_accept_header():
    assert accept_header("4.7") == "application/vnd.vmware.h4-v4.7+json;charset=UTF-8"
    assert accept_header("3") == "application/vnd.vmware.h4-v3+json;charset=UTF-8"
    assert accept_header(None) == "application/json"


def test_vcd_api_token_body_uses_the_api_field_names():
    # vcda-sessions.md §1: VcdApiTokenLoginRequest lists apiToken, org and type.
    assert body("vcd_api_token", vcd_api_token="3edxCbBi67", org="acme-dr") == \
        {"type": "vcdApiToken", "apiToken": "3edxCbBi67", "org": "acme-dr"}


def site(site_name="site-b", **values):
    entry = dict((name, None) for name in SITE_CREDENTIALS)
    entry.update(site=site_name, state="present", type=None)
    entry.update(values)
    return entry


# vcda-sessions.md §3: each extension's fields besides site; note vcdUsername (not vcdUser) and token (not apiToken).
@pytest.mark.parametrize("extend_type, values, expected", [
    ("vcd", {"username": "admin1@org2", "password": "pw"},
     {"type": "credentials", "vcdUsername": "admin1@org2", "vcdPassword": "pw"}),
    ("vcd_token", {"vcd_token": "jwt"}, {"type": "accessToken", "accessToken": "jwt"}),
    ("vcd_token", {"vcd_token": "jwt", "vcd_token_context": "acme-dr"},
     {"type": "accessToken", "accessToken": "jwt", "context": "acme-dr"}),
    ("vcd_api_token", {"vcd_api_token": "tok", "org": "acme-dr"},
     {"type": "apiToken", "token": "tok", "org": "acme-dr"}),
    ("multisite", {"org": "acme-dr"}, {"type": "multisite", "org": "acme-dr"}),
    ("vcd_cookie", {"vcd_cookie": "f129"}, {"type": "cookie", "cookie": "f129"}),
])
def test_extend_bodies_use_the_api_field_names(extend_type, values, expected):
    entry = site(type=extend_type, **values)
    check_site_options([entry])
    assert extend_body(entry) == dict(expected, site="site-b")


def test_the_legacy_token_extension_of_4_1_and_4_2():
    entry = site(type="vcd_token", vcd_token="jwt", vcd_token_context="acme-dr")
    assert extend_body(entry, legacy=True) == {"type": "vcdAccessToken", "site": "site-b", "vcdAccessToken": "jwt",
                                               "context": "acme-dr"}


def test_every_extend_type_has_a_subject_without_secrets():
    for extend_type in EXTEND_TYPES:
        subject = extend_subject(site(type=extend_type, username="u@org", password="hunter2", vcd_token="jwt-secret",
                                      vcd_api_token="api-secret", org="acme", vcd_cookie="cookie-secret"))
        assert subject and not any(s in subject for s in ("hunter2", "jwt-secret", "api-secret", "cookie-secret"))


@pytest.mark.parametrize("entries, fragment", [
    ([site(type="vcd", username="a@b")], "sites entry 'site-b': type=vcd needs password"),
    ([site(type="vcd", username="admin", password="p")], "type=vcd needs username as user@org"),
    ([site(type="vcd_api_token", vcd_api_token="t")], "type=vcd_api_token needs org"),
    ([site(type="multisite", org="o", password="p")], "password is not used by type=multisite"),
    ([site()], "sites entry 'site-b' needs type"),
    ([site(state="absent"), site(state="absent")], "sites names site 'site-b' more than once"),
    ([site(" ", state="absent")], "sites has an entry with an empty site"),
])
def test_site_options_are_refused_with_the_entry_named(entries, fragment):
    with pytest.raises(OptionError) as caught:
        check_site_options(entries)
    assert fragment in caught.value.message


def test_a_dropped_site_needs_no_credentials():
    check_site_options([site(state="absent"), site("site-c", type="multisite", org="acme")])


def module_params(**values):
    base = dict((name, None) for name in CREDENTIAL_OPTIONS)
    base.update(auth_type="sso", username="u", password="p", token=None, operation_id=None, api_version=None,
                state="present", sites=None, hostname="vcda.example.com", port=None, validate_certs=True,
                ca_path=None, timeout=30, proxy_url=None, retries=0)
    base.update(values)
    return base


@pytest.mark.parametrize("version, accepted", [("3", True), ("4.7", True), ("4.10", True), ("v4", False),
                                               ("4.", False), ("4.7.1", False), ("3\n", False)])
def test_api_version_takes_two_numbers_or_a_major_version(version, accepted):
    # An accepted version gets past the option checks to the sites check, which is refused on purpose here.
    with pytest.raises(OptionError) as caught:
        h4_session(module_params(api_version=version, sites=[site()]), check_mode=False)
    assert ("needs type" in caught.value.message) is accepted


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


def test_http_error_for_h4_matches_the_documented_format():
    error = http_error(401, json.dumps(H4_ERROR).encode(), "application/vnd.vmware.h4-v4.7+json;charset=UTF-8",
                       "https://vcda:443/sessions", parse_h4_error)
    error.action = "VCDA login to vcda:443 as 'user'"
    assert error.message == "VCDA login to vcda:443 as 'user' failed: HTTP 401 NotAuthenticated: Authentication required."
    assert "stacktrace" not in error.message and "Exception" not in error.message


def test_every_login_type_is_one_class_and_the_module_wide_lists_come_from_them():
    assert AUTH_TYPES == ("sso", "sso_token", "local", "vcd", "vcd_token", "vcd_cookie", "vcd_api_token")
    assert [LOGIN_TYPES[name].name for name in AUTH_TYPES] == list(AUTH_TYPES)
    assert CREDENTIAL_OPTIONS == ("username", "password", "principal", "saml_token", "vcd_token", "vcd_token_context",
                                  "vcd_cookie", "vcd_api_token", "org")
    assert SECRET_OPTIONS == ("password", "saml_token", "vcd_token", "vcd_cookie", "vcd_api_token")
    for login_type in LOGIN_TYPES.values():
        assert set(login_type.needs) <= set(login_type.fields) and set(login_type.secrets) <= set(login_type.fields)


@pytest.mark.parametrize("auth_type, needs", [
    ("sso", ("username", "password")), ("sso_token", ("saml_token",)), ("local", ("password",)),
    ("vcd", ("username", "password")), ("vcd_token", ("vcd_token",)), ("vcd_cookie", ("vcd_cookie",)),
    ("vcd_api_token", ("vcd_api_token", "org")),
])
def test_each_type_needs_its_documented_options(auth_type, needs):
    assert LOGIN_TYPES[auth_type].needs == needs
    for option in needs:
        values = dict((name, "user@org") for name in needs)
        values[option] = None
        with pytest.raises(OptionError, match="auth_type=%s needs %s" % (auth_type, option)):
            check_auth_options(params(auth_type, **values))


def h4_sessions(**values):
    client = http_client(module_params(**values))
    return H4Sessions(client, module_params(**values))


def test_h4_sessions_keep_every_secret_and_the_connection_a_logout_needs():
    sessions = h4_sessions(password="pw-1", token="tok-1", operation_id="op-7", api_version="4.7",
                           sites=[dict(site(vcd_api_token="site-secret"), type="vcd_api_token", org="acme")])
    try:
        assert set(sessions.secrets) == {"pw-1", "tok-1", "site-secret"}
        connection = sessions.connection()
        assert (connection["api_version"], connection["operation_id"]) == ("4.7", "op-7")
        assert "pw-1" not in repr(connection)
        assert sessions.request_headers == {"Accept": "application/vnd.vmware.h4-v4.7+json;charset=UTF-8",
                                            "operationID": "op-7"}
    finally:
        sessions.client.close()


def test_h4_sessions_can_be_built_from_a_guard_record_s_connection_alone():
    sessions = h4_sessions()
    connection = sessions.connection()
    sessions.client.close()
    again = H4Sessions(http_client(connection), connection)
    try:
        assert again.secrets == [] and again.api_version is None
    finally:
        again.client.close()


def test_h4_result_has_the_documented_keys():
    sessions = h4_sessions()
    try:
        details = {"user": "u", "roles": ["R"], "authenticated_sites": [{"site": "a"}], "api_version": "4.7"}
        headers = {"X-VCAV-Auth": "tok", "Accept": "application/vnd.vmware.h4-v4.7+json;charset=UTF-8"}
        assert sessions.result("tok", details) == dict(details, token="tok", headers=headers,
                                                       url="https://vcda.example.com:443")
    finally:
        sessions.client.close()
