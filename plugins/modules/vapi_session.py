#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vapi_session
short_description: Log in to the vSphere Automation API once, reuse the session, and log out
version_added: 1.0.0
description:
  - Creates a vSphere Automation API session with C(POST /api/session), using HTTP Basic credentials or a SAML bearer
    token, and returns its token with the headers that later calls need.
  - Falls back to the legacy C(/rest/com/vmware/cis/session) path on vCenter Server before 7.0 U2 and on govmomi's
    C(vcsim), which answer C(404) on C(/api/session).
  - Reuses a session given in O(session_token) while the server still accepts it, and logs in afresh once it has
    expired.
  - Logs a session out with O(state=absent). vCenter limits open sessions per user (550 before 8.0 U3); logging out
    what you open keeps a busy automation account from reaching that limit.
author:
  - sessionkit maintainers (@sessionkit)
requirements:
  - requests
extends_documentation_fragment:
  - sessionkit.vmware.endpoint_options
  - sessionkit.vmware.transport_options
  - sessionkit.vmware.guard_options
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.facts
  - sessionkit.vmware.session_attributes
options:
  username:
    description:
      - The user to log in as, such as C(administrator@vsphere.local).
      - If not set, the value of the E(VMWARE_USER) environment variable is used.
    type: str
  password:
    description:
      - The password of O(username).
      - If not set, the value of the E(VMWARE_PASSWORD) environment variable is used.
    type: str
  saml_token:
    description:
      - A SAML bearer assertion from vCenter Single Sign-On, to log in with instead of O(username) and O(password).
      - Give the assertion XML, or the same already gzip-compressed and base64-encoded. It is sent in the
        C(Authorization) header with the C(SIGN) scheme.
      - When set, O(username) and O(password) are not used. Holder-of-key tokens are not supported.
    type: str
  api:
    description:
      - Which login path to use.
      - V(auto) tries C(/api/session) and falls back to the legacy C(/rest/com/vmware/cis/session) on an HTTP 404.
      - V(api) and V(rest) use only that path.
    type: str
    choices: [auto, api, rest]
    default: auto
  state:
    description:
      - V(present) makes sure there is a working session, reusing O(session_token) when it still works.
      - V(absent) logs out the session in O(session_token).
    type: str
    choices: [present, absent]
    default: present
  session_token:
    description:
      - The token of an existing session.
      - With O(state=present) it is checked with the session-info call and reused while it works (C(changed=false));
        when the server says it is gone, the module logs in afresh with the credentials.
      - With O(state=absent) it is the session to log out. A session that is already gone is C(changed=false).
      - This option is not marked C(no_log), because the module returns the same token in RV(session.token); set
        C(no_log) on the task to keep it out of the output.
    type: str
  session_info:
    description:
      - Whether to call the session-info API after a fresh login to fill RV(session.user),
        RV(session.created_time) and RV(session.last_accessed_time).
      - Set to V(false) to save that round trip; the three fields are then V(null). A reused session always has them,
        because checking it is that same call.
    type: bool
    default: true
notes:
  - The connection options can be set once for several tasks with C(module_defaults) and the action group
    C(group/sessionkit.vmware.vapi). When not set, O(hostname), O(port) and O(validate_certs) are read from the
    environment variables E(VMWARE_HOST), E(VMWARE_PORT) and E(VMWARE_VALIDATE_CERTS).
seealso:
  - module: sessionkit.vmware.h4_session
"""

EXAMPLES = r"""
# The examples read the connection from variables: vcenter_hostname, vcenter_username, vcenter_password, and
# vcenter_ca_path for the CA bundle that signed vCenter's certificate (the collection's README lists them all).

# Log in with a guard, which logs the session out when the run ends, even if it is interrupted (Ctrl-C, a job
# cancelled in AWX); keep the token out of the facts. No logout task is needed: the guard does it.
# doc-test: tasks; guarded
- name: Log in with a guard, and keep the token out of the facts
  sessionkit.vmware.vapi_session:
    hostname: "{{ vcenter_hostname }}"
    username: "{{ vcenter_username }}"
    password: "{{ vcenter_password }}"
    ca_path: "{{ vcenter_ca_path }}"
    guard: true
    set_facts: false
  register: guarded

# Log in, use the session, and log out even when a call in between fails
- name: List VMs with one session
  block:
    - name: Log in to vCenter
      sessionkit.vmware.vapi_session:
        hostname: "{{ vcenter_hostname }}"
        username: "{{ vcenter_username }}"
        password: "{{ vcenter_password }}"
        ca_path: "{{ vcenter_ca_path }}"
      register: vcenter

    - name: List VMs with the session
      ansible.builtin.uri:
        url: "{{ vcenter.session.url }}/api/vcenter/vm"
        headers: "{{ vcenter.session.headers }}"
        ca_path: "{{ vcenter_ca_path }}"
      register: vms
  always:
    - name: Log out
      sessionkit.vmware.vapi_session:
        hostname: "{{ vcenter_hostname }}"
        ca_path: "{{ vcenter_ca_path }}"
        state: absent
        session_token: "{{ vcenter.session.token }}"
      when: vcenter.session.token is defined

# Inside such a block: reuse the session registered as vcenter while it works, else log in again
# doc-test: tasks in session vcenter
- name: Check the session before a long step
  sessionkit.vmware.vapi_session:
    hostname: "{{ vcenter_hostname }}"
    ca_path: "{{ vcenter_ca_path }}"
    session_token: "{{ vcenter.session.token }}"
    username: "{{ vcenter_username }}"
    password: "{{ vcenter_password }}"
  register: vcenter
  no_log: true

# Log in with a SAML bearer token from SSO (the assertion's XML), then log out
- name: Log in with a SAML bearer token
  sessionkit.vmware.vapi_session:
    hostname: "{{ vcenter_hostname }}"
    saml_token: "{{ vcenter_saml_token }}"
    ca_path: "{{ vcenter_ca_path }}"
  register: vcenter_saml

- name: Log out of the SAML token's session
  sessionkit.vmware.vapi_session:
    hostname: "{{ vcenter_hostname }}"
    ca_path: "{{ vcenter_ca_path }}"
    state: absent
    session_token: "{{ vcenter_saml.session.token }}"

# Set the connection once for every vSphere Automation task of a block
- name: Use the connection from module_defaults
  module_defaults:
    group/sessionkit.vmware.vapi:
      hostname: "{{ vcenter_hostname }}"
      ca_path: "{{ vcenter_ca_path }}"
  block:
    - name: Log in, then use the fact in later tasks
      sessionkit.vmware.vapi_session:
        username: "{{ vcenter_username }}"
        password: "{{ vcenter_password }}"

    - name: Show who is logged in
      ansible.builtin.debug:
        msg: "{{ ansible_facts.vapi_session.user }} on {{ ansible_facts.vapi_session.url }}"
  always:
    - name: Log out
      sessionkit.vmware.vapi_session:
        state: absent
        session_token: "{{ ansible_facts.vapi_session.token }}"
      when: ansible_facts.vapi_session.token is defined
"""

RETURN = r"""
session:
  description:
    - The session, ready for later calls. Also set as the fact C(vapi_session) unless O(set_facts=false).
  returned: when O(state=present)
  type: dict
  contains:
    token:
      description: The session token.
      type: str
      sample: cb40d6966154bce92713c537d2c4a848
    headers:
      description: The headers that authenticate later calls, for the C(headers) option of M(ansible.builtin.uri).
      type: dict
      sample: {"vmware-api-session-id": "cb40d6966154bce92713c537d2c4a848"}
    url:
      description: The base URL for later calls, with no trailing slash.
      type: str
      sample: https://vcenter.example.com:443
    api:
      description: Which login path worked, V(api) (C(/api/session)) or V(rest) (C(/rest/com/vmware/cis/session)).
      type: str
      sample: api
    user:
      description: The user the session belongs to, from the session-info call; V(null) when that call was not made.
      type: str
      sample: VSPHERE.LOCAL\Administrator
    created_time:
      description: When the session was created (ISO 8601), from the session-info call; V(null) when it was not made.
      type: str
      sample: "2026-11-22T07:00:00.000Z"
    last_accessed_time:
      description: When the session was last used (ISO 8601), from the session-info call; V(null) when it was not made.
      type: str
      sample: "2026-11-22T07:00:01.000Z"
ansible_facts:
  description: The facts the module sets.
  returned: when O(set_facts=true), except for a logout in check mode
  type: dict
  contains:
    vapi_session:
      description:
        - With O(state=present), the same dict as RV(session).
        - With O(state=absent), a session without its token, so that it overwrites the token in a fact cache, with
          C(token) empty, C(headers) empty and C(url).
        - Read it as C(ansible_facts.vapi_session), not as a top-level variable, which ansible-core 2.21 deprecates.
      type: dict
attempts:
  description: The most tries any one request of this task needed, retries included.
  returned: success, and failures after a request was sent
  type: int
  sample: 1
msg:
  description: What the logout did, or would do in check mode.
  returned: when O(state=absent)
  type: str
  sample: logged out
url:
  description: The URL of the request that failed.
  returned: when a request failed
  type: str
  sample: https://vcenter.example.com:443/api/session
status:
  description: The HTTP status of the answer that failed, or V(null) when no answer came.
  returned: when a request failed
  type: int
  sample: 401
error_type:
  description: The vendor's error type, such as C(UNAUTHENTICATED), when the server sent one.
  returned: when a request failed
  type: str
  sample: UNAUTHENTICATED
server_messages:
  description: The server's messages, the outermost first, each cleaned and shortened.
  returned: when a request failed
  type: list
  elements: str
  sample: ["Authentication required."]
"""

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import OptionError, SessionApiError, fail_kwargs
from ansible_collections.sessionkit.vmware.plugins.module_utils._guard import guard_options
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import REQUESTS_IMPORT_ERROR
from ansible_collections.sessionkit.vmware.plugins.module_utils._options import endpoint_options, transport_options
from ansible_collections.sessionkit.vmware.plugins.module_utils._vapi import vapi_session


def argument_spec():
    spec = endpoint_options("VMWARE")
    spec.update(transport_options())
    spec.update(guard_options())
    spec.update(
        username=dict(type="str", fallback=(env_fallback, ["VMWARE_USER"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["VMWARE_PASSWORD"])),
        saml_token=dict(type="str", no_log=True),
        api=dict(type="str", default="auto", choices=["auto", "api", "rest"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        session_token=dict(type="str", no_log=False),
        session_info=dict(type="bool", default=True),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if REQUESTS_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    try:
        result = vapi_session(module.params, module.check_mode)
    except (OptionError, SessionApiError) as error:
        module.fail_json(**fail_kwargs(error))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
