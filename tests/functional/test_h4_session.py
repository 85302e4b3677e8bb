# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# h4_session through the real ansible-playbook, against the VCDA (H4) simulator over real TLS.

import json

import pytest

from functional.helpers import DEPRECATION, H4_PASSWORD, H4_USER, about, h4_login_args, write_tasks
from lab import REMOTE_API_TOKEN, SAML_ASSERTION, VCD_API_TOKEN, VCD_COOKIE, VCD_TOKEN
from simulators.h4 import H4Simulator

MODULE = "sessionkit.vmware.h4_session"


def task(name, args, **extra):
    entry = {"name": name, MODULE: args}
    entry.update(extra)
    return entry


def base(sim, pki, **extra):
    args = {"hostname": "127.0.0.1", "port": sim.port, "ca_path": pki.ca_cert}
    args.update(extra)
    return args


def login_bodies(sim):
    return [json.loads(r.body) for r in sim.requests if r.method == "POST" and r.path == "/sessions"]


LOGINS = {
    "sso": {"username": H4_USER, "password": H4_PASSWORD},
    "sso_token": {"saml_token": SAML_ASSERTION},
    "local": {"password": "vmware"},
    "vcd": {"username": "tenant-admin@acme", "password": "Tenant1!"},
    "vcd_token": {"vcd_token": VCD_TOKEN, "vcd_token_context": "acme"},
    "vcd_api_token": {"vcd_api_token": VCD_API_TOKEN, "org": "acme"},
}
API_TYPES = {"sso": "ssoCredentials", "sso_token": "ssoToken", "local": "localUser", "vcd": "vcdCredentials",
             "vcd_token": "vcdAccessToken", "vcd_cookie": "vcdCookie", "vcd_api_token": "vcdApiToken"}
# The releases each auth_type exists in, by the reference's schemas (vcda-sessions.md §1).
RELEASES = ("3.5", "4.1", "4.2", "4.5", "4.7")
LOGIN_RELEASES = {"sso": RELEASES, "sso_token": RELEASES, "local": RELEASES, "vcd": RELEASES,
                  "vcd_cookie": ("3.5", "4.1", "4.2"), "vcd_token": ("4.1", "4.2", "4.5", "4.7"),
                  "vcd_api_token": ("4.7",)}
EVERY_LOGIN = dict(LOGINS, vcd_cookie={"vcd_cookie": VCD_COOKIE})


@pytest.fixture
def releases(pki):
    """One simulator per release, all knowing the same credentials."""
    sims = {}
    for release in RELEASES:
        sims[release] = H4Simulator(pki.server_cert, pki.server_key, release=release,
                                    saml_tokens={SAML_ASSERTION}, vcd_tokens={VCD_TOKEN}, vcd_cookies={VCD_COOKIE},
                                    vcd_api_tokens={VCD_API_TOKEN: "api-user@acme",
                                                    REMOTE_API_TOKEN: "api-user@acme-dr"}).start()
    yield sims
    for sim in sims.values():
        sim.stop()


def test_every_auth_type_logs_in_and_out(h4, pki, run_playbook):
    tasks = []
    for auth_type, creds in LOGINS.items():
        tasks.append(task("login " + auth_type, base(h4, pki, auth_type=auth_type, **creds),
                          register="login_" + auth_type))
    for auth_type in LOGINS:
        tasks.append(task("logout " + auth_type, base(h4, pki, state="absent",
                                                      token="{{ login_%s.session.token }}" % auth_type)))
    run = run_playbook({"tasks": tasks})
    assert run.rc == 0, run.output
    tokens = set()
    for auth_type in LOGINS:
        login = run.result("login " + auth_type)
        session = login["session"]
        assert login["changed"] is True
        assert session["headers"]["X-VCAV-Auth"] == session["token"]
        assert session["user"] and isinstance(session["roles"], list) and session["roles"]
        assert isinstance(session["authenticated_sites"], list)
        assert login["ansible_facts"]["h4_session"] == session
        assert run.result("logout " + auth_type)["changed"] is True
        tokens.add(session["token"])
    assert len(tokens) == len(LOGINS)
    assert run.result("login vcd")["session"]["authenticated_sites"][0]["org"] == "acme"
    assert run.result("login sso")["session"]["authenticated_sites"] == []
    assert run.result("login vcd_api_token")["session"]["user"] == "api-user@acme"
    assert run.result("login vcd_api_token")["logged_in"] is True
    assert [b["type"] for b in login_bodies(h4)] == [API_TYPES[t] for t in LOGINS]
    token_body = login_bodies(h4)[1]
    assert isinstance(token_body["timestamp"], int) and token_body["nonce"]
    assert login_bodies(h4)[4]["context"] == "acme"
    assert login_bodies(h4)[5] == {"type": "vcdApiToken", "apiToken": VCD_API_TOKEN, "org": "acme"}
    assert h4.open_sessions == 0


def test_each_login_type_on_each_release_and_the_refusal_where_it_does_not_exist(releases, pki, run_playbook):
    tasks = []
    for release, sim in releases.items():
        for auth_type, creds in EVERY_LOGIN.items():
            tasks.append(task("%s %s" % (release, auth_type), base(sim, pki, auth_type=auth_type, retries=0, **creds),
                              ignore_errors=True))
    run = run_playbook({"tasks": tasks})
    assert run.rc == 0, run.output
    for release, sim in releases.items():
        for auth_type in EVERY_LOGIN:
            result = run.result("%s %s" % (release, auth_type))
            if release in LOGIN_RELEASES[auth_type]:
                assert result.get("failed") is not True, (release, auth_type, result.get("msg"))
                assert result["session"]["token"] in sim.sessions
            else:
                assert result["failed"] is True and result["status"] == 400, (release, auth_type)
                assert result["error_type"] == "BadUserInput"
        assert sim.logins == sum(1 for t in EVERY_LOGIN if release in LOGIN_RELEASES[t])
        assert [b["type"] for b in login_bodies(sim)] == [API_TYPES[t] for t in EVERY_LOGIN]
    cookie = run.result("4.5 vcd_cookie")["msg"]
    assert cookie.startswith("VCDA login to 127.0.0.1:%d with a Cloud Director cookie failed: HTTP 400 BadUserInput"
                             % releases["4.5"].port)
    assert cookie.endswith("Cookie logins exist only in vCloud Availability 3.x to VCDA 4.2 (extensions: before 4.5): "
                           "use vcd_token or vcd_api_token instead")
    assert "API-token logins and extensions exist only in the newest VCDA API (4.7)" in run.result(
        "4.5 vcd_api_token")["msg"]
    assert "organization 'acme'" in run.result("4.5 vcd_api_token")["msg"]


def test_a_major_only_api_version_is_sent_as_the_vendor_media_type(releases, pki, run_playbook):
    sim = releases["3.5"]
    run = run_playbook({"tasks": [task("login", h4_login_args(sim, pki, api_version="3"))]})
    assert run.rc == 0, run.output
    session = run.result("login")["session"]
    assert sim.accept_headers == ["application/vnd.vmware.h4-v3+json;charset=UTF-8"]
    assert session["api_version"] == "3"
    assert session["headers"]["Accept"] == "application/vnd.vmware.h4-v3+json;charset=UTF-8"


def test_wrong_credentials_fail_with_the_shared_message_format(h4, pki, run_playbook):
    run = run_playbook({"tasks": [task("login", h4_login_args(h4, pki, password="Not-It-42", retries=0))]})
    assert run.rc != 0
    result = run.result("login")
    assert result["msg"] == ("VCDA login to 127.0.0.1:%d as '%s' failed: HTTP 401 NotAuthenticated: "
                             "Authentication required." % (h4.port, H4_USER))
    assert result["status"] == 401 and result["error_type"] == "NotAuthenticated"
    assert "Not-It-42" not in run.output
    assert "stacktrace" not in run.output.lower() and "Exception" not in run.output


def test_missing_options_per_type_fail_before_any_request(h4, pki, run_playbook):
    cases = {"sso no password": {"auth_type": "sso", "username": "u"},
             "sso_token no token": {"auth_type": "sso_token"},
             "local no password": {"auth_type": "local"},
             "vcd no org": {"auth_type": "vcd", "username": "admin", "password": "Vcd-Pw-9"},
             "vcd_token none": {"auth_type": "vcd_token"},
             "vcd_cookie none": {"auth_type": "vcd_cookie"},
             "vcd_api_token no org": {"auth_type": "vcd_api_token", "vcd_api_token": "t0ken-value"},
             "vcd_api_token no token": {"auth_type": "vcd_api_token", "org": "acme"},
             "org for sso": {"username": H4_USER, "password": H4_PASSWORD, "org": "acme"},
             "api version": dict(LOGINS["sso"], api_version="v4"),
             "extra option": {"auth_type": "vcd_cookie", "vcd_cookie": "cookie-value-1", "principal": "someone"}}
    run = run_playbook({"tasks": [task(name, base(h4, pki, **args), ignore_errors=True)
                                  for name, args in cases.items()]})
    assert "needs password" in run.result("sso no password")["msg"]
    assert "needs saml_token" in run.result("sso_token no token")["msg"]
    assert "needs password" in run.result("local no password")["msg"]
    assert "user@org" in run.result("vcd no org")["msg"]
    assert "needs vcd_token" in run.result("vcd_token none")["msg"]
    assert "needs vcd_cookie" in run.result("vcd_cookie none")["msg"]
    assert "principal is not used by auth_type=vcd_cookie" in run.result("extra option")["msg"]
    assert run.result("vcd_api_token no org")["msg"] == "auth_type=vcd_api_token needs org, which is missing or empty"
    assert "needs vcd_api_token" in run.result("vcd_api_token no token")["msg"]
    assert "org is not used by auth_type=sso" in run.result("org for sso")["msg"]
    assert run.result("api version")["msg"] == "api_version 'v4' is not a version such as 4.7, or a major version " \
                                               "such as 3"
    assert h4.requests == []


def test_operation_id_and_api_version_reach_the_server(h4, pki, run_playbook):
    run = run_playbook({"tasks": [
        task("login", h4_login_args(h4, pki, operation_id="op-1234", api_version="4.7"), register="login"),
        task("reuse", base(h4, pki, token="{{ login.session.token }}", operation_id="op-1234", api_version="4.7")),
        task("logout", base(h4, pki, state="absent", token="{{ login.session.token }}", operation_id="op-1234")),
    ]})
    assert run.rc == 0, run.output
    session = run.result("login")["session"]
    assert session["api_version"] == "4.7"
    assert session["headers"]["Accept"] == "application/vnd.vmware.h4-v4.7+json;charset=UTF-8"
    assert len(h4.requests) == 3
    assert all(r.headers.get("operationID") == "op-1234" for r in h4.requests)
    assert h4.requests[0].headers.get("Accept") == "application/vnd.vmware.h4-v4.7+json;charset=UTF-8"
    assert run.result("reuse")["changed"] is False


def test_generic_accept_and_an_unsupported_version(h4, pki, run_playbook):
    run = run_playbook({"tasks": [
        task("generic", h4_login_args(h4, pki)),
        task("unsupported", h4_login_args(h4, pki, api_version="9.9", retries=0), ignore_errors=True),
    ]})
    generic = run.result("generic")["session"]
    assert generic["api_version"] is None and generic["headers"]["Accept"] == "application/json"
    assert h4.requests[0].headers.get("Accept") == "application/json"
    unsupported = run.result("unsupported")
    assert unsupported["failed"] and unsupported["status"] in (406, 415)
    assert "api_version" in unsupported["msg"] and "9.9" in unsupported["msg"]


def test_reuse_dead_token_logout_and_check_mode(h4, pki, run_playbook):
    first = run_playbook({"tasks": [task("a", h4_login_args(h4, pki)), task("b", h4_login_args(h4, pki))]})
    token_a = first.result("a")["session"]["token"]
    token_b = first.result("b")["session"]["token"]
    h4.expire(token_b)
    run = run_playbook({"tasks": [
        task("reuse a", h4_login_args(h4, pki, token=token_a)),
        task("reuse dead b", h4_login_args(h4, pki, token=token_b), register="renewed"),
        dict(task("check logout a", base(h4, pki, state="absent", token=token_a)), check_mode=True),
        task("logout a", base(h4, pki, state="absent", token=token_a)),
        task("logout dead b", base(h4, pki, state="absent", token=token_b)),
        task("logout renewed", base(h4, pki, state="absent", token="{{ renewed.session.token }}")),
    ]})
    assert run.rc == 0, run.output
    assert run.result("reuse a")["changed"] is False and run.result("reuse a")["session"]["token"] == token_a
    renewed = run.result("reuse dead b")
    assert renewed["changed"] is True and renewed["session"]["token"] not in (token_a, token_b)
    assert run.result("check logout a")["changed"] is True
    assert run.result("logout a")["changed"] is True
    assert run.result("logout dead b")["changed"] is False
    assert run.result("logout renewed")["changed"] is True
    assert h4.open_sessions == 0


def test_module_defaults_through_the_h4_group_and_fact_use(h4, pki, run_playbook):
    run = run_playbook({
        "module_defaults": {"group/sessionkit.vmware.h4": base(h4, pki)},
        "tasks": [
            task("login", {"username": H4_USER, "password": H4_PASSWORD}),
            {"name": "about", "ansible.builtin.uri": {
                "url": "{{ ansible_facts.h4_session.url }}/diagnostics/about",
                "headers": "{{ ansible_facts.h4_session.headers }}", "ca_path": pki.ca_cert}},
            task("logout", {"state": "absent", "token": "{{ ansible_facts.h4_session.token }}"}),
        ]})
    assert run.rc == 0, run.output
    assert run.result("about")["json"]["productName"] == "VMware Cloud Director Availability"
    assert DEPRECATION not in run.output
    assert h4.open_sessions == 0


def test_options_from_environment_variables(h4, pki, run_playbook):
    env = {"VCDA_HOST": "127.0.0.1", "VCDA_PORT": str(h4.port), "VCDA_USER": H4_USER,
           "VCDA_PASSWORD": H4_PASSWORD, "VCDA_VALIDATE_CERTS": "false"}
    run = run_playbook({"tasks": [task("login", {})]}, env=env)
    assert run.rc == 0, run.output
    assert run.result("login")["session"]["user"] == H4_USER


def test_a_login_without_token_header_is_a_failure(h4, pki, run_playbook):
    h4.omit_token_header(count=1)
    run = run_playbook({"tasks": [task("login", h4_login_args(h4, pki))]})
    result = run.result("login")
    assert result["failed"] is True and "session" not in result
    assert "no usable X-VCAV-Auth header" in result["msg"]


def test_server_failure_hides_the_stacktrace(h4, pki, run_playbook):
    h4.fail_next(1, status=500)
    run = run_playbook({"tasks": [task("login", h4_login_args(h4, pki, retries=0))]})
    result = run.result("login")
    assert result["status"] == 500 and result["error_type"] == "GeneralServerFailure"
    assert "HTTP 500 GeneralServerFailure" in result["msg"]
    assert "com.vmware.h4" not in run.output and "Exception" not in run.output


def test_html_error_page_is_described(h4, pki, run_playbook):
    h4.html_error(status=502, count=1)
    run = run_playbook({"tasks": [task("login", h4_login_args(h4, pki, retries=0))]})
    assert "HTTP 502 with an HTML page" in run.result("login")["msg"]


# ----- multi-site sessions: POST /sessions/extend and DELETE /sessions/{site}

SITE_B_API_TOKEN = {"site": "site-b", "type": "vcd_api_token", "vcd_api_token": REMOTE_API_TOKEN, "org": "acme-dr"}
VCD_LOGIN = dict(LOGINS["vcd"], auth_type="vcd")
SITE_C_VCD = {"site": "site-c", "type": "vcd", "username": "tenant-admin@acme", "password": "Tenant1!"}
# Each sites type, as the module takes it, and the releases whose schema has it (vcda-sessions.md §3).
EXTENSIONS = {
    "vcd": ({"username": "tenant-admin@acme", "password": "Tenant1!"}, RELEASES),
    "vcd_cookie": ({"vcd_cookie": VCD_COOKIE}, ("3.5", "4.1", "4.2")),
    "vcd_token": ({"vcd_token": VCD_TOKEN, "vcd_token_context": "acme"}, ("4.1", "4.2", "4.5", "4.7")),
    "multisite": ({"org": "acme"}, ("4.2", "4.5", "4.7")),
    "vcd_api_token": ({"vcd_api_token": REMOTE_API_TOKEN, "org": "acme-dr"}, ("4.7",)),
}


def extend_bodies(sim):
    return [json.loads(r.body) for r in sim.requests if r.method == "POST" and r.route == "/sessions/extend"]


def site_call(pki, name, site, **extra):
    entry = {"name": name, "ansible.builtin.uri": dict({
        "url": "{{ vcda.session.url }}/inventory/vapps?site=%s" % site, "headers": "{{ vcda.session.headers }}",
        "ca_path": pki.ca_cert}, **extra)}
    return entry


def test_extend_use_a_remote_site_reuse_drop_and_check_mode(h4, pki, run_playbook):
    reuse = {"token": "{{ vcda.session.token }}"}
    drop_c = [{"site": "site-c", "state": "absent"}]
    run = run_playbook({"tasks": [
        task("login and extend", base(h4, pki, sites=[SITE_B_API_TOKEN, SITE_C_VCD], **VCD_LOGIN),
             register="vcda"),
        site_call(pki, "vapps of site-b", "site-b"),
        task("reuse with the same sites", base(h4, pki, sites=[SITE_B_API_TOKEN, SITE_C_VCD], **reuse)),
        dict(task("check drop", base(h4, pki, sites=drop_c, **reuse)), check_mode=True),
        task("drop site-c", base(h4, pki, sites=drop_c, **reuse)),
        task("drop site-c again", base(h4, pki, sites=drop_c, **reuse)),
        site_call(pki, "vapps of site-c after the drop", "site-c", status_code=401),
        dict(task("check extend", base(h4, pki, sites=[SITE_C_VCD], **reuse)), check_mode=True),
        task("logout", base(h4, pki, state="absent", **reuse)),
    ]})
    assert run.rc == 0, run.output
    local, site_b, site_c = ({"site": "site-a", "org": "acme"}, {"site": "site-b", "org": "acme-dr"},
                             {"site": "site-c", "org": "acme"})
    login = run.result("login and extend")
    assert login["changed"] is True and login["logged_in"] is True
    assert login["extended_sites"] == ["site-b", "site-c"] and login["dropped_sites"] == []
    assert login["session"]["authenticated_sites"] == [local, site_b, site_c]
    assert run.result("vapps of site-b")["json"][0]["site"] == "site-b"
    reused = run.result("reuse with the same sites")
    assert (reused["changed"], reused["logged_in"], reused["extended_sites"]) == (False, False, [])
    checked = run.result("check drop")
    assert checked["changed"] is True and checked["dropped_sites"] == ["site-c"]
    assert checked["session"]["authenticated_sites"] == [local, site_b, site_c]
    dropped = run.result("drop site-c")
    assert dropped["changed"] is True and dropped["session"]["authenticated_sites"] == [local, site_b]
    again = run.result("drop site-c again")
    assert again["changed"] is False and again["dropped_sites"] == []
    assert run.result("vapps of site-c after the drop")["status"] == 401
    check_extend = run.result("check extend")
    assert check_extend["changed"] is True and check_extend["extended_sites"] == ["site-c"]
    # Only the first task extended, and only "drop site-c" dropped: reuse and check mode sent nothing.
    assert extend_bodies(h4) == [
        {"type": "apiToken", "site": "site-b", "token": REMOTE_API_TOKEN, "org": "acme-dr"},
        {"type": "credentials", "site": "site-c", "vcdUsername": "tenant-admin@acme", "vcdPassword": "Tenant1!"}]
    assert [r.path for r in h4.requests if r.method == "DELETE"] == ["/sessions/site-c", "/sessions"]
    assert all(r.headers.get("X-VCAV-Auth") == login["session"]["token"] for r in h4.requests[1:])
    assert (h4.logins, h4.extensions, h4.shrinks, h4.open_sessions) == (1, 2, 1, 0)


def test_extend_with_each_type_on_each_release(releases, pki, run_playbook):
    tasks = []
    for release, sim in releases.items():
        for extend_type, (creds, _known) in EXTENSIONS.items():
            site = dict(creds, site="site-b", type=extend_type)
            tasks.append(task("%s %s" % (release, extend_type),
                              base(sim, pki, sites=[site], retries=0, **VCD_LOGIN), ignore_errors=True))
    run = run_playbook({"tasks": tasks})
    assert run.rc == 0, run.output
    wire = {"vcd": "credentials", "vcd_cookie": "cookie", "vcd_token": "accessToken", "multisite": "multisite",
            "vcd_api_token": "apiToken"}
    for release, sim in releases.items():
        sent = []
        for extend_type, (_creds, known) in EXTENSIONS.items():
            result = run.result("%s %s" % (release, extend_type))
            sent.append(wire[extend_type])
            if release in known:
                assert result.get("failed") is not True, (release, extend_type, result.get("msg"))
                assert result["session"]["authenticated_sites"][-1]["site"] == "site-b"
                if extend_type == "vcd_token" and release in ("4.1", "4.2"):
                    sent.append("vcdAccessToken")  # refused as accessToken, then sent in the 4.1/4.2 form
            else:
                assert result["failed"] is True and result["status"] == 400, (release, extend_type)
                assert "to site 'site-b'" in result["msg"]
                assert result["msg"].endswith("The session the login opened was logged out again")
                if extend_type == "vcd_token":
                    sent.append("vcdAccessToken")
        assert [b["type"] for b in extend_bodies(sim)] == sent, release
        successes = sum(1 for _creds, known in EXTENSIONS.values() if release in known)
        assert (sim.logins, sim.extensions, sim.open_sessions) == (len(EXTENSIONS), successes, successes)
    assert "Cookie logins exist only" in run.result("4.7 vcd_cookie")["msg"]
    assert "Multisite extensions exist only in VCDA 4.2 and later" in run.result("4.1 multisite")["msg"]


def test_a_failed_extension_logs_out_only_the_session_it_opened(h4, pki, run_playbook):
    wrong = dict(SITE_C_VCD, password="Wrong-Site-Pw-1")
    run = run_playbook({"tasks": [
        task("fresh, wrong password", base(h4, pki, sites=[wrong], **LOGINS["sso"]), ignore_errors=True),
        task("fresh, unknown site", base(h4, pki, sites=[dict(SITE_C_VCD, site="site-z")], **LOGINS["sso"]),
             ignore_errors=True),
        task("login", base(h4, pki, **LOGINS["sso"]), register="vcda"),
        task("reused, wrong password", base(h4, pki, token="{{ vcda.session.token }}", sites=[wrong]),
             ignore_errors=True),
    ]})
    assert run.rc == 0, run.output
    fresh = run.result("fresh, wrong password")
    assert fresh["msg"] == (
        "VCDA extension of the session on 127.0.0.1:%d to site 'site-c' as 'tenant-admin@acme' failed: HTTP 401 "
        "RemoteAuthenticationFailure: Authentication to site 'site-c' failed. Site 'site-c' refused the credentials: "
        "check them against that site's Cloud Director. The session the login opened was logged out again" % h4.port)
    assert (fresh["status"], fresh["error_type"]) == (401, "RemoteAuthenticationFailure")
    assert "session" not in fresh
    unknown = run.result("fresh, unknown site")
    assert unknown["status"] == 400 and "to site 'site-z'" in unknown["msg"]
    assert unknown["msg"].endswith("The session the login opened was logged out again")
    reused = run.result("reused, wrong password")
    assert reused["status"] == 401 and "to site 'site-c'" in reused["msg"]
    assert "logged out" not in reused["msg"]
    assert list(h4.sessions) == [run.result("login")["session"]["token"]]
    assert (h4.logins, h4.logouts, h4.failed_extensions) == (3, 2, 2)
    assert "Wrong-Site-Pw-1" not in run.output


def test_sites_options_are_checked_before_any_request(h4, pki, run_playbook):
    cases = {
        "no type": [{"site": "site-b", "vcd_api_token": "t0ken-1", "org": "acme"}],
        "no password": [{"site": "site-b", "type": "vcd", "username": "a@acme"}],
        "no org": [{"site": "site-b", "type": "multisite"}],
        "extra option": [{"site": "site-b", "type": "multisite", "org": "acme", "vcd_cookie": "c00kie-1"}],
        "user without org": [{"site": "site-b", "type": "vcd", "username": "admin", "password": "pw-1"}],
        "twice": [{"site": "site-b", "state": "absent"}, {"site": "site-b", "state": "absent"}],
        "empty site": [{"site": " ", "state": "absent"}],
        "unknown type": [{"site": "site-b", "type": "saml"}],
    }
    tasks = [task(name, base(h4, pki, sites=sites, **LOGINS["sso"]), ignore_errors=True)
             for name, sites in cases.items()]
    tasks.append(task("with state absent", base(h4, pki, state="absent", token="abc", sites=cases["twice"][:1]),
                      ignore_errors=True))
    run = run_playbook({"tasks": tasks})
    msg = dict((name, run.result(name)["msg"]) for name in list(cases) + ["with state absent"])
    assert msg["no type"] == ("sites entry 'site-b' needs type, how to authenticate to that site: one of vcd, "
                              "vcd_token, vcd_api_token, multisite, vcd_cookie")
    assert msg["no password"] == "sites entry 'site-b': type=vcd needs password, which is missing or empty"
    assert msg["no org"] == "sites entry 'site-b': type=multisite needs org, which is missing or empty"
    assert msg["extra option"] == ("sites entry 'site-b': vcd_cookie is not used by type=multisite: remove it, or "
                                   "choose the type it belongs to")
    assert "sites entry 'site-b': type=vcd needs username as user@org" in msg["user without org"]
    assert msg["twice"] == "sites names site 'site-b' more than once: give each site once"
    assert msg["empty site"].startswith("sites has an entry with an empty site")
    assert "saml" in msg["unknown type"] and "sites" in msg["unknown type"]
    assert msg["with state absent"].startswith("sites cannot be used with state=absent")
    assert h4.requests == []
    assert "c00kie-1" not in run.output and "pw-1" not in run.output


def test_the_role_with_a_multi_site_session_h4(h4, pki, run_playbook, tmp_path):
    downstream = write_tasks(tmp_path, "downstream.yml", [
        about(pki),
        {"name": "vapps of site-b", "ansible.builtin.uri": {
            "url": "{{ h4_session.url }}/inventory/vapps?site=site-b", "headers": "{{ h4_session.headers }}",
            "ca_path": pki.ca_cert}, "register": "site_b_vapps"},
        {"name": "show the sites", "ansible.builtin.debug": {
            "msg": "{{ h4_session.authenticated_sites | map(attribute='site') | join(',') }}|"
                   "{{ site_b_vapps.json[0].site }}"}},
    ])
    session_h4 = dict(base(h4, pki), auth_type="vcd_api_token", vcd_api_token=VCD_API_TOKEN, org="acme",
                      sites=[SITE_B_API_TOKEN])
    run = run_playbook({"roles": [{"role": "sessionkit.vmware.session",
                                   "vars": {"session_h4": session_h4, "session_tasks": downstream}}]})
    assert run.rc == 0, run.output
    assert run.result("sessionkit.vmware.session : show the sites")["msg"] == "site-a,site-b|site-b"
    assert (h4.logins, h4.extensions, h4.logouts, h4.open_sessions) == (1, 1, 1, 0)
    assert REMOTE_API_TOKEN not in run.output and VCD_API_TOKEN not in run.output


def test_the_role_leaves_a_reused_session_open_after_extending_it(h4, pki, run_playbook):
    # Extending a reused token changes it (changed: true) without opening it: the role must not log it out.
    opened = run_playbook({"tasks": [{"name": "open", "sessionkit.vmware.h4_session": dict(
        base(h4, pki), auth_type="vcd_api_token", vcd_api_token=VCD_API_TOKEN, org="acme"), "register": "opened"},
        {"name": "token", "ansible.builtin.debug": {"msg": "{{ opened.session.token }}"}}]})
    assert opened.rc == 0, opened.output
    token = opened.result("token")["msg"]
    run = run_playbook({"roles": [{"role": "sessionkit.vmware.session", "vars": {
        "session_h4": dict(base(h4, pki), token=token, sites=[SITE_B_API_TOKEN])}}]})
    assert run.rc == 0, run.output
    assert (h4.logins, h4.extensions, h4.logouts, h4.open_sessions) == (1, 1, 0, 1)
