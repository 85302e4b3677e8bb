# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The shared HTTP client in-process against a real simulator: the waits between retries, which a playbook run
# cannot observe. The client's sleep is replaced by a recorder, so these tests take no time waiting.

import time
from email.utils import formatdate

import pytest

from ansible_collections.sessionkit.vmware.plugins.module_utils._http import HttpClient, parse_endpoint


@pytest.fixture
def sleeps(monkeypatch):
    for name in ("https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return []


def client(sim, pki, sleeps, timeout=30, retries=3):
    return HttpClient(parse_endpoint("127.0.0.1", sim.port), ca_path=pki.ca_cert, timeout=timeout, retries=retries,
                      sleep=sleeps.append)


def test_retry_after_is_honoured_and_capped_by_timeout(vapi, pki, sleeps):
    vapi.fail_next(1, 503, retry_after=2)
    vapi.fail_next(1, 503, retry_after=100)
    response = client(vapi, pki, sleeps, timeout=7).request("GET", "/api/session")
    # Then the simulator answers for itself: a session check without a token is a 401, which is returned.
    assert response.status == 401 and response.attempts == 3
    assert sleeps == [2.0, 7.0]


def test_retry_after_as_an_http_date(vapi, pki, sleeps):
    vapi.fail_next(1, 503, retry_after=formatdate(time.time() + 4, usegmt=True))
    response = client(vapi, pki, sleeps).request("GET", "/api/session")
    assert response.status == 401 and response.attempts == 2
    (wait,) = sleeps
    assert 2.0 < wait <= 4.0  # whole seconds in the date, and the time it took to get here


def test_without_retry_after_the_waits_grow_with_jitter(vapi, pki, sleeps):
    vapi.fail_always(502)
    response = client(vapi, pki, sleeps, retries=3).request("GET", "/api/session")
    assert response.status == 502 and response.attempts == 4
    assert len(sleeps) == 3
    for attempt, wait in enumerate(sleeps, 1):
        full = 0.5 * 2 ** (attempt - 1)
        assert full / 2 <= wait <= full


@pytest.mark.parametrize("status", [400, 401, 404, 429, 500])
def test_other_statuses_are_never_retried(vapi, pki, sleeps, status):
    vapi.fail_always(status, retry_after=1)
    response = client(vapi, pki, sleeps).request("POST", "/api/session")
    assert response.status == status and response.attempts == 1
    assert sleeps == [] and len(vapi.requests) == 1
