# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Unit tests for which answers and failures HttpClient retries, for a login POST and for other requests.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import SessionApiError, response_error
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import NOT_RESENT, Endpoint, HttpClient


class Raw(object):
    def __init__(self, status):
        self.status_code = status
        self.headers = {}
        self.content = b""


def client_answering(*outcomes, **options):
    """An HttpClient whose transport gives ``outcomes`` in turn: a status, or an exception to raise."""
    client = HttpClient(Endpoint("vcda.example.com", 443), retries=3, sleep=lambda seconds: None, **options)
    sent = []

    def request(method, url, **kwargs):
        sent.append(method)
        outcome = outcomes[len(sent) - 1]
        if isinstance(outcome, BaseException):
            raise outcome
        return Raw(outcome)

    client._session.request = request
    return client, sent


def test_a_login_is_not_resent_after_a_504_and_says_why():
    client, sent = client_answering(504, 200)
    response = client.request("POST", "/sessions", json_body={}, idempotent=False)
    assert response.status == 504 and len(sent) == 1
    error = response_error(response, "VCDA login", lambda data, secrets: None)
    assert error.hint == NOT_RESENT and "not sent again" in error.message


def test_only_the_clients_retry_statuses_are_tried_again():
    client, sent = client_answering(502, 503, 200, retry_statuses=(503,))
    assert client.request("GET", "/sessions").status == 502 and len(sent) == 1
    client, sent = client_answering(503, 200, retry_statuses=(503,))
    assert client.request("GET", "/sessions").status == 200 and len(sent) == 2


def test_a_login_is_resent_after_a_503_and_a_refused_connection():
    client, sent = client_answering(503, requests.exceptions.ConnectionError("Connection refused"), 200)
    response = client.request("POST", "/sessions", json_body={}, idempotent=False)
    assert response.status == 200 and len(sent) == 3 and response.not_resent is None


@pytest.mark.parametrize("failure", [requests.exceptions.ReadTimeout("read timed out"),
                                     requests.exceptions.ChunkedEncodingError("connection broken")])
def test_a_login_is_not_resent_after_it_may_have_reached_the_server(failure):
    client, sent = client_answering(failure, 200)
    with pytest.raises(SessionApiError) as caught:
        client.request("POST", "/sessions", json_body={}, idempotent=False)
    assert len(sent) == 1 and caught.value.message.endswith(NOT_RESENT)


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_session_checks_and_logouts_keep_their_retries(method):
    client, sent = client_answering(504, requests.exceptions.ReadTimeout("read timed out"), 200)
    assert client.request(method, "/sessions").status == 200 and len(sent) == 3


def test_no_note_when_no_retry_was_left():
    client, sent = client_answering(504)
    client.retries = 0
    assert client.request("POST", "/sessions", idempotent=False).not_resent is None and len(sent) == 1
