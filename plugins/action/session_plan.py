# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Groups the hosts of a play batch by the session they can share; the session role's planning step.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.plugins.action import ActionBase
from ansible.plugins.loader import strategy_loader
from ansible.plugins.strategy.linear import StrategyModule as LinearStrategy
ARGUMENT_SPEC = dict(
    hosts=dict(type="list", elements="str", default=[]),
    variables=dict(type="dict", default={}),
    share=dict(type="bool", default=True),
)

NOT_SHARED = ("sessionkit.vmware.session: the play's strategy ({0}) does not move hosts in step, so one host's "
              "logout could end a session that another host still uses. Each host logs in and out on its own here; "
              "use the linear strategy to share one session per endpoint.")


def strategy_is_lockstep(name):
    """True when the named strategy runs every host through a task before the next one (linear and its kin)."""
    try:
        strategy = strategy_loader.get(name, class_only=True)
    except Exception:  # an unknown or broken strategy plugin: sharing is not safe to assume
        return False
    return strategy is not None and issubclass(strategy, LinearStrategy)


def group_hosts(hosts, options_of):
    """Groups hosts whose options are equal: returns ({leader: options}, {host: leader}), leaders in host order.

    options_of(host) gives a host's options (a dict, empty when the host needs no session).
    """
    leaders, leader_of, by_key = {}, {}, {}
    for host in hosts:
        options = options_of(host)
        if not options:
            continue
        key = json.dumps(options, sort_keys=True, default=str)
        leader = by_key.setdefault(key, host)
        if leader == host:
            leaders[host] = options
        leader_of[host] = leader
    return leaders, leader_of


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    # Nothing runs on the inventory host: it may be a VM that is down, and the plan is made on the controller.
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        params = validation.validated_parameters

        strategy = self._task.get_play().strategy
        lockstep = strategy_is_lockstep(strategy)
        shared = params["share"] and lockstep
        if params["share"] and not lockstep:
            # A result warning, shown once however many hosts return it: the controller's display drops repeats.
            result.setdefault("warnings", []).append(NOT_SHARED.format(strategy))

        inventory_hostname = task_vars.get("inventory_hostname")
        hosts = params["hosts"] if shared else [inventory_hostname]
        hostvars = task_vars.get("hostvars", {})

        groups, leader_of = {}, {}
        for api, variable in params["variables"].items():
            def options_of(host, variable=variable):
                if host == inventory_hostname:
                    return task_vars.get(variable) or {}
                return (hostvars[host].get(variable) if host in hostvars else None) or {}

            groups[api], leader_of[api] = group_hosts(hosts, options_of)

        result.update(changed=False, strategy=strategy, lockstep=lockstep, shared=shared, groups=groups,
                      leader_of=leader_of)
        return result
