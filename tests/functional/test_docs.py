# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# ansible-doc reads the installed collection's module and role docs (fragments merged), and they match the code.
# The modules run fine with broken DOCUMENTATION, so only a doc-reading test notices a YAML slip in a fragment.
# The EXAMPLES run, one snippet at a time, in test_doc_snippets.py with every other YAML snippet of the docs.

import importlib
import json
import subprocess

import pytest

from lab import BIN, clean_env

MODULES = ("vapi_session", "h4_session")


def ansible_doc(collections_path, tmp_path, *args):
    env = dict(clean_env(), ANSIBLE_COLLECTIONS_PATH=str(collections_path), ANSIBLE_HOME=str(tmp_path / "home"),
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
    # The checkout's copy (pytest-ansible makes it importable): the same source the installed one was built from.
    spec = importlib.import_module("ansible_collections.sessionkit.vmware.plugins.modules." + name).argument_spec()
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
