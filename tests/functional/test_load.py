# Load: many hosts logging in at once with the role, and the role against a per-user session limit compared with the
# login-per-task pattern of other collections. Prints the figures (logins, peak open sessions, time) for the README.

import sys
import threading
import time

import pytest

from helpers import VAPI_PASSWORD, VAPI_USER, vm_list, write_tasks
from simulators.vapi import VapiSimulator

HOSTS = 50
FORKS = 25
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


def role_play(sim, pki, hosts="localhost", tasks_file=""):
    return {"hosts": hosts, "gather_facts": False, "roles": [{"role": "sessionkit.vmware.session", "vars": {
        "session_vapi": {"hostname": "127.0.0.1", "port": sim.port, "ca_path": pki.ca_cert, "username": VAPI_USER,
                         "password": VAPI_PASSWORD},
        "session_tasks": tasks_file}}]}


def statuses(sim, method, route):
    return [r.status for r in sim.requests if r.method == method and r.route == route]


def test_fifty_hosts_at_once(vapi, pki, run_playbook, tmp_path):
    inventory = tmp_path / "load.ini"
    line = "vc-client-%02d ansible_connection=local ansible_python_interpreter=" + sys.executable + "\n"
    inventory.write_text("[load]\n" + "".join(line % i for i in range(HOSTS)))
    downstream = write_tasks(tmp_path, "downstream.yml", [vm_list(pki, no_log=True)])
    with Peak(vapi) as peak:
        run = run_playbook(role_play(vapi, pki, hosts="load", tasks_file=downstream),
                           args=["-i", str(inventory), "--forks", str(FORKS)], timeout=900)
    figures("%d hosts, forks %d, role" % (HOSTS, FORKS), vapi, peak)
    assert run.rc == 0, run.output[-3000:]
    assert [r for r in run.records if r["status"] in ("failed", "unreachable")] == []
    assert len([r for r in run.records if r["task"].endswith("list vms") and r["status"] == "ok"]) == HOSTS
    assert vapi.logins == HOSTS and vapi.logouts == HOSTS and vapi.open_sessions == 0
    assert statuses(vapi, "GET", "/api/vcenter/vm") == [200] * HOSTS
    assert vapi.failed_logins == 0


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
    assert 503 not in statuses(limited, "POST", "/api/session")
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
    refused = statuses(limited, "POST", "/api/session").count(503)
    figures("per-task login, %d calls, limit %d" % (PLAYS, LIMIT), limited, peak, http_503=refused)
    assert run.rc == 0, run.output[-3000:]
    assert limited.logins == LIMIT and refused == PLAYS - LIMIT
    assert limited.open_sessions == LIMIT and peak.peak == LIMIT
