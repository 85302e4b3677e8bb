# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Load: the role against a per-user session limit, compared with the login-per-task pattern of other collections
# (many hosts at once: test_fleet.py). Prints the figures (logins, peak open sessions, time) for the README.

import threading
import time

import pytest

from functional.helpers import VAPI_PASSWORD, VAPI_USER
from simulators.vapi import VapiSimulator

PLAYS = 30
LIMIT = 10

pytestmark = pytest.mark.load


class Peak(object):
    """Samples a simulator's open sessions on a thread while a run goes on; ``peak`` is the most seen at once."""

    def __init__(self, sim):
        self.sim = sim
        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._done.wait(0.005):
            self.peak = max(self.peak, self.sim.open_sessions)

    def __enter__(self):
        self.started = time.time()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self.sim.open_sessions)
        self.seconds = time.time() - self.started


def figures(label, sim, peak, **extra):
    line = "%-40s logins=%d logouts=%d refused_logins=%d peak_open=%d open_at_end=%d time=%.1fs" % (
        label, sim.logins, sim.logouts, sim.failed_logins, peak.peak, sim.open_sessions, peak.seconds)
    for key, value in extra.items():
        line += " %s=%s" % (key, value)
    print(line)


def role_play(sim, pki, tasks_file=""):
    return {"hosts": "localhost", "gather_facts": False, "roles": [{"role": "sessionkit.vmware.session", "vars": {
        "session_vapi": {"hostname": "127.0.0.1", "port": sim.port, "ca_path": pki.ca_cert, "username": VAPI_USER,
                         "password": VAPI_PASSWORD},
        "session_tasks": tasks_file}}]}


@pytest.fixture
def limited(pki):
    sim = VapiSimulator(pki.server_cert, pki.server_key, max_sessions=LIMIT)
    sim.start()
    yield sim
    sim.stop()


def test_role_stays_under_the_session_limit_and_per_task_login_does_not(limited, pki, run_playbook):
    with Peak(limited) as peak:
        run = run_playbook([role_play(limited, pki) for _play in range(PLAYS)], timeout=900)
    figures("%d plays with the role, limit %d" % (PLAYS, LIMIT), limited, peak)
    assert run.rc == 0, run.output[-3000:]
    assert 503 not in [r.status for r in limited.requests_to("/api/session", "POST")]
    assert limited.logins == PLAYS and limited.logouts == PLAYS
    assert limited.open_sessions == 0 and peak.peak <= 1 and limited.failed_logins == 0

    limited.reset()
    url = "https://127.0.0.1:%d" % limited.port
    # What other collections do: log in before each call and never log out.
    per_task = {"tasks": [
        {"name": "login before each call", "ansible.builtin.uri": {
            "url": url + "/api/session", "method": "POST", "url_username": VAPI_USER, "url_password": VAPI_PASSWORD,
            "force_basic_auth": True, "status_code": [201, 503], "ca_path": pki.ca_cert},
         "loop": list(range(PLAYS)), "register": "logins", "no_log": True},
        {"name": "the call", "ansible.builtin.uri": {
            "url": url + "/api/vcenter/vm", "headers": {"vmware-api-session-id": "{{ item.json }}"},
            "ca_path": pki.ca_cert},
         "loop": "{{ logins.results | selectattr('status', 'equalto', 201) | list }}", "no_log": True},
    ]}
    with Peak(limited) as peak:
        run = run_playbook(per_task, timeout=900)
    refused = [r.status for r in limited.requests_to("/api/session", "POST")].count(503)
    figures("per-task login, %d calls, limit %d" % (PLAYS, LIMIT), limited, peak, http_503=refused)
    assert run.rc == 0, run.output[-3000:]
    assert limited.logins == LIMIT and refused == PLAYS - LIMIT
    assert limited.open_sessions == LIMIT and peak.peak == LIMIT
