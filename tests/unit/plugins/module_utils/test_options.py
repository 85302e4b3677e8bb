# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Unit tests for _options.py: the shared option sets, each paired with the doc fragment of its name.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils.basic import env_fallback

from ansible_collections.sessionkit.vmware.plugins.module_utils._options import endpoint_options, transport_options

OPTION_SETS = [lambda: endpoint_options("VMWARE"), lambda: endpoint_options("VCDA"), transport_options]


@pytest.mark.parametrize("option_set", OPTION_SETS)
def test_each_call_returns_a_fresh_spec(option_set):
    first = option_set()
    first["injected"] = {"type": "str"}
    for rules in first.values():
        rules["default"] = "changed by one module"
    assert "injected" not in option_set()
    assert all(rules.get("default") != "changed by one module" for rules in option_set().values())


@pytest.mark.parametrize("prefix", ["VMWARE", "VCDA"])
def test_endpoint_options_fall_back_to_the_api_s_environment_variables(prefix):
    spec = endpoint_options(prefix)
    assert sorted(spec) == ["hostname", "port", "validate_certs"]
    assert spec["hostname"]["required"] is True
    assert spec["validate_certs"]["default"] is True
    for option, variable in (("hostname", "_HOST"), ("port", "_PORT"), ("validate_certs", "_VALIDATE_CERTS")):
        assert spec[option]["fallback"] == (env_fallback, [prefix + variable])


def test_transport_options_defaults_match_their_documentation():
    spec = transport_options()
    assert sorted(spec) == ["ca_path", "proxy_url", "retries", "timeout"]
    assert (spec["timeout"]["default"], spec["retries"]["default"]) == (30, 3)
    assert spec["ca_path"]["type"] == "path"
    assert all("fallback" not in rules for rules in spec.values())
