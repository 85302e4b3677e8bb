# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Option builders and constants shared by the functional tests (the credentials the shared simulators accept are in
# tests/lab.py).

import json

VAPI_USER, VAPI_PASSWORD = "administrator@vsphere.local", "VMware1!"
H4_USER, H4_PASSWORD = "administrator@vsphere.local", "VMware1!"
DEPRECATION = "[DEPRECATION WARNING]"


def _login_args(sim, pki, user, password, overrides):
    """A module's login options for ``sim`` (None: no port, for a host where nothing listens); an override of None
    drops the option."""
    args = {"hostname": "127.0.0.1", "port": sim.port if sim else None, "ca_path": pki.ca_cert,
            "username": user, "password": password}
    args.update(overrides)
    return dict((k, v) for k, v in args.items() if v is not None)


def vapi_login_args(sim, pki, **overrides):
    return _login_args(sim, pki, VAPI_USER, VAPI_PASSWORD, overrides)


def h4_login_args(sim, pki, **overrides):
    return _login_args(sim, pki, H4_USER, H4_PASSWORD, overrides)


def write_tasks(tmp_path, name, tasks):
    """A task file for session_tasks (JSON is YAML), by absolute path."""
    path = tmp_path / name
    path.write_text(json.dumps(tasks, indent=1))
    return str(path)


def _downstream_call(pki, name, session, path, extra):
    entry = {"name": name, "ansible.builtin.uri": {
        "url": "{{ %s.url }}%s" % (session, path), "headers": "{{ %s.headers }}" % session, "ca_path": pki.ca_cert}}
    entry.update(extra)
    return entry


def vm_list(pki, name="list vms", **extra):
    return _downstream_call(pki, name, "vapi_session", "/api/vcenter/vm", extra)


def about(pki, name="read about", **extra):
    return _downstream_call(pki, name, "h4_session", "/diagnostics/about", extra)
