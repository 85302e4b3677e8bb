# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The sessionkit.vmware.session role through the real ansible-playbook (and once ansible-navigator), counting
# logins, logouts, open sessions and requests at the vAPI and VCDA simulators.

import base64
import json
import os
import ssl
import subprocess
import sys
import urllib.request

import pytest

from functional.helpers import (DEPRECATION, H4_PASSWORD, H4_USER, VAPI_PASSWORD, VAPI_USER, about, h4_login_args,
                                vapi_login_args, vm_list, write_tasks)

ROLE = "sessionkit.vmware.session"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOWNSTREAM_CALLS = 10  # per endpoint: 20 downstream calls in all


def role(**role_vars):
    return {"role": ROLE, "vars": role_vars}


def include_role(name, tasks_from=None, **role_vars):
    args = {"name": ROLE}
    if tasks_from:
        args["tasks_from"] = tasks_from
    entry = {"name": name, "ansible.builtin.include_role": args}
    if role_vars:
        entry["vars"] = role_vars
    return entry


def records(run, task):
    """The records of ``task``; tasks that run inside the role are named "<role> : <task>"."""
    return [r for r in run.records if r["task"] in (task, ROLE + " : " + task)]


def statuses(run, task):
    return [r["status"] for r in records(run, task)]


def result(run, task):
    found = records(run, task)
    assert len(found) == 1, "task %r ran %d times; tasks seen: %s" % (
        task, len(found), sorted({r["task"] for r in run.records}))
    return found[0]["result"]


def assert_one_login_one_logout(*sims):
    for sim in sims:
        assert (sim.kind, sim.logins, sim.logouts, sim.open_sessions) == (sim.kind, 1, 1, 0)


@pytest.fixture
def issued(vapi, h4, monkeypatch):
    """Every session token either simulator hands out during the test, in order."""
    tokens = []
    for sim in (vapi, h4):
        def record(user, _original=sim._open_session, **details):
            session = _original(user, **details)
            if session is not None:
                tokens.append(session.token)
            return session
        monkeypatch.setattr(sim, "_open_session", record)
    return tokens


def direct_logins(vapi, h4, pki):
    """Log in to both simulators without Ansible, as another tool would, and return (vapi token, h4 token)."""
    context = ssl.create_default_context(cafile=pki.ca_cert)
    basic = base64.b64encode(("%s:%s" % (VAPI_USER, VAPI_PASSWORD)).encode()).decode()
    request = urllib.request.Request(vapi.url + "/api/session", method="POST",
                                     headers={"Authorization": "Basic " + basic})
    with urllib.request.urlopen(request, context=context) as answer:
        vapi_token = json.load(answer)
    body = json.dumps({"type": "ssoCredentials", "username": H4_USER, "password": H4_PASSWORD}).encode()
    request = urllib.request.Request(h4.url + "/sessions", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(request, context=context) as answer:
        h4_token = answer.headers["X-VCAV-Auth"]
    assert vapi_token and h4_token
    return vapi_token, h4_token


def twenty_call_play(vapi, h4, pki, tmp_path):
    loop = {"loop": "{{ range(%d) | list }}" % DOWNSTREAM_CALLS}
    downstream = write_tasks(tmp_path, "downstream.yml", [
        vm_list(pki, register="vms", **loop),
        about(pki, register="abouts", **loop),
        {"name": "check the answers", "ansible.builtin.assert": {"that": [
            "vms.results | map(attribute='status') | unique == [200]",
            "abouts.results | map(attribute='status') | unique == [200]",
            "vms.results[0].json | map(attribute='name') | list == ['web-01', 'db-01', 'build-01']",
            "abouts.results[0].json.productName == 'VMware Cloud Director Availability'",
        ]}},
    ])
    return {"roles": [role(session_vapi=vapi_login_args(vapi, pki), session_h4=h4_login_args(h4, pki),
                           session_tasks=downstream)]}


def assert_twenty_calls(vapi, h4):
    assert len(vapi.requests_to("/api/vcenter/vm", "GET")) == DOWNSTREAM_CALLS
    assert len(h4.requests_to("/diagnostics/about", "GET")) == DOWNSTREAM_CALLS
    assert all(r.status == 200 for r in vapi.requests + h4.requests if r.method == "GET"), \
        [(r.method, r.path, r.status) for r in vapi.requests + h4.requests]
    assert_one_login_one_logout(vapi, h4)


def test_twenty_downstream_calls_one_login_and_one_logout_each(vapi, h4, pki, run_playbook, tmp_path):
    run = run_playbook(twenty_call_play(vapi, h4, pki, tmp_path))
    assert run.rc == 0, run.output
    assert DEPRECATION not in run.output
    vms = result(run, "list vms")["results"]
    abouts = result(run, "read about")["results"]
    assert [r["status"] for r in vms + abouts] == [200] * (2 * DOWNSTREAM_CALLS)
    assert statuses(run, "check the answers") == ["ok"]
    assert_twenty_calls(vapi, h4)
    # The session the downstream calls used is the one the role opened and then closed.
    vapi_tokens = {r.headers.get("vmware-api-session-id") for r in vapi.requests_to("/api/vcenter/vm")}
    assert len(vapi_tokens) == 1
    assert [r.headers.get("vmware-api-session-id") for r in vapi.requests if r.method == "DELETE"] == list(vapi_tokens)


def run_navigator(tmp_path, collections_path, play):
    """ansible-navigator run, without an execution environment, as `make demo` runs it."""
    playbook = tmp_path / "play.yml"
    playbook.write_text(json.dumps([dict(play, hosts="localhost", gather_facts=False)]))
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    bin_dir = os.path.dirname(sys.executable)
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "VMWARE_", "VCDA_")))
    env.update({
        "PATH": "%s:%s" % (bin_dir, os.environ.get("PATH", "")),
        "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_NAVIGATOR_CONFIG": os.path.join(REPO, "ansible-navigator.yml"),
        "ANSIBLE_NAVIGATOR_LOG_FILE": str(tmp_path / "navigator.log"),
    })
    command = [os.path.join(bin_dir, "ansible-navigator"), "run", str(playbook), "-i", str(inventory),
               "--ee", "false", "--mode", "stdout"]
    return subprocess.run(command, env=env, check=False, capture_output=True, text=True, timeout=300, cwd=str(tmp_path))


def test_twenty_downstream_calls_through_ansible_navigator(vapi, h4, pki, collections_path, tmp_path):
    proc = run_navigator(tmp_path, collections_path, twenty_call_play(vapi, h4, pki, tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert DEPRECATION not in proc.stdout + proc.stderr
    assert "check the answers" in proc.stdout
    assert_twenty_calls(vapi, h4)


def test_failing_downstream_task_still_logs_out_and_fails_the_play(vapi, h4, pki, run_playbook, tmp_path):
    downstream = write_tasks(tmp_path, "downstream.yml", [
        vm_list(pki), about(pki),
        {"name": "break", "ansible.builtin.fail": {"msg": "downstream-broke-42"}},
        {"name": "never", "ansible.builtin.debug": {"msg": "not reached"}},
    ])
    run = run_playbook({"roles": [role(session_vapi=vapi_login_args(vapi, pki), session_h4=h4_login_args(h4, pki),
                                       session_tasks=downstream)]})
    assert run.rc != 0
    assert "downstream-broke-42" in run.output
    assert result(run, "break")["msg"] == "downstream-broke-42"
    assert statuses(run, "never") == []
    assert statuses(run, "list vms") == ["ok"] and statuses(run, "read about") == ["ok"]
    assert_one_login_one_logout(vapi, h4)


def test_failing_login_shows_the_modules_message_and_leaves_nothing_open(vapi, h4, pki, run_playbook, tmp_path):
    downstream = write_tasks(tmp_path, "downstream.yml", [vm_list(pki), about(pki)])
    # vAPI wrong: the host fails with the module's message, and the VCDA session opened beside it is closed again.
    run = run_playbook({"roles": [role(session_vapi=vapi_login_args(vapi, pki, password="Wrong-Pa55"),
                                       session_h4=h4_login_args(h4, pki), session_tasks=downstream)]})
    assert run.rc != 0
    assert "HTTP 401 UNAUTHENTICATED: Authentication required." in run.output
    assert "the output has been hidden" not in run.output  # the real message comes first, and only
    assert result(run, "Report a failed login")["msg"] == (
        "vSphere Automation login to 127.0.0.1:%d as '%s' failed: HTTP 401 UNAUTHENTICATED: "
        "Authentication required." % (vapi.port, VAPI_USER))
    assert "Wrong-Pa55" not in run.output
    assert statuses(run, "list vms") == [] and statuses(run, "read about") == []
    assert (vapi.failed_logins, vapi.logins, vapi.open_sessions) == (1, 0, 0)
    assert_one_login_one_logout(h4)
    assert len(vapi.requests_to("/api/vcenter/vm", "GET")) == 0

    # vAPI good, VCDA wrong: the vAPI session that was opened is closed again.
    vapi.reset()
    h4.reset()
    run = run_playbook({"roles": [role(session_vapi=vapi_login_args(vapi, pki),
                                       session_h4=h4_login_args(h4, pki, password="Wrong-Pa55"),
                                       session_tasks=downstream)]})
    assert run.rc != 0
    message = result(run, "Report a failed login")["msg"]
    assert "401" in message and "Authentication required." in message
    assert message in run.output
    assert "Wrong-Pa55" not in run.output
    assert statuses(run, "list vms") == [] and statuses(run, "read about") == []
    assert_one_login_one_logout(vapi)
    assert (h4.failed_logins, h4.logins, h4.open_sessions) == (1, 0, 0)
    assert len(h4.requests_to("/diagnostics/about", "GET")) == 0


def test_session_logout_false_leaves_the_sessions_open_and_usable(vapi, h4, pki, run_playbook):
    run = run_playbook({
        "roles": [role(session_vapi=vapi_login_args(vapi, pki), session_h4=h4_login_args(h4, pki),
                       session_logout=False)],
        "post_tasks": [vm_list(pki, name="list vms after the role"), about(pki, name="read about after the role")],
    })
    assert run.rc == 0, run.output
    assert DEPRECATION not in run.output
    assert result(run, "list vms after the role")["status"] == 200
    assert result(run, "read about after the role")["status"] == 200
    for sim in (vapi, h4):
        assert (sim.kind, sim.logins, sim.logouts, sim.open_sessions) == (sim.kind, 1, 0, 1)
    assert len(vapi.requests_to("/api/vcenter/vm", "GET")) == 1
    assert len(h4.requests_to("/diagnostics/about", "GET")) == 1
    assert not any(r.method == "DELETE" for r in vapi.requests + h4.requests)


def test_no_token_or_password_in_the_output_at_vvv(vapi, h4, pki, run_playbook, tmp_path, issued):
    vapi_password, h4_password = "Vapi-S3cret-71", "H4-S3cret-83"
    vapi.users = {VAPI_USER: vapi_password}
    h4.sso_users = {H4_USER: h4_password}
    downstream = write_tasks(tmp_path, "downstream.yml", [vm_list(pki, no_log=True), about(pki, no_log=True)])
    run = run_playbook({"roles": [role(session_vapi=vapi_login_args(vapi, pki, password=vapi_password),
                                       session_h4=h4_login_args(h4, pki, password=h4_password),
                                       session_tasks=downstream)]}, args=["-vvv"])
    assert run.rc == 0, run.output
    assert DEPRECATION not in run.output
    assert_one_login_one_logout(vapi, h4)
    assert len(issued) == 2
    assert "<ESTABLISH LOCAL CONNECTION" in run.output or "EXEC" in run.output  # -vvv took effect
    for secret in issued + [vapi_password, h4_password]:
        assert secret not in run.output
    # The recorded results are censored like the screen.
    assert not any(secret in json.dumps(run.records) for secret in issued + [vapi_password, h4_password])


def test_argument_validation(vapi, h4, pki, run_playbook):
    def attempt(name, **role_vars):
        return {"name": name, "block": [include_role("call " + name, **role_vars)],
                "rescue": [{"name": "rescued " + name, "ansible.builtin.debug": {
                    "msg": "{{ ansible_failed_result.msg }}"}}]}

    run = run_playbook({"tasks": [
        attempt("not a bool", session_vapi=vapi_login_args(vapi, pki), session_logout="notabool"),
        attempt("not a dict", session_vapi="string"),
        attempt("h4 a list", session_h4=["a", "b"]),
        attempt("unknown keys", session_vapi=dict(vapi_login_args(vapi, pki), ca_pth="/tmp/ca.pem", state="absent"),
                session_h4=dict(h4_login_args(h4, pki), auth="sso")),
        include_role("call with neither"),
    ]})
    assert run.rc != 0
    for name, option in (("not a bool", "session_logout"), ("not a dict", "session_vapi"), ("h4 a list", "session_h4")):
        message = result(run, "rescued " + name)["msg"]
        assert "Validation of arguments failed" in message and option in message, (name, message)
    unknown = result(run, "rescued unknown keys")["msg"]
    assert unknown.startswith("sessionkit.vmware.session does not know these options: session_vapi.ca_pth, "
                              "session_vapi.state, session_h4.auth. Check their spelling"), unknown
    neither = records(run, "Check that at least one endpoint is configured")[-1]["result"]
    assert neither["failed"] is True
    assert "session_vapi" in neither["msg"] and "session_h4" in neither["msg"] and "neither" in neither["msg"]
    assert vapi.requests == [] and h4.requests == []


def sim_stats(sim, pki, name):
    """A task that reads the simulator's counters mid-play (its /_sim/ control path is neither recorded nor counted)."""
    return {"name": name, "ansible.builtin.uri": {"url": sim.url + "/_sim/stats", "ca_path": pki.ca_cert}}


def test_a_reused_session_is_not_logged_out_unless_asked(vapi, h4, pki, run_playbook):
    vapi_token, h4_token = direct_logins(vapi, h4, pki)
    reuse = {"session_vapi": vapi_login_args(vapi, pki, session_token=vapi_token),
             "session_h4": h4_login_args(h4, pki, token=h4_token)}
    run = run_playbook({"tasks": [
        include_role("reuse", **reuse),
        sim_stats(vapi, pki, "vapi counters after reuse"),
        sim_stats(h4, pki, "h4 counters after reuse"),
        vm_list(pki, name="list vms with the reused session"),
        about(pki, name="read about with the reused session"),
        include_role("reuse and log out", session_logout_reused=True, **reuse),
    ]})
    assert run.rc == 0, run.output
    assert DEPRECATION not in run.output
    # After the first call of the role the reused sessions were still open, not logged out, and still worked ...
    for name in ("vapi counters after reuse", "h4 counters after reuse"):
        counters = result(run, name)["json"]
        assert (counters["logins"], counters["logouts"], counters["open_sessions"]) == (1, 0, 1), (name, counters)
    assert result(run, "list vms with the reused session")["status"] == 200
    assert result(run, "read about with the reused session")["status"] == 200
    assert statuses(run, "Log out of the vSphere Automation sessions") == ["skipped", "ok"]
    assert statuses(run, "Log out of the VCDA sessions") == ["skipped", "ok"]
    # ... and only the second call, which asked for it, logged them out. The role never logged in itself.
    assert_one_login_one_logout(vapi, h4)
    assert [r.headers.get("vmware-api-session-id") for r in vapi.requests if r.method == "DELETE"] == [vapi_token]
    assert [r.headers.get("X-VCAV-Auth") for r in h4.requests if r.method == "DELETE"] == [h4_token]
    # The only logins are the two direct ones above.
    assert len(vapi.requests_to("/api/session", "POST")) == 1 and len(h4.requests_to("/sessions", "POST")) == 1


def test_login_and_logout_entry_points_across_tasks(vapi, h4, pki, run_playbook):
    run = run_playbook({
        "vars": {"session_vapi": vapi_login_args(vapi, pki), "session_h4": h4_login_args(h4, pki)},
        "tasks": [{"name": "several roles, one session", "block": [
            include_role("log in", tasks_from="login"),
            vm_list(pki, name="list vms in between"),
            about(pki, name="read about in between"),
            {"name": "then fail", "ansible.builtin.fail": {"msg": "in-between-broke-7"}},
        ], "always": [
            include_role("log out", tasks_from="logout"),
        ]}],
    })
    assert run.rc != 0 and "in-between-broke-7" in run.output
    assert result(run, "list vms in between")["status"] == 200
    assert result(run, "read about in between")["status"] == 200
    assert_one_login_one_logout(vapi, h4)
    assert DEPRECATION not in run.output


def test_check_mode_still_logs_in_and_out(vapi, h4, pki, run_playbook):
    run = run_playbook({"roles": [role(session_vapi=vapi_login_args(vapi, pki), session_h4=h4_login_args(h4, pki))]},
                       args=["--check"])
    assert run.rc == 0, run.output
    assert DEPRECATION not in run.output
    assert_one_login_one_logout(vapi, h4)
    assert result(run, "Log in to the vSphere Automation API")["changed"] is True


def test_relative_session_tasks_named_like_the_roles_own_files(vapi, h4, pki, run_playbook, tmp_path):
    # include_tasks inside a role looks in the role's tasks/ first; the role must run the user's file all the same.
    for name in ("logout.yml", "login.yml", "main.yml"):
        write_tasks(tmp_path, name, [vm_list(pki, name="user's own " + name)])
    for name in ("logout.yml", "login.yml", "main.yml"):
        vapi.reset()
        run = run_playbook({"roles": [role(session_vapi=vapi_login_args(vapi, pki), session_tasks=name)]})
        assert run.rc == 0, run.output
        assert result(run, "user's own " + name)["status"] == 200
        assert_one_login_one_logout(vapi)


def test_a_failed_login_after_a_direct_module_call_warns_of_no_deprecation(vapi, h4, pki, run_playbook):
    # The direct call injects the vapi_session and h4_session facts; the role's failed logins must not read them
    # (ansible-core 2.21 warns on any read of an injected fact as a variable), nor log those sessions out.
    run = run_playbook({"tasks": [
        {"name": "direct vapi login", "sessionkit.vmware.vapi_session": vapi_login_args(vapi, pki)},
        {"name": "direct h4 login", "sessionkit.vmware.h4_session": h4_login_args(h4, pki)},
        include_role("role with wrong passwords", session_vapi=vapi_login_args(vapi, pki, password="Wrong-Pa55"),
                     session_h4=h4_login_args(h4, pki, password="Wrong-Pa55")),
    ]})
    assert run.rc != 0
    assert "HTTP 401 UNAUTHENTICATED" in run.output
    assert DEPRECATION not in run.output
    for sim in (vapi, h4):
        assert (sim.logins, sim.logouts, sim.open_sessions) == (1, 0, 1), sim.kind


def test_the_logout_ends_the_roles_session_even_if_a_task_changed_the_variable(vapi, h4, pki, run_playbook, tmp_path):
    downstream = write_tasks(tmp_path, "downstream.yml", [
        {"name": "overwrite the session variables", "ansible.builtin.set_fact": {
            "vapi_session": {"token": "not-a-token"}, "h4_session": {"token": "not-a-token"}}},
    ])
    run = run_playbook({"roles": [role(session_vapi=vapi_login_args(vapi, pki), session_h4=h4_login_args(h4, pki),
                                       session_tasks=downstream)]})
    assert run.rc == 0, run.output
    assert_one_login_one_logout(vapi, h4)


def test_a_refused_call_leaves_an_earlier_calls_session_alone(vapi, h4, pki, run_playbook):
    # The first call opens a session and keeps it (tasks_from: login). The second call's options are refused; its
    # always-section logout must not end the first call's session, nor send its token anywhere.
    run = run_playbook({"tasks": [
        include_role("first call", tasks_from="login", session_vapi=vapi_login_args(vapi, pki)),
        {"name": "second call", "block": [
            include_role("refused call", session_vapi=dict(vapi_login_args(h4, pki), ca_pth="/tmp/ca.pem")),
        ], "rescue": [{"name": "rescued", "ansible.builtin.debug": {"msg": "{{ ansible_failed_result.msg }}"}}]},
    ]})
    assert run.rc == 0, run.output
    assert "does not know these options: session_vapi.ca_pth" in result(run, "rescued")["msg"]
    assert (vapi.logins, vapi.logouts, vapi.open_sessions) == (1, 0, 1)
    assert h4.requests == []


def test_session_tasks_under_the_home_directory(vapi, h4, pki, run_playbook, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    write_tasks(home, "report.yml", [vm_list(pki, name="from the home directory")])
    run = run_playbook({"roles": [role(session_vapi=vapi_login_args(vapi, pki), session_tasks="~/report.yml")]},
                       env={"HOME": str(home)})
    assert run.rc == 0, run.output
    assert result(run, "from the home directory")["status"] == 200
    assert_one_login_one_logout(vapi)
