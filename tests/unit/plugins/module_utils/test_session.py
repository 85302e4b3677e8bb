# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Unit tests for _session.py: the SessionApi contract, the shared token rule, and ensure_session on an API that
# answers from a script instead of a server.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import inspect

import pytest

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import OptionError, SessionApiError
from ansible_collections.sessionkit.vmware.plugins.module_utils._h4 import H4Sessions
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import (
    MAX_HEADER_VALUE,
    RETRY_STATUSES,
    Endpoint,
    check_header_value,
)
from ansible_collections.sessionkit.vmware.plugins.module_utils._vapi import VapiSessions
from ansible_collections.sessionkit.vmware.plugins.module_utils._session import (
    SessionApi,
    ensure_session,
    usable_token,
)


class ScriptedClient(object):
    """What SessionApi and ensure_session use of an HttpClient, with nothing sent."""

    def __init__(self):
        self.endpoint = Endpoint("api.example.com", 443)
        self.validate_certs, self.ca_path, self.timeout, self.proxy_url = True, None, 30, None
        self.retries = 3
        self.max_attempts = 1
        self.resent_after_reaching = False
        self.closed = False

    def close(self):
        self.closed = True


class ScriptedApi(SessionApi):
    """A session API whose server is a set of live tokens."""

    API = "scripted"
    FACT = "scripted_session"
    SECRET_OPTIONS = ("password", "token")
    CONNECTION_OPTIONS = ("flavour",)

    def __init__(self, client, params, live=(), fail_details=False, fail_logout=False):
        super(ScriptedApi, self).__init__(client, params)
        self.live = set(live)
        self.fail_details = fail_details
        self.fail_logout = fail_logout
        self.logouts = []

    def login(self):
        self.live.add("new-token")
        return self.opened("new-token", self._details)

    def _details(self):
        if self.fail_details:
            raise SessionApiError("HTTP 200 with a non-JSON body (text/plain, 3 bytes)")
        return {"user": "me"}

    def info(self, token):
        return {"user": "me"} if token in self.live else None

    def logout(self, token):
        self.logouts.append(token)
        if self.fail_logout:
            raise SessionApiError("connection refused")
        gone = token not in self.live
        self.live.discard(token)
        return self.ended(gone)

    def headers(self, token, details):
        return {"X-Token": token}

    def details_result(self, details):
        return {"user": details["user"]}


def module_params(tmp_path, **values):
    params = dict(state="present", set_facts=True, guard=False, guard_dir=str(tmp_path / "guard"), password="pw",
                  token=None, flavour="plain")
    params.update(values)
    return params


@pytest.mark.parametrize("length", [1, 4097, 7999, MAX_HEADER_VALUE])
def test_a_token_a_login_accepts_is_accepted_again_as_an_option(length):
    # One limit: a vAPI token of 4097 to 8000 characters used to fail at login, an H4 token of 8001 to 8192
    # characters to pass at login and fail on reuse.
    token = "t" * length
    assert usable_token(token)
    assert check_header_value(token, "token") == token


def test_one_character_past_the_limit_is_refused_at_login_and_as_an_option():
    token = "t" * (MAX_HEADER_VALUE + 1)
    assert MAX_HEADER_VALUE == 8000
    assert not usable_token(token)
    with pytest.raises(OptionError, match="more than the 8000 an HTTP header can carry"):
        check_header_value(token, "token")


@pytest.mark.parametrize("token", [None, 42, {"value": "x"}, "", "   ", "ab\r\ncd", "a\x00b", "a\x7fb", "tok\u20acen",
                                   " leading-space"])
def test_a_token_that_cannot_be_sent_back_is_not_usable(token):
    assert not usable_token(token)
    if isinstance(token, str) and token.strip():
        # The same rule as for a token given as an option.
        with pytest.raises(OptionError):
            check_header_value(token, "token")


def test_latin1_tokens_are_usable():
    assert usable_token("caf\u00e9-0123456789abcdef")


def test_an_api_missing_part_of_the_contract_cannot_be_built():
    class Incomplete(SessionApi):
        def login(self):
            return "t", {}

    # Python refuses to build a class with abstract methods left: the contract is checked in code.
    assert inspect.isabstract(Incomplete)
    assert Incomplete.__abstractmethods__ == frozenset(["info", "logout", "headers", "details_result"])
    assert not inspect.isabstract(ScriptedApi)


def test_ensure_session_refuses_what_is_not_a_session_api(tmp_path):
    with pytest.raises(TypeError, match="needs a SessionApi"):
        ensure_session(object(), None, False, True)


def test_secrets_come_from_the_secret_options_that_are_set():
    api = ScriptedApi(ScriptedClient(), {"password": "hunter22", "token": None})
    assert api.secrets == ["hunter22"]


def test_a_logout_told_gone_ended_the_session_only_after_a_resend():
    client = ScriptedClient()
    api = ScriptedApi(client, {})
    assert api.ended(gone=False) is True
    assert api.ended(gone=True) is False
    client.resent_after_reaching = True
    assert api.ended(gone=True) is True


def test_result_shape_is_token_headers_url_then_the_api_details():
    api = ScriptedApi(ScriptedClient(), {})
    session = api.result("tok", {"user": "me"})
    assert list(session) == ["token", "headers", "url", "user"]
    assert session == {"token": "tok", "headers": {"X-Token": "tok"}, "url": "https://api.example.com:443",
                       "user": "me"}


def test_connection_keeps_where_and_how_but_no_credentials():
    api = ScriptedApi(ScriptedClient(), {"password": "hunter22", "flavour": "plain"})
    connection = api.connection()
    assert connection == {"hostname": "api.example.com", "port": 443, "validate_certs": True, "ca_path": None,
                          "timeout": 30, "proxy_url": None, "retries": 3, "flavour": "plain"}
    assert "hunter22" not in repr(connection)


def connection_params(**values):
    params = dict(hostname="api.example.com", port=None, validate_certs=True, ca_path=None, timeout=30,
                  proxy_url=None, retries=3)
    params.update(values)
    return params


def test_each_api_builds_its_client_with_its_own_retry_rule():
    class PickyApi(ScriptedApi):
        RETRY_STATUSES = (503,)

    picky = PickyApi.for_params(connection_params(flavour="plain"))
    assert picky.client.retry_statuses == (503,) and picky.client.endpoint.port == 443
    for api in (ScriptedApi, VapiSessions, H4Sessions):
        assert api.for_params(connection_params()).client.retry_statuses == RETRY_STATUSES == (502, 503, 504)


def test_opened_remembers_the_token_as_a_secret():
    api = ScriptedApi(ScriptedClient(), {})
    assert api.login() == ("new-token", {"user": "me"})
    assert "new-token" in api.secrets


def test_a_login_whose_details_fail_is_logged_out_again_without_retries():
    client = ScriptedClient()
    api = ScriptedApi(client, {}, fail_details=True)
    with pytest.raises(SessionApiError) as caught:
        api.login()
    assert api.logouts == ["new-token"] and "new-token" not in api.live
    assert caught.value.hint == "The session the login opened was logged out again"
    assert client.retries == 3  # put back after the cleanup, which ran with none


def test_a_failed_orphan_logout_says_the_session_stays_open():
    api = ScriptedApi(ScriptedClient(), {}, fail_details=True, fail_logout=True)
    with pytest.raises(SessionApiError) as caught:
        api.login()
    assert "stays open until the server expires it" in caught.value.hint


def test_ensure_session_reuses_a_live_token(tmp_path):
    client = ScriptedClient()
    api = ScriptedApi(client, module_params(tmp_path), live=["old"])
    result = ensure_session(api, "old", False, True)
    assert result["changed"] is False and result["session"]["token"] == "old"
    assert result["ansible_facts"] == {"scripted_session": result["session"]}
    assert client.closed


def test_ensure_session_logs_in_again_for_a_dead_token(tmp_path):
    api = ScriptedApi(ScriptedClient(), module_params(tmp_path, set_facts=False))
    result = ensure_session(api, "dead", False, True)
    assert result["changed"] is True and result["session"]["token"] == "new-token"
    assert "ansible_facts" not in result


def test_ensure_session_without_credentials_names_the_dead_token(tmp_path):
    api = ScriptedApi(ScriptedClient(), module_params(tmp_path))
    with pytest.raises(OptionError, match="the token is no longer valid and no credentials were given"):
        ensure_session(api, "dead", False, False)


@pytest.mark.parametrize("live, changed, msg", [(["old"], True, "logged out"),
                                                ([], False, "the session was already gone")])
def test_ensure_session_logs_out(tmp_path, live, changed, msg):
    api = ScriptedApi(ScriptedClient(), module_params(tmp_path, state="absent"), live=live)
    result = ensure_session(api, "old", False, False)
    assert (result["changed"], result["msg"]) == (changed, msg)
    assert result["ansible_facts"]["scripted_session"] == {"token": "", "headers": {},
                                                           "url": "https://api.example.com:443"}


def test_ensure_session_check_mode_logout_only_looks(tmp_path):
    api = ScriptedApi(ScriptedClient(), module_params(tmp_path, state="absent"), live=["old"])
    result = ensure_session(api, "old", True, False)
    assert result["changed"] is True and result["msg"] == "would log out"
    assert api.logouts == [] and "ansible_facts" not in result


def test_a_session_whose_settling_fails_is_logged_out_only_when_this_call_opened_it(tmp_path):
    class Unsettled(ScriptedApi):
        def settle(self, token, details, logged_in, check_mode):
            raise SessionApiError("HTTP 400 on the extension")

    opened = Unsettled(ScriptedClient(), module_params(tmp_path))
    with pytest.raises(SessionApiError):
        ensure_session(opened, None, False, True)
    assert opened.logouts == ["new-token"]
    reused = Unsettled(ScriptedClient(), module_params(tmp_path), live=["old"])
    with pytest.raises(SessionApiError):
        ensure_session(reused, "old", False, True)
    assert reused.logouts == []
