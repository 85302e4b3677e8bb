#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: session_plan
short_description: Group the hosts of a play batch by the API session they can share
version_added: 1.1.0
description:
  - The planning step of the P(sessionkit.vmware.session#role) role, documented because the role calls it by name.
    Playbooks rarely need it directly.
  - Reads, for each host in O(hosts), the host variables named in O(variables), and groups the hosts whose values are
    equal. Each group needs one session, logged in once for all its hosts. The first host of a group is its leader.
  - Sharing is only safe when every host finishes a task before any host starts the next one, as under the
    C(linear) strategy (and strategies built on it, such as C(debug)). Under any other strategy, such as C(free) or
    C(host_pinned), or with O(share=false), each host forms a group of its own and a warning says why.
  - Runs on the controller and never connects to the inventory host.
author:
  - sessionkit maintainers (@sessionkit)
options:
  hosts:
    description:
      - The hosts to group, usually C(ansible_play_batch) with C(run_once).
      - Ignored when the sessions are not shared; then only the current host is grouped.
    type: list
    elements: str
    default: []
  variables:
    description:
      - Which host variables hold the session options, as a dict from a name of your choice (such as C(vapi)) to the
        variable's name. The result has one entry per name.
      - A host whose variable is unset or empty needs no session of that kind.
    type: dict
    default: {}
  share:
    description:
      - Whether hosts may share sessions at all. V(false) gives every host its own.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Only reads variables, so it acts the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: all
notes:
  - The values of the variables may hold credentials; the result repeats them, so run the task with C(no_log=true)
    when they do.
"""

EXAMPLES = r"""
- name: Group the play's hosts by their vCenter
  sessionkit.vmware.session_plan:
    hosts: "{{ ansible_play_batch }}"
    variables:
      vapi: vcenter_endpoint
  run_once: true
  register: plan

- name: Show which host logs in for which
  ansible.builtin.debug:
    msg: "{{ inventory_hostname }} uses the session of {{ plan.leader_of.vapi[inventory_hostname] | default('none') }}"
"""

RETURN = r"""
strategy:
  description: The play's strategy, as the play names it.
  returned: always
  type: str
  sample: linear
lockstep:
  description: Whether that strategy finishes a task on every host before it starts the next.
  returned: always
  type: bool
  sample: true
shared:
  description: Whether hosts share sessions, that is O(share) and RV(lockstep).
  returned: always
  type: bool
  sample: true
groups:
  description:
    - For each name in O(variables), the leaders of the groups, each with the options its group shares.
    - Leaders come in the order of O(hosts).
  returned: always
  type: dict
  sample: {"vapi": {"vm01": {"hostname": "vcenter-a.example.com", "username": "automation@vsphere.local"}}}
leader_of:
  description: For each name in O(variables), the leader of each host that needs a session of that kind.
  returned: always
  type: dict
  sample: {"vapi": {"vm01": "vm01", "vm02": "vm01"}}
"""
