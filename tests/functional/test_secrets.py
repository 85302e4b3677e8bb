# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# No secret in the output: every scenario at -vvv with known, unique secrets. Passwords, SAML assertions and the
# Cloud Director tokens, API tokens and cookies (for a login or a site extension) must appear nowhere; a session
# token only in the success result of a vapi_session/h4_session task (which returns it by design); and with the
# role's session_hide_secrets, nowhere.

import re

import pytest

from functional.helpers import vm_list, write_tasks
from simulators.h4 import H4Simulator
from simulators.vapi import VapiSimulator

VAPI = "sessionkit.vmware.vapi_session"
H4 = "sessionkit.vmware.h4_session"
USER = "automation@vsphere.local"
PASSWORD = "Pw-vapi-Q7x2Lk9Zr4"
H4_PASSWORD = "Pw-h4sso-M3n8Vb1Tc6"
ROOT_PASSWORD = "Pw-h4root-J5h2Gf7Ds0"
VCD_PASSWORD = "Pw-h4vcd-W9e4Rt2Yu8"
SAML_MARK = "saml-secret-Xk48Pq"
SAML = '<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">%s</saml2:Assertion>' % SAML_MARK
VCD_TOKEN = "eyJhbGciOiJSUzI1NiJ9.vcd-secret-Hq27Lm.sig"
VCD_COOKIE = "vcd-cookie-secret-Ns63Bv"
API_TOKEN = "vcd-api-secret-Zp81Kd"
REMOTE_API_TOKEN = "vcd-api-secret-remote-Qm52Wx"
SITE_PASSWORD = "Pw-h4site-Ht64Jn"
NEVER = (PASSWORD, H4_PASSWORD, ROOT_PASSWORD, VCD_PASSWORD, SAML, SAML_MARK, VCD_TOKEN, VCD_COOKIE, API_TOKEN,
         REMOTE_API_TOKEN, SITE_PASSWORD)
VCD_IDENTITIES = dict(vcd_users={"tenant@acme": VCD_PASSWORD, "site-admin@acme-dr": SITE_PASSWORD},
                      vcd_tokens={VCD_TOKEN}, vcd_cookies={VCD_COOKIE},
                      vcd_api_tokens={API_TOKEN: "api@acme", REMOTE_API_TOKEN: "api@acme-dr"})


@pytest.fixture
def servers(pki):
    vapi = VapiSimulator(pki.server_cert, pki.server_key, users={USER: PASSWORD}, saml_tokens={SAML}).start()
    h4 = H4Simulator(pki.server_cert, pki.server_key, sso_users={USER: H4_PASSWORD},
                     local_users={"root": ROOT_PASSWORD}, saml_tokens={SAML}, **VCD_IDENTITIES).start()
    broken = VapiSimulator(pki.server_cert, pki.server_key, users={USER: PASSWORD}).start()
    broken.html_error(502)
    yield vapi, h4, broken
    for sim in (vapi, h4, broken):
        sim.stop()


@pytest.fixture
def faulty(pki):
    """Simulators for the failure scenarios: a legacy-only vCenter, a vCenter whose session check fails after the
    login (the module logs the session out again), and a VCDA whose logout answer is cut off once."""
    legacy = VapiSimulator(pki.server_cert, pki.server_key, users={USER: PASSWORD}, legacy_only=True).start()
    orphan = VapiSimulator(pki.server_cert, pki.server_key, users={USER: PASSWORD}).start()
    orphan.fail_next(1, 500, method="GET", route="/api/session")
    cut = H4Simulator(pki.server_cert, pki.server_key, sso_users={USER: H4_PASSWORD}).start()
    cut.reset_connection(1, after_handling=True, method="DELETE")
    yield legacy, orphan, cut
    for sim in (legacy, orphan, cut):
        sim.stop()


@pytest.fixture
def multisite(pki):
    """A VCDA 4.2 (the last with cookies), and a VCDA whose site extensions fail (the module logs out again)."""
    old = H4Simulator(pki.server_cert, pki.server_key, release="4.2", **VCD_IDENTITIES).start()
    refusing = H4Simulator(pki.server_cert, pki.server_key, sso_users={USER: H4_PASSWORD}, **VCD_IDENTITIES).start()
    yield old, refusing
    for sim in (old, refusing):
        sim.stop()


def tokens_seen(*sims):
    """Every session token a client sent back to a server: the tokens the servers handed out and saw used."""
    found = set()
    for sim in sims:
        for request in sim.requests:
            for header in ("vmware-api-session-id", "X-VCAV-Auth"):
                if request.headers.get(header):
                    found.add(request.headers[header])
    return found


def task_blocks(output):
    """(task name, text) for each TASK section of the screen output; text before the first task is named None."""
    parts = re.split(r"^TASK \[(.*?)\] \*+$", output, flags=re.MULTILINE)
    blocks = [(None, parts[0])]
    blocks += [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
    return blocks


def test_no_secret_in_any_scenario_at_vvv(servers, faulty, multisite, pki, run_playbook):
    vapi, h4, broken = servers
    legacy, orphan, cut = faulty
    old, refusing = multisite
    v = {"hostname": "127.0.0.1", "port": vapi.port, "ca_path": pki.ca_cert}
    h = {"hostname": "127.0.0.1", "port": h4.port, "ca_path": pki.ca_cert}
    h4_logins = {
        "sso": {"username": USER, "password": H4_PASSWORD},
        "sso_token": {"saml_token": SAML},
        "local": {"password": ROOT_PASSWORD},
        "vcd": {"username": "tenant@acme", "password": VCD_PASSWORD},
        "vcd_token": {"vcd_token": VCD_TOKEN},
        "vcd_api_token": {"vcd_api_token": API_TOKEN, "org": "acme"},
    }
    sites = [{"site": "site-b", "type": "vcd", "username": "site-admin@acme-dr", "password": SITE_PASSWORD},
             {"site": "site-c", "type": "vcd_api_token", "vcd_api_token": REMOTE_API_TOKEN, "org": "acme-dr"}]
    old_sites = [{"site": "site-b", "type": "vcd_cookie", "vcd_cookie": VCD_COOKIE},
                 {"site": "site-c", "type": "vcd_token", "vcd_token": VCD_TOKEN}]
    wrong_site = [dict(sites[0], password=SITE_PASSWORD + "x")]
    wrong_api_token = [dict(sites[1], vcd_api_token=REMOTE_API_TOKEN + "x")]
    tasks = [
        {"name": "vapi login", VAPI: dict(v, username=USER, password=PASSWORD), "register": "login"},
        {"name": "vapi wrong password", VAPI: dict(v, username=USER, password=PASSWORD + "x"),
         "ignore_errors": True},
        {"name": "vapi html failure", VAPI: dict(v, port=broken.port, username=USER, password=PASSWORD, retries=0),
         "ignore_errors": True},
        {"name": "vapi reuse", VAPI: dict(v, username=USER, password=PASSWORD,
                                          session_token="{{ login.session.token }}")},
        {"name": "vapi saml login", VAPI: dict(v, saml_token=SAML), "register": "saml"},
        {"name": "list vms", "no_log": True,
         "ansible.builtin.uri": {"url": "{{ login.session.url }}/api/vcenter/vm",
                                 "headers": "{{ login.session.headers }}", "ca_path": pki.ca_cert}},
        {"name": "vapi logout in check mode", VAPI: dict(v, state="absent", session_token="{{ saml.session.token }}"),
         "check_mode": True},
        {"name": "vapi logout", VAPI: dict(v, state="absent", session_token="{{ login.session.token }}")},
        {"name": "vapi logout saml", VAPI: dict(v, state="absent", session_token="{{ saml.session.token }}")},
        {"name": "vapi logout again", VAPI: dict(v, state="absent", session_token="{{ login.session.token }}")},
        {"name": "vapi dead token logs in again", VAPI: dict(v, username=USER, password=PASSWORD,
                                                             session_token="{{ login.session.token }}"),
         "register": "renewed"},
        {"name": "vapi logout renewed", VAPI: dict(v, state="absent", session_token="{{ renewed.session.token }}")},
        # Credentials from the environment (VMWARE_USER/VMWARE_PASSWORD of the run) and from module_defaults.
        {"name": "vapi login from the environment", VAPI: dict(v), "register": "from_env"},
        {"name": "vapi logout from the environment",
         VAPI: dict(v, state="absent", session_token="{{ from_env.session.token }}")},
        {"name": "with module_defaults", "module_defaults": {"group/sessionkit.vmware.vapi": dict(
            v, username=USER, password=PASSWORD)}, "block": [
            {"name": "vapi login from module_defaults", VAPI: {}, "register": "from_defaults"},
            {"name": "vapi logout from module_defaults",
             VAPI: {"state": "absent", "session_token": "{{ from_defaults.session.token }}"}},
        ]},
        {"name": "vapi tls failure", VAPI: dict(v, ca_path=pki.other_ca_cert, username=USER, password=PASSWORD),
         "ignore_errors": True},
        {"name": "vapi legacy login", VAPI: dict(v, port=legacy.port, username=USER, password=PASSWORD),
         "register": "old"},
        {"name": "vapi legacy logout", VAPI: dict(v, port=legacy.port, state="absent",
                                                  session_token="{{ old.session.token }}")},
        {"name": "vapi session check fails after login", VAPI: dict(v, port=orphan.port, username=USER,
                                                                    password=PASSWORD),
         "ignore_errors": True},
        {"name": "h4 login for a cut logout", H4: dict(h, port=cut.port, username=USER, password=H4_PASSWORD),
         "register": "h4_cut"},
        {"name": "h4 logout cut off", H4: dict(h, port=cut.port, state="absent", token="{{ h4_cut.session.token }}")},
        {"name": "h4 wrong password", H4: dict(h, username=USER, password=H4_PASSWORD + "x"), "ignore_errors": True},
        {"name": "h4 wrong vcd token", H4: dict(h, auth_type="vcd_token", vcd_token=VCD_TOKEN + "x"),
         "ignore_errors": True},
        {"name": "h4 wrong api token", H4: dict(h, auth_type="vcd_api_token", vcd_api_token=API_TOKEN + "x",
                                                org="acme"), "ignore_errors": True},
        {"name": "h4 login with sites", H4: dict(h, auth_type="vcd_api_token", vcd_api_token=API_TOKEN, org="acme",
                                                 sites=sites), "register": "h4_sites"},
        {"name": "h4 reuse with sites", H4: dict(h, token="{{ h4_sites.session.token }}", sites=sites)},
        {"name": "h4 drop a site", H4: dict(h, token="{{ h4_sites.session.token }}",
                                            sites=[{"site": "site-c", "state": "absent"}])},
        {"name": "h4 logout with sites", H4: dict(h, state="absent", token="{{ h4_sites.session.token }}")},
        {"name": "h4 site wrong password", H4: dict(h, port=refusing.port, username=USER, password=H4_PASSWORD,
                                                    sites=wrong_site), "ignore_errors": True},
        {"name": "h4 site wrong api token", H4: dict(h, port=refusing.port, username=USER, password=H4_PASSWORD,
                                                     sites=wrong_api_token), "ignore_errors": True},
        {"name": "h4 4.2 cookie login with sites", H4: dict(h, port=old.port, auth_type="vcd_cookie",
                                                            vcd_cookie=VCD_COOKIE, sites=old_sites),
         "register": "h4_old"},
        {"name": "h4 4.2 logout", H4: dict(h, port=old.port, state="absent", token="{{ h4_old.session.token }}")},
    ]
    for auth_type, creds in h4_logins.items():
        tasks.append({"name": "h4 login " + auth_type, H4: dict(h, auth_type=auth_type, **creds),
                      "register": "h4_" + auth_type})
        tasks.append({"name": "h4 logout " + auth_type, H4: dict(h, state="absent",
                                                                 token="{{ h4_%s.session.token }}" % auth_type)})
    run = run_playbook({"tasks": tasks}, args=["-vvv"], env={"VMWARE_USER": USER, "VMWARE_PASSWORD": PASSWORD})
    assert run.rc == 0, run.output[-3000:]
    # Each scenario ran as intended: the logins, the failures, and no session left open anywhere.
    assert vapi.logins == 5 and h4.logins == len(h4_logins) + 1 and vapi.open_sessions == h4.open_sessions == 0
    assert vapi.failed_logins == 1 and h4.failed_logins == 3
    assert (h4.extensions, h4.shrinks, old.extensions, old.logins, old.open_sessions) == (2, 1, 2, 1, 0)
    assert (refusing.logins, refusing.failed_extensions, refusing.open_sessions) == (2, 2, 0)
    assert "site 'site-b'" in run.result("h4 site wrong password")["msg"]
    assert run.result("vapi logout in check mode")["changed"] is True
    assert run.result("vapi dead token logs in again")["changed"] is True
    assert run.result("vapi tls failure")["failed"] is True
    assert run.result("vapi legacy login")["session"]["api"] == "rest"
    assert "was logged out again" in run.result("vapi session check fails after login")["msg"]
    assert run.result("h4 logout cut off")["changed"] is True
    for sim in (legacy, orphan, cut):
        assert sim.logins == 1 and sim.open_sessions == 0, sim.kind
    output = run.output
    for secret in NEVER:
        assert secret not in output
    # The orphaned session's token was never returned, so it must appear nowhere at all.
    orphaned = tokens_seen(orphan, refusing)
    assert len(orphaned) == 3
    for token in orphaned:
        assert token not in output and token not in str(run.records)
    tokens = tokens_seen(vapi, h4, legacy, cut, old)
    assert len(tokens) == 5 + len(h4_logins) + 1 + 2 + 1
    allowed = set(r["task"] for r in run.records
                  if r["status"] == "ok" and (r["task"].startswith(("vapi ", "h4 "))))
    shown = set()
    for name, text in task_blocks(run.stdout):
        for token in tokens:
            if token in text:
                shown.add(token)
                assert name in allowed, "token shown by %r" % name
    assert shown == tokens  # the check above did look at the tokens: each login's result shows its own
    for token in tokens:
        assert token not in run.stderr
        for record in run.records:
            if record["task"] not in allowed:
                assert token not in str(record["result"]), record["task"]


def test_role_with_hidden_secrets_shows_no_token(servers, pki, run_playbook, tmp_path):
    vapi, h4 = servers[:2]
    downstream = write_tasks(tmp_path, "downstream.yml", [vm_list(pki, no_log=True)])
    play = {"roles": [{"role": "sessionkit.vmware.session", "vars": {
        "session_hide_secrets": True,
        "session_tasks": downstream,
        "session_vapi": {"hostname": "127.0.0.1", "port": vapi.port, "ca_path": pki.ca_cert, "username": USER,
                         "password": PASSWORD},
        "session_h4": {"hostname": "127.0.0.1", "port": h4.port, "ca_path": pki.ca_cert, "auth_type": "sso_token",
                       "saml_token": SAML}}}]}
    run = run_playbook(play, args=["-vvv"])
    assert run.rc == 0, run.output[-3000:]
    assert vapi.logins == vapi.logouts == 1 and h4.logins == h4.logouts == 1
    assert vapi.open_sessions == h4.open_sessions == 0
    tokens = tokens_seen(vapi, h4)
    assert len(tokens) == 2
    everything = run.output + "".join(str(r["result"]) for r in run.records)
    for secret in list(tokens) + list(NEVER):
        assert secret not in everything
