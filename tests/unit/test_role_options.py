# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The role's lists of the options it passes on agree with the modules' argument specs, its task files and its
# argument_specs.yml: a module option added or renamed without the role fails here, not in a user's play.

import importlib
from pathlib import Path

import pytest
import yaml

ROLE = Path(__file__).resolve().parents[2] / "roles" / "session"
MODULES = "ansible_collections.sessionkit.vmware.plugins.modules."
# Options the role sets itself and so refuses in session_vapi and session_h4.
ROLE_OWNED = {"state", "set_facts", "guard", "guard_dir"}
APIS = {"vapi": "vapi_session", "h4": "h4_session"}


def load(relative):
    return yaml.safe_load((ROLE / relative).read_text())


def module_options(module):
    return set(importlib.import_module(MODULES + module).argument_spec())


def module_task_args(task_file, module):
    """The option names of every task in task_file that calls module."""
    calls = [task["sessionkit.vmware." + module] for task in load("tasks/" + task_file)
             if "sessionkit.vmware." + module in task]
    assert calls, "%s calls no %s" % (task_file, module)
    return [set(args) for args in calls]


@pytest.mark.parametrize("api", sorted(APIS))
def test_the_roles_option_list_is_the_modules_options_less_its_own(api):
    listed = load("vars/main.yml")["__session_%s_options" % api]
    assert len(listed) == len(set(listed)), "listed twice: %s" % listed
    assert set(listed) == module_options(APIS[api]) - ROLE_OWNED


@pytest.mark.parametrize("api", sorted(APIS))
def test_the_login_passes_on_every_listed_option(api):
    listed = set(load("vars/main.yml")["__session_%s_options" % api])
    for passed in module_task_args("login.yml", APIS[api]):
        assert passed == listed | ROLE_OWNED


@pytest.mark.parametrize("api", sorted(APIS))
def test_the_logout_passes_only_options_the_module_has(api):
    for passed in module_task_args("logout.yml", APIS[api]):
        assert passed <= module_options(APIS[api])
        assert passed >= {"hostname", "port", "ca_path", "validate_certs", "state"}


def test_argument_specs_document_every_default_and_the_endpoint_dicts():
    specs = load("meta/argument_specs.yml")["argument_specs"]
    main = specs["main"]["options"]
    assert set(load("defaults/main.yml")) | {"session_vapi", "session_h4"} == set(main)
    for entry, spec in specs.items():
        for name, option in spec["options"].items():
            assert name.startswith("session_"), (entry, name)
            if name in main:
                assert option.get("type") == main[name].get("type"), (entry, name)
                assert option.get("default") == main[name].get("default"), (entry, name)


def test_the_plan_actions_documentation_matches_its_argument_spec():
    action = importlib.import_module("ansible_collections.sessionkit.vmware.plugins.action.session_plan")
    doc = yaml.safe_load(importlib.import_module(MODULES + "session_plan").DOCUMENTATION)
    assert set(doc["options"]) == set(action.ARGUMENT_SPEC)
    for name, rules in action.ARGUMENT_SPEC.items():
        assert doc["options"][name]["type"] == rules["type"], name
        assert doc["options"][name].get("default") == rules.get("default"), name
