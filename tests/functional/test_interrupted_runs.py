# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The guard of vapi_session and h4_session (guard: true) through the real ansible-playbook: runs ended by Ctrl-C,
# SIGTERM and SIGKILL at known points, counting the simulators' open sessions and logouts, the guard processes left
# and the records in guard_dir. Every wait polls for a count and gives up after a bound; no time is asserted.

import json
import os
import signal
import stat
import subprocess
import sys
import time
import uuid

import pytest

from functional.helpers import about, h4_login_args, vapi_login_args, vm_list, write_tasks
from lab import BIN, REPO

VAPI = "sessionkit.vmware.vapi_session"
H4 = "sessionkit.vmware.h4_session"
CLEANUP = "sessionkit.vmware.session_cleanup"
GRACE = 30  # seconds to wait for a count that should come within one (a loaded CI machine); a bound, not asserted


def wait_for(condition, timeout=GRACE):
    """Poll ``condition`` until it is true or ``timeout`` passes; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def processes_with(mark, command_part=b""):
    """Pids of live processes whose environment carries ``mark`` and whose command line contains ``command_part``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as handle:
                environ = handle.read()
            with open("/proc/%s/cmdline" % name, "rb") as handle:
                command_line = handle.read()
            with open("/proc/%s/stat" % name) as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X") and mark in environ.split(b"\0") and command_part in command_line:
            found.append(int(name))
    return found


def session_id(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[3])
    except OSError:
        return None


class Scenario(object):
    """One test's guard_dir, process mark and started runs; stops whatever is left of them at the end."""

    def __init__(self, playbook_files, tmp_path):
        self.files = playbook_files
        self.tmp_path = tmp_path
        self.guard_dir = tmp_path / "guard"
        self.mark = ("SESSIONKIT_TEST_MARK=%s" % uuid.uuid4().hex).encode("ascii")
        self.runs = []

    @property
    def env(self):
        return {"SESSIONKIT_TEST_MARK": self.mark.split(b"=", 1)[1].decode("ascii")}

    def guards(self):
        """Guard processes of this test's runs: a session module's python outside the runs' own sessions (each
        run leads one), which a module still running inside a run is not."""
        runs = set(proc.pid for proc in self.runs)
        return [pid for pid in processes_with(self.mark, b"_session.py") if session_id(pid) not in runs]

    def records(self):
        if not self.guard_dir.is_dir():
            return []
        return sorted(p for p in self.guard_dir.iterdir() if p.name.endswith(".json"))

    def record_data(self):
        return [json.loads(p.read_text()) for p in self.records()]

    def start(self, tasks, name="play.yml", env=None, navigator=False, hosts="localhost", args=()):
        command, full_env = self.files.command({"hosts": hosts, "tasks": tasks}, env=dict(self.env, **(env or {})),
                                               args=args, name=name)
        if navigator:
            # ansible-navigator without an execution environment, as `make demo` runs it; same inventory and play.
            inventory, playbook = command[2], command[3]
            command = [str(BIN / "ansible-navigator"), "run", playbook, "-i", inventory, "--ee", "false",
                       "--mode", "stdout"]
            full_env.update({"ANSIBLE_NAVIGATOR_CONFIG": str(REPO / "ansible-navigator.yml"),
                             "ANSIBLE_NAVIGATOR_LOG_FILE": str(self.tmp_path / "navigator.log")})
            full_env.pop("ANSIBLE_CALLBACKS_ENABLED")
        log = open(str(self.tmp_path / (name + ".log")), "w")
        proc = subprocess.Popen(command, env=full_env, cwd=str(self.tmp_path), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        log.close()
        self.runs.append(proc)
        return proc

    def run(self, tasks, name="play.yml", env=None, hosts="localhost", args=()):
        proc = self.start(tasks, name, env, hosts=hosts, args=args)
        proc.wait(timeout=300)
        return proc.returncode, (self.tmp_path / (name + ".log")).read_text()

    def finish(self):
        for proc in self.runs:
            if proc.poll() is None:
                proc.kill()
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # workers and commands left by a killed ansible-playbook
            except OSError:
                pass
            proc.wait()
        for pid in self.guards():
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def scenario(playbook_files, tmp_path):
    found = Scenario(playbook_files, tmp_path)
    yield found
    found.finish()


def vapi_login(scenario, vapi, pki, name="log in to vapi", **options):
    args = vapi_login_args(vapi, pki, guard=True, guard_dir=str(scenario.guard_dir))
    args.update(options)
    return {"name": name, VAPI: args, "register": "vapi_login"}


def h4_login(scenario, h4, pki, name="log in to h4", **options):
    args = h4_login_args(h4, pki, guard=True, guard_dir=str(scenario.guard_dir))
    args.update(options)
    return {"name": name, H4: args, "register": "h4_login"}


def vapi_logout(scenario, vapi, pki):
    return {"name": "log out of vapi", VAPI: {
        "hostname": "127.0.0.1", "port": vapi.port, "ca_path": pki.ca_cert, "state": "absent",
        "guard_dir": str(scenario.guard_dir), "session_token": "{{ vapi_login.session.token }}"}}


def long_task(seconds=60):
    return {"name": "downstream work", "ansible.builtin.command": "sleep %d" % seconds, "changed_when": False}


def downstream_started(scenario):
    # "downstream work]": a task of the play, or of a session_tasks file the role runs ("<role> : downstream work").
    return "downstream work]" in "".join(
        p.read_text() for p in scenario.tmp_path.glob("*.log"))


def assert_nothing_left(scenario, *sims):
    for sim in sims:
        assert wait_for(lambda: sim.logouts == 1), "%s: %s" % (sim.kind, sim.stats())
        assert (sim.kind, sim.logins, sim.logouts, sim.open_sessions) == (sim.kind, 1, 1, 0)
    assert wait_for(lambda: not scenario.guards()), "guard processes left: %s" % scenario.guards()
    assert wait_for(lambda: not scenario.records()), "records left: %s" % scenario.records()


INTERRUPTIONS = ["sigint_to_group", "sigterm_to_playbook", "sigkill_to_playbook"]


def interrupt(proc, how):
    """End a run as a user (Ctrl-C reaches the terminal's whole process group), AWX (SIGTERM) or kill -9 would."""
    if how == "sigint_to_group":
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # ansible-core 2.17 now and then still waits for its workers after the first Ctrl-C; a user presses it
            # again. What is asserted is what the guard does once the run has ended, however it took.
            os.killpg(proc.pid, signal.SIGINT)
    elif how == "sigterm_to_playbook":
        proc.send_signal(signal.SIGTERM)
    else:
        proc.kill()
    proc.wait(timeout=60)


@pytest.mark.parametrize("how", INTERRUPTIONS)
def test_an_interrupted_run_leaves_no_session_open(how, scenario, vapi, h4, pki):
    proc = scenario.start([vapi_login(scenario, vapi, pki), h4_login(scenario, h4, pki), long_task()])
    assert wait_for(lambda: downstream_started(scenario) and len(scenario.records()) == 2, 120)
    assert (vapi.open_sessions, h4.open_sessions, len(scenario.guards())) == (1, 1, 2)
    interrupt(proc, how)
    assert_nothing_left(scenario, vapi, h4)


def test_ctrl_c_under_ansible_navigator_leaves_no_session_open(scenario, vapi, pki):
    proc = scenario.start([vapi_login(scenario, vapi, pki), long_task()], navigator=True)
    assert wait_for(lambda: downstream_started(scenario) and len(scenario.records()) == 1, 120)
    (record,) = scenario.record_data()
    assert record["owner"]["pid"] != proc.pid  # ansible-playbook under the navigator, not the navigator itself
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        # ansible-runner sometimes waits on its pexpect child after the first Ctrl-C; a user presses it again.
        interrupt(proc, "sigint_to_group")
    assert_nothing_left(scenario, vapi)
    # Nothing of the run is left either: ansible-playbook and its workers end with the navigator. They may take a
    # while on a loaded machine (seen past GRACE at a load of 10 on two cores), so the bound is longer here.
    assert wait_for(lambda: not processes_with(scenario.mark), 3 * GRACE), processes_with(scenario.mark)


def test_ctrl_c_during_the_login_leaves_no_session_open(scenario, vapi, pki):
    vapi.delay(3, count=1)
    proc = scenario.start([vapi_login(scenario, vapi, pki), long_task()])
    assert wait_for(lambda: any(r.method == "POST" for r in vapi.requests), 120)
    interrupt(proc, "sigint_to_group")
    # The login was answered after the interruption: the server opened a session, and the guard ended it.
    assert_nothing_left(scenario, vapi)


def test_a_normal_run_with_logout_leaves_no_record_and_no_guard(scenario, vapi, pki):
    rc, output = scenario.run([vapi_login(scenario, vapi, pki), vapi_logout(scenario, vapi, pki)])
    assert rc == 0, output
    assert (vapi.logins, vapi.logouts, vapi.open_sessions) == (1, 1, 0)
    assert wait_for(lambda: not scenario.guards()), scenario.guards()
    assert scenario.records() == []
    assert stat.S_IMODE(scenario.guard_dir.stat().st_mode) == 0o700


def test_a_guarded_session_left_open_is_logged_out_when_the_run_ends(scenario, vapi, h4, pki):
    # The guard's logout runs after ansible has deleted the module's files: it must need none of them.
    rc, output = scenario.run([vapi_login(scenario, vapi, pki), h4_login(scenario, h4, pki)])
    assert rc == 0, output
    assert_nothing_left(scenario, vapi, h4)


def test_an_unguarded_session_left_open_stays_open(scenario, vapi, pki):
    rc, output = scenario.run([vapi_login(scenario, vapi, pki, guard=False)])
    assert rc == 0, output
    time.sleep(1)  # a guard, were there one, would have logged out by now
    assert (vapi.logins, vapi.logouts, vapi.open_sessions) == (1, 0, 1)
    assert scenario.guards() == [] and scenario.records() == []


def test_a_reused_session_is_not_guarded(scenario, vapi, pki):
    rc, output = scenario.run([
        vapi_login(scenario, vapi, pki, guard=False),
        vapi_login(scenario, vapi, pki, name="reuse", session_token="{{ vapi_login.session.token }}")])
    assert rc == 0, output
    time.sleep(1)
    assert (vapi.logins, vapi.logouts, vapi.open_sessions) == (1, 0, 1)
    assert scenario.records() == []


def kill_run_and_guard(scenario, vapi, pki):
    """Start a guarded login, then SIGKILL its guard and its ansible-playbook, as a lost machine would."""
    proc = scenario.start([vapi_login(scenario, vapi, pki), long_task()], name="killed.yml")
    assert wait_for(lambda: downstream_started(scenario) and scenario.records(), 120)
    (record,) = scenario.record_data()
    assert record["owner"]["pid"] == proc.pid
    os.kill(record["guard"]["pid"], signal.SIGKILL)
    assert wait_for(lambda: not scenario.guards())
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    return record["token"]


def test_after_kill_9_the_record_stays_private_and_the_next_guarded_login_logs_it_out(scenario, vapi, pki):
    token = kill_run_and_guard(scenario, vapi, pki)
    time.sleep(1)
    assert (vapi.open_sessions, list(vapi.sessions)) == (1, [token])
    (path,) = scenario.records()
    assert stat.S_IMODE(scenario.guard_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert token not in path.name

    rc, output = scenario.run([vapi_login(scenario, vapi, pki), vapi_logout(scenario, vapi, pki)])
    assert rc == 0, output
    assert (vapi.logins, vapi.logouts, vapi.open_sessions) == (2, 2, 0)
    assert scenario.records() == []


@pytest.mark.parametrize("entry", ["module", "role"])
def test_after_kill_9_the_cleanup_logs_the_session_out(entry, scenario, vapi, pki):
    token = kill_run_and_guard(scenario, vapi, pki)
    if entry == "module":
        task = {"name": "clean up", CLEANUP: {"guard_dir": str(scenario.guard_dir)}, "register": "cleanup"}
    else:
        role = {"name": "sessionkit.vmware.session", "tasks_from": "cleanup"}
        task = {"name": "clean up", "ansible.builtin.include_role": role,
                "vars": {"session_guard_dir": str(scenario.guard_dir)}}
    check = dict(task, check_mode=True, name="clean up in check mode")
    report = {"name": "report", "ansible.builtin.debug": {"var": "cleanup"}}
    rc, output = scenario.run([check, task, report] if entry == "module" else [task])
    assert rc == 0, output
    assert (vapi.logouts, vapi.open_sessions, token in vapi.sessions) == (1, 0, False)
    assert scenario.records() == []
    if entry == "module":
        results = [r["result"] for r in scenario.files.records() if r["task"].startswith("clean up")]
        counts = [(r["changed"], r["stale"], r["logged_out"], r["already_gone"], r["failed"], r["owned"])
                  for r in results]
        assert counts == [(True, 1, 0, 0, 0, 0), (True, 1, 1, 0, 0, 0)]


def test_two_runs_at_once_never_log_out_each_others_sessions(scenario, vapi, pki):
    flag = scenario.tmp_path / "go"
    killed = scenario.start([vapi_login(scenario, vapi, pki), long_task()], name="killed.yml")
    wait = {"name": "wait for the flag", "ansible.builtin.wait_for": {"path": str(flag), "timeout": 240}}
    kept = scenario.start([vapi_login(scenario, vapi, pki), wait, vapi_logout(scenario, vapi, pki)], name="kept.yml")
    assert wait_for(lambda: len(scenario.records()) == 2 and downstream_started(scenario), 120)
    owners = dict((r["owner"]["pid"], r["token"]) for r in scenario.record_data())
    assert sorted(owners) == sorted([killed.pid, kept.pid])
    killed.kill()
    killed.wait(timeout=60)
    assert wait_for(lambda: vapi.logouts == 1)
    assert list(vapi.sessions) == [owners[kept.pid]]

    # Neither another guarded login's sweep nor the cleanup touches the session of a run that still goes.
    rc, output = scenario.run([vapi_login(scenario, vapi, pki), vapi_logout(scenario, vapi, pki),
                               {"name": "clean up", CLEANUP: {"guard_dir": str(scenario.guard_dir)}}],
                              name="third.yml")
    assert rc == 0, output
    (cleanup,) = [r["result"] for r in scenario.files.records() if r["task"] == "clean up"]
    assert (cleanup["owned"], cleanup["stale"], cleanup["changed"]) == (1, 0, False)
    assert list(vapi.sessions) == [owners[kept.pid]]

    flag.write_text("")
    assert kept.wait(timeout=120) == 0
    assert (vapi.logins, vapi.logouts, vapi.open_sessions) == (3, 3, 0)
    assert wait_for(lambda: not scenario.guards()), scenario.guards()
    assert scenario.records() == []


def test_guard_dir_open_to_others_is_refused(scenario, vapi, pki):
    scenario.guard_dir.mkdir(mode=0o755)
    scenario.guard_dir.chmod(0o755)
    rc, output = scenario.run([vapi_login(scenario, vapi, pki)])
    assert rc != 0
    assert "is not a directory private to this user" in output
    assert vapi.logins == 0


def fact_cache_env(tmp_path):
    return {"ANSIBLE_CACHE_PLUGIN": "jsonfile", "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(tmp_path / "facts")}


def cached_text(tmp_path):
    return "".join(p.read_text() for p in (tmp_path / "facts").iterdir())


def cached_facts(tmp_path):
    """The one host's cached facts; ansible-core 2.19+ wraps them in a JSON string under __payload__."""
    data = json.loads(cached_text(tmp_path))
    return json.loads(data["__payload__"]) if "__payload__" in data else data


def test_the_fact_cache_keeps_no_token_after_a_logout(scenario, vapi, h4, pki, tmp_path):
    h4_logout = {"name": "log out of h4", H4: {"hostname": "127.0.0.1", "port": h4.port, "ca_path": pki.ca_cert,
                                               "state": "absent", "token": "{{ h4_login.session.token }}"}}
    rc, output = scenario.run([vapi_login(scenario, vapi, pki, guard=False), vapi_logout(scenario, vapi, pki),
                               h4_login(scenario, h4, pki, guard=False), h4_logout], env=fact_cache_env(tmp_path))
    assert rc == 0, output
    (vapi_token,) = {r.headers["vmware-api-session-id"] for r in vapi.requests if r.method == "DELETE"}
    (h4_token,) = {r.headers["X-VCAV-Auth"] for r in h4.requests if r.method == "DELETE"}
    cached = cached_facts(tmp_path)
    assert (cached["vapi_session"]["token"], cached["vapi_session"]["headers"]) == ("", {})
    assert (cached["h4_session"]["token"], cached["h4_session"]["headers"]) == ("", {})
    assert vapi_token not in cached_text(tmp_path) and h4_token not in cached_text(tmp_path)


def test_with_set_facts_off_no_token_reaches_the_fact_cache(scenario, vapi, pki, tmp_path):
    other_fact = {"name": "set another fact", "ansible.builtin.set_fact": {"cacheable": True, "marker": "cached"}}
    rc, output = scenario.run([vapi_login(scenario, vapi, pki, guard=False, set_facts=False), other_fact],
                              env=fact_cache_env(tmp_path))
    assert rc == 0, output
    (token,) = vapi.sessions
    assert "cached" in cached_text(tmp_path)
    assert token not in cached_text(tmp_path)
    assert "vapi_session" not in cached_facts(tmp_path)


# ----- the session role: its guarded logins, shared by the hosts of a play, across the ways a run can end

ROLE = "sessionkit.vmware.session"
FLEET = ["vm-%02d" % number for number in range(3)]


def fleet_args(scenario):
    """An inventory of three local hosts that share the role's sessions (see test_fleet.py for why local)."""
    path = scenario.tmp_path / "fleet.ini"
    path.write_text("[fleet]\n" + "".join("%s ansible_connection=local ansible_python_interpreter=%s\n"
                                          % (host, sys.executable) for host in FLEET))
    return ["-i", str(path), "--forks", "3"]


def role_call(scenario, vapi, h4, pki, name="the role", tasks_from=None, downstream=(), **role_vars):
    """include_role of the session role on both simulators, with session_tasks holding ``downstream``."""
    role_vars.setdefault("session_vapi", vapi_login_args(vapi, pki))
    role_vars.setdefault("session_h4", h4_login_args(h4, pki))
    role_vars["session_guard_dir"] = str(scenario.guard_dir)
    if downstream:
        role_vars["session_tasks"] = write_tasks(scenario.tmp_path, "downstream.yml", list(downstream))
    args = {"name": ROLE}
    if tasks_from:
        args["tasks_from"] = tasks_from
    return {"name": name, "ansible.builtin.include_role": args, "vars": role_vars}


def role_downstream(pki):
    return [vm_list(pki, no_log=True), about(pki, no_log=True), long_task()]


@pytest.mark.parametrize("how", INTERRUPTIONS)
def test_an_interrupted_role_run_over_a_fleet_leaves_no_session_open(how, scenario, vapi, h4, pki):
    proc = scenario.start([role_call(scenario, vapi, h4, pki, downstream=role_downstream(pki))],
                          hosts="fleet", args=fleet_args(scenario))
    # Signalled once the simulators have seen the login and the first downstream calls of every host.
    assert wait_for(lambda: downstream_started(scenario) and len(scenario.records()) == 2, 120)
    assert wait_for(lambda: len(vapi.requests_to("/api/vcenter/vm")) == 3
                    and len(h4.requests_to("/diagnostics/about")) == 3, 60)
    assert (vapi.open_sessions, h4.open_sessions, len(scenario.guards())) == (1, 1, 2)
    interrupt(proc, how)
    assert_nothing_left(scenario, vapi, h4)


def test_ctrl_c_during_the_roles_login_leaves_no_session_open(scenario, vapi, h4, pki):
    h4.delay(3, count=1)
    proc = scenario.start([role_call(scenario, vapi, h4, pki, downstream=role_downstream(pki))])
    assert wait_for(lambda: vapi.logins == 1 and h4.connections >= 1, 120)
    interrupt(proc, "sigint_to_group")
    assert_nothing_left(scenario, vapi, h4)


def test_ctrl_c_between_the_login_and_logout_entry_points_leaves_no_session_open(scenario, vapi, h4, pki):
    proc = scenario.start([role_call(scenario, vapi, h4, pki, name="log in", tasks_from="login"),
                           dict(long_task(), name="another role's downstream work"),
                           role_call(scenario, vapi, h4, pki, name="log out", tasks_from="logout")])
    assert wait_for(lambda: downstream_started(scenario) and len(scenario.records()) == 2, 120)
    interrupt(proc, "sigint_to_group")
    assert_nothing_left(scenario, vapi, h4)


def test_the_role_after_kill_9_of_everything_cleans_up_on_its_next_run(scenario, vapi, h4, pki):
    proc = scenario.start([role_call(scenario, vapi, h4, pki, downstream=role_downstream(pki))], name="killed.yml")
    assert wait_for(lambda: downstream_started(scenario) and len(scenario.records()) == 2, 120)
    guards = [record["guard"]["pid"] for record in scenario.record_data()]
    for pid in guards:
        os.kill(pid, signal.SIGKILL)
    assert wait_for(lambda: not scenario.guards())
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    time.sleep(1)
    assert (vapi.open_sessions, h4.open_sessions, len(scenario.records())) == (1, 1, 2)

    # The next run of the role sweeps both records before its own logins, and ends with nothing open.
    rc, output = scenario.run([role_call(scenario, vapi, h4, pki)], name="next.yml")
    assert rc == 0, output
    for sim in (vapi, h4):
        assert (sim.kind, sim.logins, sim.logouts, sim.open_sessions) == (sim.kind, 2, 2, 0)
    assert scenario.records() == [] and wait_for(lambda: not scenario.guards())


def test_session_logout_false_keeps_the_session_open_after_a_normal_end(scenario, vapi, h4, pki):
    rc, output = scenario.run([role_call(scenario, vapi, h4, pki, session_logout=False)])
    assert rc == 0, output
    time.sleep(1)  # a guard, were there one, would have logged out by now
    for sim in (vapi, h4):
        assert (sim.kind, sim.logins, sim.logouts, sim.open_sessions) == (sim.kind, 1, 0, 1)
    assert scenario.guards() == [] and scenario.records() == []


@pytest.mark.parametrize("ending", ["normal", "interrupted"])
def test_the_roles_sessions_never_reach_the_fact_cache(ending, scenario, vapi, h4, pki, tmp_path, monkeypatch):
    other_fact = {"name": "set another fact", "ansible.builtin.set_fact": {"cacheable": True, "marker": "cached"}}
    downstream = role_downstream(pki) if ending == "interrupted" else [vm_list(pki, no_log=True)]
    tasks = [other_fact, role_call(scenario, vapi, h4, pki, downstream=downstream)]
    tokens = []
    for sim in (vapi, h4):
        def opened(user, _original=sim._open_session, **details):
            session = _original(user, **details)
            tokens.append(session.token)
            return session
        # Undone after the test: the simulators are shared with other tests, the simulators' own among them.
        monkeypatch.setattr(sim, "_open_session", opened)
    if ending == "normal":
        rc, output = scenario.run(tasks, env=fact_cache_env(tmp_path))
        assert rc == 0, output
    else:
        proc = scenario.start(tasks, env=fact_cache_env(tmp_path))
        assert wait_for(lambda: downstream_started(scenario) and len(scenario.records()) == 2, 120)
        interrupt(proc, "sigint_to_group")
    assert_nothing_left(scenario, vapi, h4)
    assert len(tokens) == 2 and "cached" in cached_text(tmp_path)
    assert not any(token in cached_text(tmp_path) for token in tokens)
    assert "vapi_session" not in cached_facts(tmp_path) and "h4_session" not in cached_facts(tmp_path)
