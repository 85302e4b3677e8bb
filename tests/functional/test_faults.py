# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Fault cases through the real ansible-playbook: flaky and broken servers, cut connections, slow servers, refused
# ports, unknown names, bad certificates and expired sessions. Each case runs against its own simulator instance, so
# one playbook covers many cases and the fault switches of one cannot reach another.

import pytest

from functional.helpers import H4_USER, VAPI_USER, h4_login_args, vapi_login_args
from simulators.h4 import H4Simulator
from simulators.vapi import VapiSimulator

VAPI = "sessionkit.vmware.vapi_session"
H4 = "sessionkit.vmware.h4_session"


def vapi_task(name, sim, pki, **args):
    return {"name": name, VAPI: vapi_login_args(sim, pki, **args), "ignore_errors": True}


def h4_task(name, sim, pki, **args):
    return {"name": name, H4: h4_login_args(sim, pki, **args), "ignore_errors": True}


def login_posts(sim, path="/api/session"):
    return len(sim.requests_to(path, "POST"))


def failed(run, name):
    result = run.result(name)
    assert result["failed"] is True, result
    assert "session" not in result and "ansible_facts" not in result, result
    print("%-28s %s" % (name, result["msg"]))
    return result


def test_vapi_faults(simulators, pki, unused_port, run_playbook):
    flaky = simulators(VapiSimulator).fail_next(2, 503)
    down = simulators(VapiSimulator).fail_always(503)
    html = simulators(VapiSimulator).html_error(502)
    cut = simulators(VapiSimulator).reset_connection(1)
    slow = simulators(VapiSimulator).delay(3)
    busy = simulators(VapiSimulator).fail_next(1, 503, retry_after=1)
    run = run_playbook({"tasks": [
        vapi_task("flaky", flaky, pki, session_info=False),
        vapi_task("always 503", down, pki, retries=2),
        vapi_task("html 502", html, pki, retries=1),
        vapi_task("reset mid-response", cut, pki),
        vapi_task("slower than timeout", slow, pki, timeout=1, retries=0),
        vapi_task("refused port", None, pki, port=unused_port, retries=0),
        vapi_task("unknown host", None, pki, hostname="no-such-host.invalid", retries=0),
        vapi_task("retry-after", busy, pki, session_info=False),
    ]})
    assert run.rc == 0, run.output

    ok = run.result("flaky")
    assert ok["failed"] is False and ok["changed"] is True and ok["attempts"] == 3
    assert ok["session"]["token"] in flaky.sessions
    assert login_posts(flaky) == 3 and flaky.logins == 1

    always = failed(run, "always 503")
    assert always["msg"] == ("vSphere Automation login to 127.0.0.1:%d as '%s' failed: HTTP 503 SERVICE_UNAVAILABLE: "
                             "Service unavailable (gave up after 3 attempts)" % (down.port, VAPI_USER))
    assert always["attempts"] == 3 and always["status"] == 503
    assert login_posts(down) == 3 and down.open_sessions == 0

    page = failed(run, "html 502")
    assert page["msg"] == ("vSphere Automation login to 127.0.0.1:%d as '%s' failed: HTTP 502 with an HTML page "
                           "('502 Bad Gateway') instead of JSON (gave up after 2 attempts)" % (html.port, VAPI_USER))
    assert page["status"] == 502 and page["attempts"] == 2

    # The login POST reached the server, so it is not sent again (a second session could be opened), and with no
    # complete answer there is no token to report.
    reset = failed(run, "reset mid-response")
    assert reset["msg"].startswith("vSphere Automation login to 127.0.0.1:%d as '%s' failed: the connection to "
                                   "127.0.0.1:%d was closed before a complete answer arrived"
                                   % (cut.port, VAPI_USER, cut.port))
    assert reset["status"] is None and reset["attempts"] == 1
    assert login_posts(cut) == 1

    timeout = failed(run, "slower than timeout")
    assert timeout["msg"].startswith("vSphere Automation login to 127.0.0.1:%d as '%s' failed: no answer from "
                                     "127.0.0.1:%d within 1s (the timeout option)"
                                     % (slow.port, VAPI_USER, slow.port))
    assert "raise timeout" in timeout["msg"]

    refused = failed(run, "refused port")
    assert "failed: connection refused by 127.0.0.1:%d. " % unused_port in refused["msg"]
    assert "HTTPS port" in refused["msg"]

    unknown = failed(run, "unknown host")
    assert "failed: cannot resolve the host name 'no-such-host.invalid'" in unknown["msg"]
    assert "DNS" in unknown["msg"]

    # Retry-After: 1 is honoured (capped by timeout) and the login then succeeds.
    honoured = run.result("retry-after")
    assert honoured["failed"] is False and honoured["attempts"] == 2
    for sim in (flaky, down, html, cut, busy):
        assert sim.failed_logins == 0


def test_vapi_tls_faults(simulators, pki, run_playbook):
    selfsigned = simulators(VapiSimulator, pki.selfsigned_cert, pki.selfsigned_key)
    wronghost = simulators(VapiSimulator, pki.wronghost_cert, pki.wronghost_key)
    expired = simulators(VapiSimulator, pki.expired_cert, pki.expired_key)
    good = simulators(VapiSimulator)
    tasks = [
        vapi_task("self-signed", selfsigned, pki),
        vapi_task("self-signed trusted directly", selfsigned, pki, ca_path=pki.selfsigned_cert),
        vapi_task("wrong CA in ca_path", good, pki, ca_path=pki.other_ca_cert),
        vapi_task("host name mismatch", wronghost, pki),
        vapi_task("expired", expired, pki),
    ]
    for sim, name in ((selfsigned, "self-signed"), (good, "wrong CA in ca_path"), (wronghost, "host name mismatch"),
                      (expired, "expired")):
        tasks.append(vapi_task(name + " unverified", sim, pki, ca_path=None, validate_certs=False, session_info=False))
    run = run_playbook({"tasks": tasks})
    assert run.rc == 0, run.output
    skip = "or set validate_certs: false to skip verification (only on a network you trust)"

    msg = failed(run, "self-signed")["msg"]
    assert "failed: the server's TLS certificate is self-signed" in msg and skip in msg
    assert run.result("self-signed trusted directly")["failed"] is False
    msg = failed(run, "wrong CA in ca_path")["msg"]
    assert "failed: the server's TLS certificate is not signed by the CA in ca_path '%s'" % pki.other_ca_cert in msg
    msg = failed(run, "host name mismatch")["msg"]
    assert "failed: the server's TLS certificate is not valid for the name '127.0.0.1'" in msg and skip in msg
    msg = failed(run, "expired")["msg"]
    assert "failed: the server's TLS certificate has expired" in msg and skip in msg
    for name in ("self-signed", "wrong CA in ca_path", "host name mismatch", "expired"):
        assert run.result(name)["attempts"] == 1  # a certificate does not heal: no retries
        unverified = run.result(name + " unverified")
        assert unverified["failed"] is False and unverified["changed"] is True
    for sim in (selfsigned, wronghost, expired):
        assert sim.logins == 2 if sim is selfsigned else sim.logins == 1


def test_h4_faults(simulators, pki, run_playbook):
    flaky = simulators(H4Simulator).fail_next(2, 503)
    cut = simulators(H4Simulator).reset_connection(1)
    no_token = simulators(H4Simulator).omit_token_header(1)
    selfsigned = simulators(H4Simulator, pki.selfsigned_cert, pki.selfsigned_key)
    run = run_playbook({"tasks": [
        h4_task("flaky", flaky, pki),
        h4_task("reset mid-response", cut, pki),
        h4_task("no token header", no_token, pki),
        h4_task("self-signed", selfsigned, pki),
        h4_task("self-signed unverified", selfsigned, pki, ca_path=None, validate_certs=False),
    ]})
    assert run.rc == 0, run.output
    ok = run.result("flaky")
    assert ok["failed"] is False and ok["attempts"] == 3 and ok["session"]["token"] in flaky.sessions
    assert login_posts(flaky, "/sessions") == 3 and flaky.logins == 1

    reset = failed(run, "reset mid-response")
    assert reset["msg"].startswith("VCDA login to 127.0.0.1:%d as '%s' failed: the connection to 127.0.0.1:%d was "
                                   "closed before a complete answer arrived" % (cut.port, H4_USER, cut.port))
    assert login_posts(cut, "/sessions") == 1

    # The appliance opened a session but the answer lost its token header: no token is made up.
    missing = failed(run, "no token header")
    assert "HTTP 200 but the answer had no usable X-VCAV-Auth header, so there is no session token" in missing["msg"]

    msg = failed(run, "self-signed")["msg"]
    assert "VCDA login to 127.0.0.1:%d as '%s' failed: the server's TLS certificate is self-signed" % (
        selfsigned.port, H4_USER) in msg
    assert run.result("self-signed unverified")["failed"] is False


def test_session_expiring_mid_play_logs_in_again(vapi, h4, pki, run_playbook):
    vapi_args = vapi_login_args(vapi, pki)
    h4_args = h4_login_args(h4, pki)
    # /_sim/reset drops every session, as a restarted or idle-timed-out server would, between two tasks of a play.
    expire = [{"name": "expire all sessions on " + name, "ansible.builtin.uri": {
        "url": "https://127.0.0.1:%d/_sim/reset" % sim.port, "method": "POST", "status_code": 204,
        "ca_path": pki.ca_cert}} for name, sim in (("vapi", vapi), ("h4", h4))]
    run = run_playbook({"tasks": [
        {"name": "vapi login", VAPI: vapi_args, "register": "first"},
        {"name": "h4 login", H4: h4_args, "register": "first_h4"},
    ] + expire + [
        {"name": "vapi again", VAPI: dict(vapi_args, session_token="{{ first.session.token }}"), "register": "again"},
        {"name": "h4 again", H4: dict(h4_args, token="{{ first_h4.session.token }}"), "register": "again_h4"},
        {"name": "use the new session", "ansible.builtin.uri": {
            "url": "{{ again.session.url }}/api/vcenter/vm", "headers": "{{ again.session.headers }}",
            "ca_path": pki.ca_cert}},
        {"name": "the old token is dead", "ansible.builtin.uri": {
            "url": "{{ first.session.url }}/api/vcenter/vm", "headers": "{{ first.session.headers }}",
            "ca_path": pki.ca_cert, "status_code": 401}},
    ]})
    assert run.rc == 0, run.output
    for first, again in (("vapi login", "vapi again"), ("h4 login", "h4 again")):
        renewed = run.result(again)
        assert renewed["changed"] is True
        assert renewed["session"]["token"] != run.result(first)["session"]["token"]
    assert vapi.logins == 1 and vapi.open_sessions == 1  # counted since the reset: the one new login
    assert h4.logins == 1 and h4.open_sessions == 1
    assert len(run.result("use the new session")["json"]) == 3


@pytest.fixture
def proxy():
    from functional.proxy import ConnectProxy

    server = ConnectProxy().start()
    yield server
    server.stop()


def test_traffic_goes_through_proxy_url_and_https_proxy_but_not_no_proxy(vapi, h4, pki, proxy, unused_port,
                                                                         run_playbook):
    target = "127.0.0.1:%d" % vapi.port
    tasks = [vapi_task("via proxy_url", vapi, pki, proxy_url=proxy.url),
             h4_task("h4 via proxy_url", h4, pki, proxy_url=proxy.url)]
    run = run_playbook({"tasks": tasks})
    assert run.rc == 0, run.output
    assert run.result("via proxy_url")["failed"] is False and run.result("h4 via proxy_url")["failed"] is False
    # One kept-alive tunnel per task: login and session info share it.
    assert proxy.targets == [target, "127.0.0.1:%d" % h4.port]
    assert vapi.logins == 1 and h4.logins == 1

    proxy.reset()
    env = {"https_proxy": proxy.url, "HTTPS_PROXY": proxy.url}
    run = run_playbook({"tasks": [vapi_task("via https_proxy", vapi, pki)]}, env=env)
    assert run.rc == 0 and run.result("via https_proxy")["failed"] is False, run.output
    assert proxy.targets == [target]

    proxy.reset()
    run = run_playbook({"tasks": [vapi_task("no_proxy", vapi, pki)]},
                       env=dict(env, no_proxy="127.0.0.1", NO_PROXY="127.0.0.1"))
    assert run.rc == 0 and run.result("no_proxy")["failed"] is False, run.output
    assert proxy.tunnels == 0
    assert vapi.logins == 3

    # proxy_url wins over https_proxy (which points at nothing here) and over no_proxy.
    proxy.reset()
    dead = "http://127.0.0.1:%d" % unused_port
    run = run_playbook({"tasks": [vapi_task("proxy_url over env", vapi, pki, proxy_url=proxy.url, retries=0)]},
                       env={"https_proxy": dead, "HTTPS_PROXY": dead, "no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"})
    assert run.rc == 0 and run.result("proxy_url over env")["failed"] is False, run.output
    assert proxy.targets == [target]


def test_a_proxy_that_cannot_reach_the_server(pki, proxy, unused_port, run_playbook):
    run = run_playbook({"tasks": [vapi_task("dead end", None, pki, port=unused_port, proxy_url=proxy.url,
                                            retries=0)]})
    assert run.rc == 0, run.output
    msg = failed(run, "dead end")["msg"]
    assert "failed: the proxy (%s) could not connect to 127.0.0.1:%d" % (proxy.url[len("http://"):], unused_port) in msg
    assert proxy.tunnels == 0


def test_a_login_whose_answer_cannot_be_used_logs_its_session_out(simulators, pki, run_playbook):
    # The login itself succeeds each time; what follows it breaks, so the module has no token to return, and a
    # session left open there could be ended by nobody.
    info_fails = simulators(VapiSimulator).fail_next(1, 500, method="GET", route="/api/session")
    all_fail = simulators(VapiSimulator).fail_next(1, 500, method="GET", route="/api/session")
    all_fail.fail_next(1, 500, method="DELETE", route="/api/session")
    garbled = simulators(H4Simulator).garble_login_body()
    # A token that could not be sent back in a header (http.client sends Latin-1) is no token at all.
    odd_token = simulators(VapiSimulator).fail_next(1, 200, body='"tok\u20acen-from-a-broken-server"', method="POST",
                                                    route="/api/session")
    run = run_playbook({"tasks": [
        vapi_task("session details fail", info_fails, pki),
        vapi_task("details and cleanup fail", all_fail, pki),
        h4_task("body garbled", garbled, pki),
        vapi_task("token outside Latin-1", odd_token, pki),
    ]})
    assert run.rc == 0, run.output
    assert failed(run, "token outside Latin-1")["msg"] == (
        "vSphere Automation login to 127.0.0.1:%d as '%s' failed: HTTP 200 but the answer held no usable session token"
        % (odd_token.port, VAPI_USER))

    msg = failed(run, "session details fail")["msg"]
    assert msg.startswith("vSphere Automation session check on 127.0.0.1:%d failed: HTTP 500" % info_fails.port)
    assert msg.endswith("The session the login opened was logged out again")
    assert info_fails.logins == 1 and info_fails.open_sessions == 0

    msg = failed(run, "details and cleanup fail")["msg"]
    assert msg.endswith("The session the login opened could not be logged out and stays open until the server "
                        "expires it")
    assert all_fail.logins == 1 and all_fail.open_sessions == 1

    msg = failed(run, "body garbled")["msg"]
    assert msg == ("VCDA login to 127.0.0.1:%d as '%s' failed: HTTP 200 with an HTML page ('Portal') instead of JSON. "
                   "The session the login opened was logged out again" % (garbled.port, H4_USER))
    assert garbled.logins == 1 and garbled.open_sessions == 0
    # The token of the session left open is reported nowhere.
    (left_open,) = all_fail.sessions
    assert left_open not in run.output


def test_a_logout_whose_answer_was_lost_reports_the_session_ended(vapi, h4, pki, run_playbook):
    # The first DELETE ends the session but its answer is cut off; the resent DELETE then hears 401. The task did
    # end the session, so it must say changed, not "already gone".
    vapi.reset_connection(1, after_handling=True, method="DELETE")
    h4.reset_connection(1, after_handling=True, method="DELETE")
    login = dict(vapi_task("vapi login", vapi, pki), register="vc", ignore_errors=False)
    logout = vapi_task("vapi logout", vapi, pki, state="absent", session_token="{{ vc.session.token }}",
                       username=None, password=None)
    h4_login = dict(h4_task("h4 login", h4, pki), register="vcda", ignore_errors=False)
    h4_logout = h4_task("h4 logout", h4, pki, state="absent", token="{{ vcda.session.token }}", username=None,
                        password=None)
    run = run_playbook({"tasks": [login, logout, h4_login, h4_logout]})
    assert run.rc == 0, run.output
    for name, sim in (("vapi logout", vapi), ("h4 logout", h4)):
        result = run.result(name)
        assert result["failed"] is False and result["changed"] is True and result["msg"] == "logged out", result
        assert result["attempts"] == 2
        assert len(sim.requests_to(method="DELETE")) == 2
        assert sim.open_sessions == 0


def test_a_login_is_never_resent_after_a_gateway_timeout(simulators, pki, run_playbook):
    # A 504 means a gateway gave up waiting: the server behind it may have opened a session, which a second login
    # would leave open. A 503 is the server refusing before any work, so that login is sent again.
    h4_timeout = simulators(H4Simulator).fail_next(1, 504, method="POST", route="/sessions")
    h4_busy = simulators(H4Simulator).fail_next(1, 503, method="POST", route="/sessions")
    vapi_timeout = simulators(VapiSimulator).fail_next(1, 504, method="POST", route="/api/session")
    h4_check = simulators(H4Simulator)
    run = run_playbook({"tasks": [
        h4_task("h4 504 once", h4_timeout, pki),
        h4_task("h4 503 once", h4_busy, pki),
        vapi_task("vapi 504 once", vapi_timeout, pki),
        dict(h4_task("h4 login for a check", h4_check, pki), register="checked", ignore_errors=False),
    ]})
    assert run.rc == 0, run.output
    timeout = failed(run, "h4 504 once")
    assert timeout["msg"] == (
        "VCDA login to 127.0.0.1:%d as '%s' failed: HTTP 504 GeneralServerFailure: General server failure. The login "
        "was not sent again, because the server may have received it and opened a session that a second login would "
        "leave open; run the task again once the server answers in time" % (h4_timeout.port, H4_USER))
    assert timeout["status"] == 504 and timeout["attempts"] == 1
    assert login_posts(h4_timeout, "/sessions") == 1
    busy = run.result("h4 503 once")
    assert busy["failed"] is False and busy["attempts"] == 2 and login_posts(h4_busy, "/sessions") == 2
    vapi_failed = failed(run, "vapi 504 once")
    assert "HTTP 504 TIMED_OUT" in vapi_failed["msg"] and "The login was not sent again" in vapi_failed["msg"]
    assert login_posts(vapi_timeout) == 1


def test_session_checks_and_logouts_still_retry_a_gateway_timeout(h4, pki, run_playbook):
    login = run_playbook({"tasks": [dict(h4_task("login", h4, pki), register="vcda", ignore_errors=False)]})
    token = login.result("login")["session"]["token"]
    h4.fail_next(1, 504, method="GET", route="/sessions")
    h4.fail_next(1, 504, method="DELETE", route="/sessions")
    run = run_playbook({"tasks": [
        h4_task("reuse", h4, pki, token=token),
        h4_task("logout", h4, pki, state="absent", token=token, username=None, password=None),
    ]})
    assert run.rc == 0, run.output
    assert run.result("reuse")["changed"] is False and run.result("reuse")["attempts"] == 2
    assert run.result("logout")["changed"] is True and run.result("logout")["attempts"] == 2
    assert h4.logins == 1 and h4.open_sessions == 0


def test_a_login_read_timeout_is_not_resent_and_says_why(simulators, pki, run_playbook):
    slow = simulators(H4Simulator).delay(3, count=1)
    run = run_playbook({"tasks": [h4_task("slow login", slow, pki, timeout=1, retries=2)]})
    result = failed(run, "slow login")
    assert result["msg"].startswith("VCDA login to 127.0.0.1:%d as '%s' failed: no answer from 127.0.0.1:%d within 1s"
                                    % (slow.port, H4_USER, slow.port))
    assert result["msg"].endswith("The login was not sent again, because the server may have received it and opened "
                                  "a session that a second login would leave open; run the task again once the "
                                  "server answers in time")
    assert result["attempts"] == 1 and login_posts(slow, "/sessions") == 1
