# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# vapi_session through the real ansible-playbook, against the vAPI simulator and govmomi's vcsim over real TLS.

import base64
import gzip
import json
import subprocess
import sys

from functional.helpers import DEPRECATION, VAPI_PASSWORD, VAPI_USER, h4_login_args, vapi_login_args
from lab import SAML_ASSERTION
from simulators.vapi import VapiSimulator

MODULE = "sessionkit.vmware.vapi_session"


def task(name, args, **extra):
    entry = {"name": name, MODULE: args}
    entry.update(extra)
    return entry


def logout_task(name, sim, pki, token_expr):
    return task(name, {"hostname": "127.0.0.1", "port": sim.port, "ca_path": pki.ca_cert,
                       "state": "absent", "session_token": token_expr})


def paths(sim):
    return [(r.method, r.path) for r in sim.requests]


def test_login_downstream_call_and_logout(vapi, pki, run_playbook):
    run = run_playbook({"tasks": [
        task("login", vapi_login_args(vapi, pki), register="login"),
        {"name": "list vms", "ansible.builtin.uri": {
            "url": "{{ ansible_facts.vapi_session.url }}/api/vcenter/vm",
            "headers": "{{ ansible_facts.vapi_session.headers }}", "ca_path": pki.ca_cert}},
        logout_task("logout", vapi, pki, "{{ login.session.token }}"),
    ]})
    assert run.rc == 0, run.output
    login = run.result("login")
    session = login["session"]
    assert login["changed"] is True
    assert session["api"] == "api"
    assert session["url"] == "https://127.0.0.1:%d" % vapi.port
    assert session["headers"] == {"vmware-api-session-id": session["token"]}
    assert session["user"] == VAPI_USER
    assert session["created_time"] and session["last_accessed_time"]
    assert login["ansible_facts"]["vapi_session"] == session
    vms = run.result("list vms")["json"]
    assert len(vms) == 3 and vms[0]["name"] == "web-01"
    assert run.result("logout")["changed"] is True
    assert vapi.logins == 1 and vapi.logouts == 1 and vapi.open_sessions == 0
    assert ("POST", "/api/session") in paths(vapi)


def test_documented_fact_usage_gives_no_deprecation_warning(vapi, pki, run_playbook):
    # ansible-core 2.21 deprecates top-level fact variables; the documented ansible_facts.vapi_session must not warn.
    run = run_playbook({"tasks": [
        task("login", vapi_login_args(vapi, pki, session_info=False)),
        {"name": "use fact", "ansible.builtin.debug": {"msg": "{{ ansible_facts.vapi_session.headers }}"}},
        logout_task("logout", vapi, pki, "{{ ansible_facts.vapi_session.token }}"),
    ]})
    assert run.rc == 0, run.output
    assert DEPRECATION not in run.output
    assert run.result("login")["session"]["user"] is None
    assert vapi.open_sessions == 0


def test_wrong_password_fails_with_the_servers_message(vapi, pki, run_playbook):
    run = run_playbook({"tasks": [task("login", vapi_login_args(vapi, pki, password="Wrong-Pa55"))]})
    assert run.rc != 0
    result = run.result("login")
    assert result["failed"] is True
    assert result["msg"] == ("vSphere Automation login to 127.0.0.1:%d as '%s' failed: HTTP 401 UNAUTHENTICATED: "
                             "Authentication required." % (vapi.port, VAPI_USER))
    assert result["status"] == 401 and result["error_type"] == "UNAUTHENTICATED"
    assert result["url"].endswith("/api/session")
    assert "Wrong-Pa55" not in run.output
    assert vapi.open_sessions == 0


def test_missing_credentials_fail_before_any_request(vapi, pki, run_playbook):
    run = run_playbook({"tasks": [task("login", vapi_login_args(vapi, pki, username=None, password=None))]})
    assert run.rc != 0
    assert "needs username and password" in run.result("login")["msg"]
    assert vapi.requests == []


def test_tls_needs_the_right_ca(vapi, pki, run_playbook):
    run = run_playbook({"tasks": [
        task("no ca_path", vapi_login_args(vapi, pki, ca_path=None, retries=0), ignore_errors=True),
        task("wrong ca_path", vapi_login_args(vapi, pki, ca_path=pki.other_ca_cert, retries=0), ignore_errors=True),
        task("no verification", vapi_login_args(vapi, pki, ca_path=None, validate_certs=False)),
    ]})
    assert run.rc == 0, run.output
    system = run.result("no ca_path")
    assert system["failed"] and "not signed by a CA this host trusts" in system["msg"]
    assert "ca_path" in system["msg"] and "validate_certs" in system["msg"]
    wrong = run.result("wrong ca_path")
    assert wrong["failed"] and "not signed by the CA in ca_path '%s'" % pki.other_ca_cert in wrong["msg"]
    assert run.result("no verification")["changed"] is True
    assert vapi.logins == 1


def test_reuse_of_a_valid_and_of_an_expired_token(vapi, pki, run_playbook):
    first = run_playbook({"tasks": [task("a", vapi_login_args(vapi, pki)), task("b", vapi_login_args(vapi, pki))]})
    assert first.rc == 0, first.output
    token_a = first.result("a")["session"]["token"]
    token_b = first.result("b")["session"]["token"]
    vapi.expire(token_b)
    second = run_playbook({"tasks": [
        task("reuse a", vapi_login_args(vapi, pki, session_token=token_a)),
        task("reuse b", vapi_login_args(vapi, pki, session_token=token_b)),
    ]})
    assert second.rc == 0, second.output
    reused = second.result("reuse a")
    assert reused["changed"] is False and reused["session"]["token"] == token_a
    assert reused["session"]["user"] == VAPI_USER
    renewed = second.result("reuse b")
    assert renewed["changed"] is True and renewed["session"]["token"] not in (token_a, token_b)
    assert vapi.logins == 3


def test_logout_and_logout_of_a_dead_token(vapi, pki, run_playbook):
    run = run_playbook({"tasks": [
        task("login", vapi_login_args(vapi, pki), register="login"),
        logout_task("logout", vapi, pki, "{{ login.session.token }}"),
        logout_task("logout again", vapi, pki, "{{ login.session.token }}"),
    ]})
    assert run.rc == 0, run.output
    assert run.result("logout")["changed"] is True
    again = run.result("logout again")
    assert again["changed"] is False and again["msg"] == "the session was already gone"
    assert vapi.open_sessions == 0


def test_check_mode_logs_in_but_does_not_log_out(vapi, pki, run_playbook):
    run = run_playbook({"tasks": [
        task("login", vapi_login_args(vapi, pki), register="login"),
        dict(logout_task("would log out", vapi, pki, "{{ login.session.token }}"), check_mode=True),
    ]}, args=["--check"])
    assert run.rc == 0, run.output
    assert run.result("login")["changed"] is True
    would = run.result("would log out")
    assert would["changed"] is True and would["msg"] == "would log out"
    assert vapi.open_sessions == 1
    assert not any(method == "DELETE" for method, _path in paths(vapi))


def test_auto_falls_back_to_the_legacy_path(legacy, pki, run_playbook):
    run = run_playbook({"tasks": [
        task("login", vapi_login_args(legacy, pki), register="login"),
        task("reuse", vapi_login_args(legacy, pki, session_token="{{ login.session.token }}")),
        {"name": "list vms", "ansible.builtin.uri": {
            "url": "{{ login.session.url }}/rest/vcenter/vm", "headers": "{{ login.session.headers }}",
            "ca_path": pki.ca_cert}},
        logout_task("logout", legacy, pki, "{{ login.session.token }}"),
        task("api only", vapi_login_args(legacy, pki, api="api"), ignore_errors=True),
    ]})
    assert run.rc == 0, run.output
    session = run.result("login")["session"]
    assert session["api"] == "rest" and session["user"] == VAPI_USER
    assert run.result("reuse")["changed"] is False
    assert len(run.result("list vms")["json"]["value"]) == 3
    assert run.result("logout")["changed"] is True
    api_only = run.result("api only")
    assert api_only["failed"] and api_only["status"] == 404
    assert "HTTP 404 with a non-JSON body (text/plain" in api_only["msg"]
    assert paths(legacy)[:2] == [("POST", "/api/session"), ("POST", "/rest/com/vmware/cis/session")]
    legacy_login = [r for r in legacy.requests if r.path == "/rest/com/vmware/cis/session" and r.method == "POST"][0]
    assert legacy_login.headers.get("vmware-use-header-authn") == "true"
    assert legacy.open_sessions == 0


def test_module_defaults_through_the_action_group(vapi, pki, run_playbook):
    run = run_playbook({
        "module_defaults": {"group/sessionkit.vmware.vapi": {
            "hostname": "127.0.0.1", "port": vapi.port, "ca_path": pki.ca_cert}},
        "tasks": [
            task("login", {"username": VAPI_USER, "password": VAPI_PASSWORD}, register="login"),
            task("logout", {"state": "absent", "session_token": "{{ login.session.token }}"}),
        ]})
    assert run.rc == 0, run.output
    assert run.result("login")["changed"] is True and run.result("logout")["changed"] is True
    assert vapi.logins == 1 and vapi.open_sessions == 0


def test_options_from_environment_variables(vapi, pki, run_playbook):
    env = {"VMWARE_HOST": "127.0.0.1", "VMWARE_PORT": str(vapi.port), "VMWARE_USER": VAPI_USER,
           "VMWARE_PASSWORD": VAPI_PASSWORD, "VMWARE_VALIDATE_CERTS": "false"}
    run = run_playbook({"tasks": [task("login", {})]}, env=env)
    assert run.rc == 0, run.output
    assert run.result("login")["session"]["url"] == "https://127.0.0.1:%d" % vapi.port
    assert vapi.logins == 1


def test_without_requests_both_modules_say_what_to_install(vapi, h4, pki, run_playbook, tmp_path):
    # A bare venv: the modules' own code arrives in the AnsiballZ payload, but requests does not.
    bare = tmp_path / "bare"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip", str(bare)],
                   check=True)
    python = {"ansible_python_interpreter": str(bare / "bin" / "python")}
    run = run_playbook({"tasks": [
        task("vapi", vapi_login_args(vapi, pki), ignore_errors=True, vars=python),
        {"name": "h4", "sessionkit.vmware.h4_session": h4_login_args(h4, pki), "ignore_errors": True, "vars": python},
    ]})
    assert run.rc == 0, run.output
    for name in ("vapi", "h4"):
        result = run.result(name)
        assert result["failed"] is True
        assert "Failed to import the required Python library (requests)" in result["msg"], result["msg"]
    assert vapi.requests == [] and h4.requests == []


def test_bad_hostnames_fail_before_any_request(vapi, pki, run_playbook):
    run = run_playbook({"tasks": [
        task("http", vapi_login_args(vapi, pki, hostname="http://127.0.0.1"), ignore_errors=True),
        task("path", vapi_login_args(vapi, pki, hostname="127.0.0.1/ui"), ignore_errors=True),
        task("empty", vapi_login_args(vapi, pki, hostname=""), ignore_errors=True),
    ]})
    assert "uses http://" in run.result("http")["msg"]
    assert "has a path" in run.result("path")["msg"]
    assert "hostname is empty" in run.result("empty")["msg"]
    assert vapi.requests == []


def test_unreachable_servers_get_clear_messages(pki, run_playbook, unused_port):
    run = run_playbook({"tasks": [
        task("refused", {"hostname": "127.0.0.1", "port": unused_port, "username": "u", "password": "p",
                         "retries": 0}, ignore_errors=True),
        task("unknown host", {"hostname": "no-such-host.invalid", "username": "u", "password": "p", "retries": 0},
             ignore_errors=True),
    ]})
    refused = run.result("refused")
    assert refused["failed"] and "connection refused by 127.0.0.1:%d" % unused_port in refused["msg"]
    unknown = run.result("unknown host")
    assert unknown["failed"] and "cannot resolve the host name 'no-such-host.invalid'" in unknown["msg"]


def test_vcsim_fallback_info_reuse_and_logout(vcsim, pki, run_playbook):
    port = int(vcsim.rsplit(":", 1)[1])
    base = {"hostname": "127.0.0.1", "port": port, "ca_path": pki.ca_cert}
    run = run_playbook({"tasks": [
        task("login", dict(base, username="user", password="pass"), register="login"),
        task("reuse", dict(base, session_token="{{ login.session.token }}")),
        # vcsim 0.24.2's REST side serves tagging, not /rest/vcenter/vm; any authenticated call proves the token.
        {"name": "list tag categories", "ansible.builtin.uri": {
            "url": "{{ login.session.url }}/rest/com/vmware/cis/tagging/category",
            "headers": "{{ login.session.headers }}", "ca_path": pki.ca_cert, "return_content": True}},
        task("logout", dict(base, state="absent", session_token="{{ login.session.token }}")),
        task("reuse dead", dict(base, session_token="{{ login.session.token }}", username="user", password="pass"),
             register="renewed"),
        task("logout renewed", dict(base, state="absent", session_token="{{ renewed.session.token }}")),
    ]})
    assert run.rc == 0, run.output
    login = run.result("login")
    assert login["changed"] is True and login["session"]["api"] == "rest"
    assert login["session"]["user"]
    reuse = run.result("reuse")
    assert reuse["changed"] is False and reuse["session"]["token"] == login["session"]["token"]
    # vcsim labels its JSON text/plain, so uri leaves it unparsed.
    assert run.result("list tag categories")["status"] == 200
    assert "value" in json.loads(run.result("list tag categories")["content"])
    assert run.result("logout")["changed"] is True
    renewed = run.result("reuse dead")
    assert renewed["changed"] is True and renewed["session"]["token"] != login["session"]["token"]
    assert run.result("logout renewed")["changed"] is True


def test_a_saml_token_in_each_form_is_sent_as_base64_of_gzip(pki, run_playbook):
    # The simulator, like vCenter, takes only base64 of gzip-compressed XML in the SIGN header.
    sim = VapiSimulator(pki.server_cert, pki.server_key, saml_tokens={SAML_ASSERTION}).start()
    try:
        forms = {"xml": SAML_ASSERTION,
                 "base64 of plain xml": base64.b64encode(SAML_ASSERTION.encode()).decode(),
                 "base64 of gzip": base64.b64encode(gzip.compress(SAML_ASSERTION.encode())).decode()}
        tasks = [task(name, {"hostname": "127.0.0.1", "port": sim.port, "ca_path": pki.ca_cert, "saml_token": value,
                             "session_info": False}) for name, value in forms.items()]
        run = run_playbook({"tasks": tasks})
    finally:
        sim.stop()
    assert run.rc == 0, run.output
    assert all(run.result(name)["changed"] is True for name in forms)
    assert (sim.logins, sim.failed_logins) == (3, 0)
    sent = [r.headers["Authorization"] for r in sim.requests]
    assert sent[2] == 'SIGN token="%s"' % forms["base64 of gzip"]
    for header in sent:
        encoded = header[len('SIGN token="'):-1]
        assert gzip.decompress(base64.b64decode(encoded)).decode() == SAML_ASSERTION
