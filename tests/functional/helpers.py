# Option builders and constants shared by the functional tests.

import json
import shutil

VAPI_USER, VAPI_PASSWORD = "administrator@vsphere.local", "VMware1!"
H4_USER, H4_PASSWORD = "administrator@vsphere.local", "VMware1!"
DEPRECATION = "[DEPRECATION WARNING]"


def vapi_login_args(sim, pki, **overrides):
    args = {"hostname": "127.0.0.1", "port": sim.port, "ca_path": pki.ca_cert,
            "username": VAPI_USER, "password": VAPI_PASSWORD}
    args.update(overrides)
    return dict((k, v) for k, v in args.items() if v is not None)


def h4_login_args(sim, pki, **overrides):
    args = {"hostname": "127.0.0.1", "port": sim.port, "ca_path": pki.ca_cert,
            "username": H4_USER, "password": H4_PASSWORD}
    args.update(overrides)
    return dict((k, v) for k, v in args.items() if v is not None)


def have(name):
    return shutil.which(name) is not None


# Credentials the session-scoped H4 simulator is started with (see conftest.h4_server).
SAML_ASSERTION = '<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">bearer-1</saml2:Assertion>'
VCD_TOKEN = "eyJhbGciOiJSUzI1NiJ9.test-vcd-access-token.sig"
VCD_COOKIE = "vcloud-session-cookie-value-1"
# Cloud Director API tokens: one of the local organization, one of the organization at the remote sites.
VCD_API_TOKEN = "vcd-api-token-acme-0001"
REMOTE_API_TOKEN = "vcd-api-token-acme-dr-0002"


def write_tasks(tmp_path, name, tasks):
    """A task file for session_tasks (JSON is YAML), by absolute path."""
    path = tmp_path / name
    path.write_text(json.dumps(tasks, indent=1))
    return str(path)


def vm_list(pki, name="list vms", **extra):
    entry = {"name": name, "ansible.builtin.uri": {
        "url": "{{ vapi_session.url }}/api/vcenter/vm", "headers": "{{ vapi_session.headers }}",
        "ca_path": pki.ca_cert}}
    entry.update(extra)
    return entry


def about(pki, name="read about", **extra):
    entry = {"name": name, "ansible.builtin.uri": {
        "url": "{{ h4_session.url }}/diagnostics/about", "headers": "{{ h4_session.headers }}",
        "ca_path": pki.ca_cert}}
    entry.update(extra)
    return entry
