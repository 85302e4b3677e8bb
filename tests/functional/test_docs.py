# ansible-doc reads the installed collection's module and role docs (fragments merged), and they match the code.
# The modules run fine with broken DOCUMENTATION, so only a doc-reading test notices a YAML slip in a fragment.

import importlib
import json
import subprocess
import sys
import time

import pytest
import yaml

from conftest import BIN, _clean_env
from helpers import H4_PASSWORD, REMOTE_API_TOKEN, SAML_ASSERTION, VAPI_PASSWORD, VCD_API_TOKEN, VCD_COOKIE, VCD_TOKEN
from simulators.h4 import H4Simulator
from simulators.vapi import VapiSimulator

MODULES = ("vapi_session", "h4_session")
ALL_MODULES = MODULES + ("session_cleanup",)


def ansible_doc(collections_path, tmp_path, *args):
    env = dict(_clean_env(), ANSIBLE_COLLECTIONS_PATH=str(collections_path), ANSIBLE_HOME=str(tmp_path / "home"),
               ANSIBLE_NOCOLOR="1")
    done = subprocess.run([str(BIN / "ansible-doc"), "--json"] + list(args), capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    # ansible-core 2.21 warns about its own internal _protomatter collection; only our warnings count.
    ours = [line for line in done.stderr.splitlines() if "[ERROR]" in line or "sessionkit" in line]
    assert ours == [], done.stderr
    return json.loads(done.stdout)


def documented_and_coded(name, collections_path, tmp_path):
    """(ansible-doc's entry, its doc, the module's argument spec), after checking that both list the same options
    with the same types, defaults and choices."""
    data = ansible_doc(collections_path, tmp_path, "-t", "module", "sessionkit.vmware." + name)
    entry = data["sessionkit.vmware." + name]
    doc = entry["doc"]
    sys.path.insert(0, str(collections_path))
    try:
        module = importlib.import_module("ansible_collections.sessionkit.vmware.plugins.modules." + name)
        spec = module.argument_spec()
    finally:
        sys.path.remove(str(collections_path))
    assert sorted(doc["options"]) == sorted(spec)
    for option, rules in spec.items():
        documented = doc["options"][option]
        assert documented.get("type", "str") == rules.get("type", "str"), option
        assert documented.get("default") == rules.get("default"), option
        assert bool(documented.get("no_log")) is False  # no_log lives in the spec, not the docs
        if "choices" in rules:
            assert documented["choices"] == rules["choices"], option
    return entry, doc, spec


def test_cleanup_module_docs_parse_and_match_the_argument_spec(collections_path, tmp_path):
    entry, doc, spec = documented_and_coded("session_cleanup", collections_path, tmp_path)
    assert doc["version_added"] == "1.1.0" and doc["attributes"]["check_mode"]["support"] == "full"
    assert {"stale", "logged_out", "already_gone", "failed", "owned"} == set(entry["return"])


@pytest.mark.parametrize("name", MODULES)
def test_module_docs_parse_and_match_the_argument_spec(name, collections_path, tmp_path):
    entry, doc, spec = documented_and_coded(name, collections_path, tmp_path)
    # The shared fragments really merged: transport options, and the attributes both modules declare.
    assert {"retries", "timeout", "proxy_url", "ca_path", "validate_certs", "hostname", "port"} <= set(doc["options"])
    assert doc["attributes"]["check_mode"]["support"] == "partial"
    assert doc["attributes"]["facts"]["support"] == "full"
    assert doc["version_added"] == "1.0.0"
    assert "session" in entry["return"] and "attempts" in entry["return"]
    assert "ansible_facts" in entry["return"]


def test_role_docs_list_every_entry_point(collections_path, tmp_path):
    data = ansible_doc(collections_path, tmp_path, "-t", "role", "sessionkit.vmware.session")
    entry_points = data["sessionkit.vmware.session"]["entry_points"]
    assert sorted(entry_points) == ["cleanup", "login", "logout", "main"]
    main = entry_points["main"]["options"]
    assert {"session_vapi", "session_h4", "session_tasks", "session_logout", "session_hide_secrets"} <= set(main)
    assert all(name.startswith("session_") for point in entry_points.values() for name in point["options"])


def count_tasks(tasks):
    return sum(count_tasks(task["block"]) if "block" in task else 1 for task in tasks)


@pytest.fixture
def vapi_with_saml(pki):
    sim = VapiSimulator(pki.server_cert, pki.server_key, saml_tokens={SAML_ASSERTION})
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def h4_release_42(pki):
    sim = H4Simulator(pki.server_cert, pki.server_key, release="4.2", vcd_cookies={VCD_COOKIE})
    sim.start()
    yield sim
    sim.stop()


def test_every_module_example_runs(vapi_with_saml, h4, h4_release_42, pki, collections_path, run_playbook,
                                   tmp_path):
    """The EXAMPLES that ansible-doc shows run as written, with only the host names, CA paths and secrets swapped
    for the simulators'. Tasks without ca_path rely on the system's trust store, which SSL_CERT_FILE and
    REQUESTS_CA_BUNDLE stand in for."""
    vapi = vapi_with_saml
    swaps = {"vcenter.example.com": "127.0.0.1:%d" % vapi.port, "vcda.example.com": "127.0.0.1:%d" % h4.port,
             "/etc/pki/vcenter-ca.pem": pki.ca_cert, "/etc/pki/vcda-ca.pem": pki.ca_cert}
    tasks = []
    for name in ALL_MODULES:
        text = ansible_doc(collections_path, tmp_path, "-t", "module", "sessionkit.vmware." + name)[
            "sessionkit.vmware." + name]["examples"]
        for old, new in swaps.items():
            text = text.replace(old, new)
        tasks += yaml.safe_load(text)
    for task in tasks:
        # Cookie logins exist only up to VCDA 4.2; the simulator of the newest release refuses them.
        if task.get("sessionkit.vmware.h4_session", {}).get("auth_type") == "vcd_cookie":
            task["sessionkit.vmware.h4_session"]["hostname"] = "127.0.0.1:%d" % h4_release_42.port
    (tmp_path / "bearer-assertion.xml").write_text(SAML_ASSERTION)
    secrets = {"vcenter_password": VAPI_PASSWORD, "saved_token": "a-token-that-expired-long-ago",
               "sso_password": H4_PASSWORD, "appliance_root_password": "vmware", "tenant_password": "Tenant1!",
               "vcd_jwt": VCD_TOKEN, "vcd_session_cookie": VCD_COOKIE, "vcd_jwt_from_dr_site": VCD_TOKEN,
               "vcd_api_token": VCD_API_TOKEN, "site_b_api_token": REMOTE_API_TOKEN, "site_c_password": "Tenant1!"}
    run = run_playbook({"tasks": tasks}, extra_vars=secrets,
                       env={"SSL_CERT_FILE": pki.ca_cert, "REQUESTS_CA_BUNDLE": pki.ca_cert,
                            "SESSIONKIT_GUARD_DIR": str(tmp_path / "guard")})
    assert run.rc == 0, run.output[-3000:]
    assert len(run.records) == count_tasks(tasks)
    assert [r["task"] for r in run.records if r["status"] != "ok"] == []
    # The guarded example's session is logged out by its guard once the run has ended: wait for that count.
    deadline = time.monotonic() + 10
    while (vapi.logouts, h4.logouts) != (2, 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    # vapi: the guarded login, first login, the dead saved token replaced by a new login, SAML, module_defaults; one
    # logout by a task and one by the guard.
    assert (vapi.logins, vapi.logouts, vapi.failed_logins) == (5, 2, 0)
    # h4: the guarded login, one login per auth_type but vcd_cookie (six), a second vcd_token one and the
    # module_defaults one; the same two logouts; two sites extended and one dropped. The cookie login went to the
    # 4.2 appliance.
    assert (h4.logins, h4.logouts, h4.failed_logins) == (9, 2, 0)
    assert (h4.extensions, h4.shrinks, h4_release_42.logins) == (2, 1, 1)
    assert list((tmp_path / "guard").iterdir()) == []
