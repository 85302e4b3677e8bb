# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The session role over whole inventories: one session per distinct endpoint and identity for all hosts of a play
# batch, opened on the controller, logged out once after every host is done, through the real ansible-playbook.
#
# Every inventory host here uses a local connection: the role never connects to them for its logins (those run on
# the controller), and the downstream tasks only need somewhere to run, so local hosts stand in for VMs without SSH.

import re
import sys

import pytest

from functional.helpers import (H4_PASSWORD, VAPI_PASSWORD, VAPI_USER, about, h4_login_args, vapi_login_args,
                                vm_list, write_tasks)
from simulators.h4 import H4Simulator
from simulators.vapi import VapiSimulator

ROLE = "sessionkit.vmware.session"
LOCAL = "ansible_connection=local ansible_python_interpreter=" + sys.executable


def inventory(tmp_path, groups, extra=""):
    """An INI inventory: groups maps a group name to its host names; every host gets a local connection."""
    lines = []
    for group, hosts in groups.items():
        lines.append("[%s]" % group)
        lines.extend("%s %s" % (host, LOCAL) for host in hosts)
    path = tmp_path / "fleet.ini"
    path.write_text("\n".join(lines) + "\n" + extra)
    return str(path)


def hosts(prefix, count):
    return ["%s-%02d" % (prefix, number) for number in range(count)]


def role_play(hosts_pattern, role_vars, **play):
    play.update({"hosts": hosts_pattern, "gather_facts": False, "roles": [{"role": ROLE, "vars": role_vars}]})
    return play


def recap(run):
    """host -> {ok, changed, unreachable, failed, ...} from the PLAY RECAP lines of the screen output."""
    found = {}
    for host, counters in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", run.stdout, re.M):
        found[host] = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", counters))
    return found


def failed_hosts(run):
    return sorted(h for h, c in recap(run).items() if c.get("failed") or c.get("unreachable"))


def ok_results(run, task):
    return sorted(r["host"] for r in run.records if r["task"].endswith(task) and r["status"] == "ok")


def session_counts(sim):
    return sim.logins, sim.logouts, sim.peak_sessions, sim.open_sessions


@pytest.fixture
def record_sessions(monkeypatch):
    """record_sessions(sim, ...) -> a list that collects (simulator kind, user, token) of every session opened."""
    opened = []

    def watch(*sims):
        for sim in sims:
            def open_session(user, _sim=sim, _original=sim._open_session, **details):
                session = _original(user, **details)
                if session is not None:
                    opened.append((_sim, user, session.token))
                return session
            monkeypatch.setattr(sim, "_open_session", open_session)
        return opened

    return watch


@pytest.fixture
def second_vapi(pki):
    """A second vCenter."""
    with VapiSimulator(pki.server_cert, pki.server_key) as sim:
        yield sim


@pytest.fixture
def limited(pki):
    """A vCenter and a VCDA appliance that allow 10 open sessions per user, as vCenter does at 550."""
    with VapiSimulator(pki.server_cert, pki.server_key, max_sessions=10) as vapi_sim, \
            H4Simulator(pki.server_cert, pki.server_key, max_sessions=10) as h4_sim:
        yield vapi_sim, h4_sim


def both_apis(vapi_sim, h4_sim, pki, downstream, **extra):
    role_vars = {"session_vapi": vapi_login_args(vapi_sim, pki), "session_h4": h4_login_args(h4_sim, pki),
                 "session_tasks": downstream}
    role_vars.update(extra)
    return role_vars


def test_thirty_hosts_under_a_limit_of_ten_share_one_session_per_endpoint(limited, pki, run_playbook, tmp_path):
    vapi_sim, h4_sim = limited
    fleet = hosts("vm", 30)
    downstream = write_tasks(tmp_path, "downstream.yml", [vm_list(pki, no_log=True), about(pki, no_log=True)])
    run = run_playbook(role_play("fleet", both_apis(vapi_sim, h4_sim, pki, downstream)),
                       args=["-i", inventory(tmp_path, {"fleet": fleet}), "--forks", "10"])
    assert run.rc == 0, run.output[-3000:]
    assert failed_hosts(run) == [] and sorted(recap(run)) == fleet
    assert ok_results(run, "list vms") == fleet and ok_results(run, "read about") == fleet
    for sim in limited:
        assert session_counts(sim) == (1, 1, 1, 0), sim.kind
        assert sim.failed_logins == 0


@pytest.mark.load
def test_fifty_hosts_forks_twenty_five_both_apis(vapi, h4, pki, run_playbook, tmp_path):
    fleet = hosts("vm", 50)
    downstream = write_tasks(tmp_path, "downstream.yml", [vm_list(pki, no_log=True), about(pki, no_log=True)])
    run = run_playbook(role_play("fleet", both_apis(vapi, h4, pki, downstream)),
                       args=["-i", inventory(tmp_path, {"fleet": fleet}), "--forks", "25"], timeout=900)
    assert run.rc == 0, run.output[-3000:]
    assert failed_hosts(run) == []
    assert ok_results(run, "list vms") == fleet and ok_results(run, "read about") == fleet
    for sim in (vapi, h4):
        assert session_counts(sim) == (1, 1, 1, 0), sim.kind


def test_one_session_per_distinct_endpoint_and_identity(vapi, second_vapi, h4, pki, run_playbook, tmp_path,
                                                        record_sessions):
    other_user, other_password = "reporting@vsphere.local", "Rep0rting-Pa55"
    vapi.users = {VAPI_USER: VAPI_PASSWORD, other_user: other_password}
    opened = record_sessions(vapi, second_vapi, h4)
    groups = {"vcenter_a": hosts("a", 4), "vcenter_b": hosts("b", 4), "reporting": hosts("r", 4)}
    # Each group's session_vapi comes from its own group variables, as an inventory would set them.
    extra = (
        "[vcenter_a:vars]\nvc_port=%d\nvc_user=%s\nvc_password=%s\n"
        "[vcenter_b:vars]\nvc_port=%d\nvc_user=%s\nvc_password=%s\n"
        "[reporting:vars]\nvc_port=%d\nvc_user=%s\nvc_password=%s\n"
    ) % (vapi.port, VAPI_USER, VAPI_PASSWORD, second_vapi.port, VAPI_USER, VAPI_PASSWORD,
         vapi.port, other_user, other_password)
    downstream = write_tasks(tmp_path, "downstream.yml", [vm_list(pki, no_log=True), about(pki, no_log=True)])
    role_vars = {
        "session_vapi": {"hostname": "127.0.0.1", "port": "{{ vc_port | int }}", "ca_path": pki.ca_cert,
                         "username": "{{ vc_user }}", "password": "{{ vc_password }}"},
        "session_h4": h4_login_args(h4, pki), "session_tasks": downstream}
    run = run_playbook(role_play("all:!localhost", role_vars), args=["-i", inventory(tmp_path, groups, extra), "-vvv"])
    assert run.rc == 0, run.output[-3000:]
    everyone = sorted(sum(groups.values(), []))
    assert ok_results(run, "list vms") == everyone and ok_results(run, "read about") == everyone
    # vCenter A: one session for the automation user and one for the reporting user; vCenter B: one; VCDA: one.
    assert session_counts(vapi) == (2, 2, 2, 0)
    assert sorted(user for sim, user, _token in opened if sim is vapi) == sorted([VAPI_USER, other_user])
    assert session_counts(second_vapi) == (1, 1, 1, 0)
    assert session_counts(h4) == (1, 1, 1, 0)
    # Every host's calls went to its own vCenter with its own group's token.
    calls = [r for r in vapi.requests + second_vapi.requests if r.route == "/api/vcenter/vm"]
    assert len(calls) == 12 and all(r.status == 200 for r in calls)
    assert len(opened) == 4
    for secret in [token for _sim, _user, token in opened] + [VAPI_PASSWORD, other_password, H4_PASSWORD]:
        assert secret not in run.output


def test_failed_and_unreachable_hosts_do_not_end_the_others_sessions(vapi, h4, pki, run_playbook, tmp_path,
                                                                     record_sessions):
    opened = record_sessions(vapi, h4)
    fleet = hosts("vm", 9)
    broken = fleet[::3]  # a third of the hosts fail their first downstream task
    # One host cannot be reached at all: its downstream tasks never run, and it must not take a session with it.
    extra = "[fleet]\nvm-gone ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=1 ansible_user=nobody\n"
    downstream = write_tasks(tmp_path, "downstream.yml", [
        {"name": "break on some hosts", "ansible.builtin.fail": {"msg": "downstream-broke"},
         "when": "inventory_hostname in %r" % broken},
        # Runs after the failed hosts have left for the role's always section: the sessions must still work.
        vm_list(pki, no_log=True), about(pki, no_log=True),
    ])
    run = run_playbook(role_play("fleet", both_apis(vapi, h4, pki, downstream)),
                       args=["-i", inventory(tmp_path, {"fleet": fleet}, extra), "-vvv"])
    assert run.rc != 0
    assert failed_hosts(run) == sorted(broken + ["vm-gone"])
    survivors = sorted(set(fleet) - set(broken))
    assert ok_results(run, "list vms") == survivors and ok_results(run, "read about") == survivors
    assert all(r.status == 200 for r in vapi.requests + h4.requests if r.method == "GET")
    for sim in (vapi, h4):
        assert session_counts(sim) == (1, 1, 1, 0), sim.kind
    assert len(opened) == 2
    assert not any(token in run.output for _sim, _user, token in opened)


def test_a_failed_login_fails_only_the_hosts_of_that_endpoint(vapi, second_vapi, pki, run_playbook, tmp_path):
    groups = {"good": hosts("good", 3), "bad": hosts("bad", 3)}
    extra = "[good:vars]\nvc_port=%d\nvc_password=%s\n[bad:vars]\nvc_port=%d\nvc_password=Wrong-Pa55\n" % (
        vapi.port, VAPI_PASSWORD, second_vapi.port)
    downstream = write_tasks(tmp_path, "downstream.yml", [vm_list(pki, no_log=True)])
    role_vars = {"session_vapi": {"hostname": "127.0.0.1", "port": "{{ vc_port | int }}", "ca_path": pki.ca_cert,
                                  "username": VAPI_USER, "password": "{{ vc_password }}"},
                 "session_tasks": downstream}
    run = run_playbook(role_play("all:!localhost", role_vars), args=["-i", inventory(tmp_path, groups, extra), "-vvv"])
    assert run.rc != 0
    assert failed_hosts(run) == groups["bad"]
    assert ok_results(run, "list vms") == groups["good"]
    message = ("vSphere Automation login to 127.0.0.1:%d as '%s' failed: HTTP 401 UNAUTHENTICATED: "
               "Authentication required." % (second_vapi.port, VAPI_USER))
    failures = [r for r in run.records if r["task"].endswith("Report a failed login") and r["status"] == "failed"]
    assert sorted(r["host"] for r in failures) == groups["bad"]
    assert all(r["result"]["msg"] == message for r in failures)
    assert "Wrong-Pa55" not in run.output
    assert session_counts(vapi) == (1, 1, 1, 0)
    assert (second_vapi.logins, second_vapi.failed_logins, second_vapi.open_sessions) == (0, 1, 0)


def test_serial_batches_get_one_session_each(vapi, pki, run_playbook, tmp_path):
    fleet = hosts("vm", 9)
    downstream = write_tasks(tmp_path, "downstream.yml", [vm_list(pki, no_log=True)])
    run = run_playbook(role_play("fleet", {"session_vapi": vapi_login_args(vapi, pki), "session_tasks": downstream},
                                 serial=3),
                       args=["-i", inventory(tmp_path, {"fleet": fleet})])
    assert run.rc == 0, run.output[-3000:]
    assert ok_results(run, "list vms") == fleet
    assert session_counts(vapi) == (3, 3, 1, 0)


@pytest.mark.parametrize("strategy, role_vars", [
    ("free", {}),
    ("linear", {"session_share": False}),
], ids=["free-strategy", "opted-out"])
def test_free_strategy_and_opt_out_fall_back_to_one_session_per_host(vapi, h4, pki, run_playbook, tmp_path,
                                                                     strategy, role_vars):
    fleet = hosts("vm", 4)
    downstream = write_tasks(tmp_path, "downstream.yml", [vm_list(pki, no_log=True), about(pki, no_log=True)])
    run = run_playbook(role_play("fleet", both_apis(vapi, h4, pki, downstream, **role_vars), strategy=strategy),
                       args=["-i", inventory(tmp_path, {"fleet": fleet})])
    assert run.rc == 0, run.output[-3000:]
    assert ok_results(run, "list vms") == fleet and ok_results(run, "read about") == fleet
    for sim in (vapi, h4):
        assert (sim.logins, sim.logouts, sim.open_sessions) == (4, 4, 0), sim.kind
    assert "Using run_once with the free strategy" not in run.output
    # Older ansible-core wraps warnings to the terminal's width: compare with the white space folded.
    warned = "does not move hosts in step" in " ".join(run.output.split())
    assert warned == (strategy == "free")


def test_logins_run_on_the_controller_or_on_a_named_bastion(vapi, pki, run_playbook, tmp_path):
    fleet = hosts("vm", 3)
    # The VMs have no Python at all: a login that ran on them would fail. The bastion is another local host.
    unusable = "[fleet:vars]\nansible_python_interpreter=/nonexistent/python\n[bastions]\nbastion %s\n" % LOCAL
    downstream = write_tasks(tmp_path, "downstream.yml", [
        dict(vm_list(pki, no_log=True), delegate_to="bastion")])
    base_vars = {"session_vapi": vapi_login_args(vapi, pki), "session_tasks": downstream}
    run = run_playbook(role_play("fleet", base_vars), args=["-i", inventory(tmp_path, {"fleet": fleet}, unusable)])
    assert run.rc == 0, run.output[-3000:]
    assert ok_results(run, "list vms") == fleet
    assert session_counts(vapi) == (1, 1, 1, 0)

    vapi.reset()
    # Now the controller itself cannot run the login (its localhost has no Python), and the bastion can.
    no_local = unusable + "[controller]\nlocalhost ansible_connection=local ansible_python_interpreter=/nonexistent\n"
    run = run_playbook(role_play("fleet", dict(base_vars, session_delegate_to="bastion")),
                       args=["-i", inventory(tmp_path, {"fleet": fleet}, no_local)])
    assert run.rc == 0, run.output[-3000:]
    assert session_counts(vapi) == (1, 1, 1, 0)


def test_a_later_call_that_some_hosts_skip_plans_only_for_the_hosts_that_run_it(vapi, pki, run_playbook, tmp_path):
    other_user, other_password = "reporting@vsphere.local", "Rep0rting-Pa55"
    vapi.users = {VAPI_USER: VAPI_PASSWORD, other_user: other_password}
    fleet = hosts("vm", 3)
    role_call = {"name": "first call, every host", "ansible.builtin.include_role": {"name": ROLE},
                 "vars": {"session_vapi": vapi_login_args(vapi, pki)}}
    later_call = {"name": "later call, first host only", "ansible.builtin.include_role": {"name": ROLE},
                  "when": "inventory_hostname == %r" % fleet[0],
                  "vars": {"session_vapi": vapi_login_args(vapi, pki, username=other_user, password=other_password)}}
    run = run_playbook({"hosts": "fleet", "tasks": [role_call, later_call]},
                       args=["-i", inventory(tmp_path, {"fleet": fleet})])
    assert run.rc == 0, run.output[-3000:]
    # One session for the first call, one for the later call: the skipped hosts' earlier options plan nothing.
    assert session_counts(vapi) == (2, 2, 1, 0)
