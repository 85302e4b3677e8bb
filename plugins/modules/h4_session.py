#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: h4_session
short_description: Log in to the VMware Cloud Director Availability API once, reuse the session, and log out
version_added: 1.0.0
description:
  - Creates a VMware Cloud Director Availability (VCDA, internally H4) API session with C(POST /sessions), with any
    of the appliance's login types, and returns its token with the headers that later calls need.
  - The token comes from the C(X-VCAV-Auth) response header; later calls send it back unchanged in the same header.
  - Reuses a session given in O(token) while C(GET /sessions) still accepts it, and logs in afresh once it has
    expired. Logs a session out with O(state=absent).
  - Each appliance service (manager, replicator, tunnel, cloud service) has its own sessions; a token works only on
    the service that issued it, so point O(hostname) and O(port) at the service your later calls use.
  - Extends the session to remote sites with C(POST /sessions/extend), and drops a site with
    C(DELETE /sessions/{site}), as O(sites) says.
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
  auth_type:
    description:
      - Which of the appliance's login types to use, and so which credential options are needed.
      - V(sso) (API type C(ssoCredentials)) needs O(username) and O(password) of a vSphere SSO user, and takes
        O(principal).
      - V(sso_token) (C(ssoToken)) needs O(saml_token) and takes O(principal). The module adds a fresh C(timestamp)
        and random C(nonce) to every login. Holder-of-key tokens, which also need a signature, are not supported.
      - V(local) (C(localUser)) logs in as an appliance OS account with O(password), and O(username) which defaults to
        C(root).
      - V(vcd) (C(vcdCredentials)) needs O(username) as C(user@org) and O(password) of a Cloud Director user.
      - V(vcd_token) (C(vcdAccessToken), VCDA 4.1 and later) needs O(vcd_token) and takes O(vcd_token_context).
      - V(vcd_api_token) (C(vcdApiToken), the newest VCDA API, 4.7) needs O(vcd_api_token) and O(org).
      - V(vcd_cookie) (C(vcdCookie)) needs O(vcd_cookie). It exists only in vCloud Availability 3.x to VCDA 4.2;
        VCDA 4.5 and later refuse it with HTTP 400.
      - The four Cloud Director types work only on the Cloud Director flavour of the appliance.
      - A missing option, or a credential option the chosen type does not use, is an error before anything is sent.
        Credentials are not checked with O(state=absent), nor with O(state=present) when O(token) is given with no
        credential option at all; the module then fails only if the token has expired.
    type: str
    choices: [sso, sso_token, local, vcd, vcd_token, vcd_cookie, vcd_api_token]
    default: sso
  username:
    description:
      - The user for O(auth_type=sso), O(auth_type=local) or O(auth_type=vcd).
      - If not set, the value of the E(VCDA_USER) environment variable is used.
    type: str
  password:
    description:
      - The password of O(username).
      - If not set, the value of the E(VCDA_PASSWORD) environment variable is used.
    type: str
  principal:
    description:
      - Another identity to bind the session to, for O(auth_type=sso) and O(auth_type=sso_token).
      - Only a user or token allowed to impersonate may use it. It has nothing to do with Cloud Director organisations.
    type: str
  saml_token:
    description:
      - The SAML bearer assertion XML for O(auth_type=sso_token).
    type: str
  vcd_token:
    description:
      - A Cloud Director access token (JWT) for O(auth_type=vcd_token).
    type: str
  vcd_token_context:
    description:
      - The Cloud Director organization (its short name, such as V(acme-dr)) of O(vcd_token), sent as C(context).
      - Needed only when the token was issued by another Cloud Director than the appliance's own, joined to it by
        Cloud Director multisite; the appliance then sends it as the organization context. It is not a VCDA site.
    type: str
  vcd_cookie:
    description:
      - The value of a Cloud Director session cookie for O(auth_type=vcd_cookie).
      - Only vCloud Availability 3.x to VCDA 4.2 take it; use O(vcd_token) or O(vcd_api_token) on newer releases.
    type: str
  vcd_api_token:
    description:
      - A Cloud Director API token for O(auth_type=vcd_api_token), as created in the Cloud Director portal for
        automation.
    type: str
    version_added: 1.1.0
  org:
    description:
      - The short name of the Cloud Director organization that O(vcd_api_token) belongs to, such as V(acme), or
        V(System) for a provider token. Sent as C(org).
    type: str
    version_added: 1.1.0
  sites:
    description:
      - Remote sites to extend the session to, so that later calls can manage replications that involve them, and
        sites to drop from it. Each entry is one site, handled in the order given.
      - A site the session is already authenticated to (as C(authenticated_sites) of C(GET /sessions) or of the
        login says) is not extended again, so a reused O(token) stays C(changed=false). A dropped site that the
        session does not have is left alone.
      - After the extensions, RV(session.authenticated_sites) lists the sites; later calls for a remote site use
        the same token and name the site in a C(site) query parameter.
      - In check mode no extension or removal is sent; RV(extended_sites) and RV(dropped_sites) say what would be
        done.
      - When an extension fails, the task fails naming the site, and a session that this task logged in for is
        logged out again. A reused session is left as it is, with any site extended before the failure.
    type: list
    elements: dict
    version_added: 1.1.0
    suboptions:
      site:
        description:
          - The VCDA name of the remote site, such as V(site-b).
        type: str
        required: true
      state:
        description:
          - V(present) extends the session to the site; V(absent) drops the site from it. Other keys are ignored
            with V(absent).
        type: str
        choices: [present, absent]
        default: present
      type:
        description:
          - How to authenticate to the site, named like O(auth_type). Needed with O(sites[].state=present).
          - V(vcd) (API type C(credentials), every release) needs O(sites[].username) as C(user@org) and
            O(sites[].password) of a user of the remote Cloud Director.
          - V(vcd_token) (C(accessToken), VCDA 4.5 and later; on 4.1 and 4.2 the module falls back to the older
            C(vcdAccessToken) form when the first is refused) needs O(sites[].vcd_token) and takes
            O(sites[].vcd_token_context).
          - V(vcd_api_token) (C(apiToken), the newest API, 4.7) needs O(sites[].vcd_api_token) and O(sites[].org).
          - V(multisite) (C(multisite), VCDA 4.2 and later) needs O(sites[].org), the remote Cloud Director
            organization associated with the organization of the logged-in user. It needs no secret.
          - V(vcd_cookie) (C(cookie), before VCDA 4.5) needs O(sites[].vcd_cookie).
          - A missing option, or a credential option the type does not use, is an error before anything is sent.
        type: str
        choices: [vcd, vcd_token, vcd_api_token, multisite, vcd_cookie]
      username:
        description:
          - The remote Cloud Director user as C(user@org), for O(sites[].type=vcd). Sent as C(vcdUsername).
        type: str
      password:
        description:
          - The password of O(sites[].username). Sent as C(vcdPassword).
        type: str
      vcd_token:
        description:
          - An access token (JWT) of the remote Cloud Director, for O(sites[].type=vcd_token).
        type: str
      vcd_token_context:
        description:
          - The Cloud Director organization of O(sites[].vcd_token), sent as C(context).
        type: str
      vcd_api_token:
        description:
          - An API token issued by the remote Cloud Director, for O(sites[].type=vcd_api_token). Sent as C(token).
        type: str
      org:
        description:
          - The short name of the remote Cloud Director organization, for O(sites[].type=vcd_api_token) and
            O(sites[].type=multisite).
        type: str
      vcd_cookie:
        description:
          - A session cookie of the remote Cloud Director, for O(sites[].type=vcd_cookie).
        type: str
  api_version:
    description:
      - The API version to ask for, as two numbers such as V(4.7), or a major version alone such as V(3), which
        vCloud Availability 3.0 takes. It is sent as C(Accept)
        C(application/vnd.vmware.h4-v<version>+json;charset=UTF-8).
      - When not set, a generic JSON C(Accept) is sent, and RV(session.api_version) reports the version the appliance
        labelled its answer with, if it did.
    type: str
  operation_id:
    description:
      - A correlation ID sent as the C(operationID) header on every request, to find them in the appliance's logs.
    type: str
  state:
    description:
      - V(present) makes sure there is a working session, reusing O(token) when it still works.
      - V(absent) logs out the session in O(token).
    type: str
    choices: [present, absent]
    default: present
  token:
    description:
      - The C(X-VCAV-Auth) token of an existing session.
      - With O(state=present) it is checked with C(GET /sessions) and reused while it works (C(changed=false)); when
        the appliance says it is gone, the module logs in afresh with the credentials.
      - With O(state=absent) it is the session to log out. A session that is already gone is C(changed=false).
      - This option is not marked C(no_log), because the module returns the same token in RV(session.token); set
        C(no_log) on the task to keep it out of the output.
    type: str
notes:
  - The connection options can be set once for several tasks with C(module_defaults) and the action group
    C(group/sessionkit.vmware.h4). When not set, O(hostname), O(port) and O(validate_certs) are read from the
    environment variables E(VCDA_HOST), E(VCDA_PORT) and E(VCDA_VALIDATE_CERTS).
seealso:
  - module: sessionkit.vmware.vapi_session
"""

EXAMPLES = r"""
# The examples read the connection from variables: vcda_hostname, vcda_username, vcda_password, and vcda_ca_path
# for the CA bundle that signed the appliance's certificate (the collection's README lists them all).

# Log in with a guard, which logs the session out when the run ends, even if it is interrupted (Ctrl-C, a job
# cancelled in AWX); keep the token out of the facts. No logout task is needed: the guard does it.
# doc-test: tasks; guarded
- name: Log in with a guard, and keep the token out of the facts
  sessionkit.vmware.h4_session:
    hostname: "{{ vcda_hostname }}"
    username: "{{ vcda_username }}"
    password: "{{ vcda_password }}"
    ca_path: "{{ vcda_ca_path }}"
    guard: true
    set_facts: false
  register: guarded

# Log in as a vSphere SSO user, read the appliance's version, and log out even when a call in between fails
- name: Read the VCDA version with one session
  block:
    - name: Log in with vSphere SSO credentials (auth_type sso)
      sessionkit.vmware.h4_session:
        hostname: "{{ vcda_hostname }}"
        username: "{{ vcda_username }}"
        password: "{{ vcda_password }}"
        ca_path: "{{ vcda_ca_path }}"
        api_version: "4.7"
      register: vcda

    - name: Read the appliance's version with the session
      ansible.builtin.uri:
        url: "{{ vcda.session.url }}/diagnostics/about"
        headers: "{{ vcda.session.headers }}"
        ca_path: "{{ vcda_ca_path }}"
      register: about
  always:
    - name: Log out
      sessionkit.vmware.h4_session:
        hostname: "{{ vcda_hostname }}"
        ca_path: "{{ vcda_ca_path }}"
        state: absent
        token: "{{ vcda.session.token }}"
      when: vcda.session.token is defined

# The other login types; module_defaults carries the connection, and one task logs out whatever sessions they opened
- name: Log in each other way
  module_defaults:
    group/sessionkit.vmware.h4:
      hostname: "{{ vcda_hostname }}"
      ca_path: "{{ vcda_ca_path }}"
  block:
    - name: Log in with an SSO SAML bearer token (auth_type sso_token)
      sessionkit.vmware.h4_session:
        auth_type: sso_token
        saml_token: "{{ vcda_saml_token }}"
      register: saml_login

    - name: Log in as the appliance's root user (auth_type local)
      sessionkit.vmware.h4_session:
        auth_type: local
        password: "{{ vcda_root_password }}"
        operation_id: nightly-replication-check
      register: root_login

    - name: Log in as a Cloud Director tenant user (auth_type vcd)
      sessionkit.vmware.h4_session:
        auth_type: vcd
        username: "{{ vcd_username }}"
        password: "{{ vcd_password }}"
      register: tenant_login

    - name: Log in with a Cloud Director access token (auth_type vcd_token)
      sessionkit.vmware.h4_session:
        auth_type: vcd_token
        vcd_token: "{{ vcd_token }}"
      register: token_login

    - name: Log in with a token from another Cloud Director of a multisite group, naming its organization
      sessionkit.vmware.h4_session:
        auth_type: vcd_token
        vcd_token: "{{ vcd_remote_token }}"
        vcd_token_context: "{{ vcd_remote_org }}"
      register: remote_token_login
  always:
    - name: Log out of each session opened above, also when a later login failed
      sessionkit.vmware.h4_session:
        state: absent
        token: "{{ item.session.token }}"
      loop:
        - "{{ saml_login | default({}) }}"
        - "{{ root_login | default({}) }}"
        - "{{ tenant_login | default({}) }}"
        - "{{ token_login | default({}) }}"
        - "{{ remote_token_login | default({}) }}"
      loop_control:
        label: "{{ item.session.user | default('no session') }}"
      when: item.session.token is defined

# Log in with a Cloud Director API token (VCDA 4.7), extend the session to two remote sites, call one, drop the other
- name: Work across sites with one session
  module_defaults:
    group/sessionkit.vmware.h4:
      hostname: "{{ vcda_hostname }}"
      ca_path: "{{ vcda_ca_path }}"
  block:
    - name: Log in with a Cloud Director API token (auth_type vcd_api_token)
      sessionkit.vmware.h4_session:
        auth_type: vcd_api_token
        vcd_api_token: "{{ vcd_api_token }}"
        org: "{{ vcd_org }}"
      register: vcda

    - name: Extend the session to two remote sites
      sessionkit.vmware.h4_session:
        token: "{{ vcda.session.token }}"
        sites:
          - site: site-b
            type: vcd_api_token
            vcd_api_token: "{{ vcd_remote_api_token }}"
            org: "{{ vcd_remote_org }}"
          - site: site-c
            type: vcd
            username: "{{ vcd_username }}"
            password: "{{ vcd_password }}"

    - name: List the vApps of site-b, on the same appliance and token, with the site query parameter
      ansible.builtin.uri:
        url: "{{ vcda.session.url }}/inventory/vapps?site=site-b"
        headers: "{{ vcda.session.headers }}"
        ca_path: "{{ vcda_ca_path }}"

    - name: Drop site-c from the session
      sessionkit.vmware.h4_session:
        token: "{{ vcda.session.token }}"
        sites:
          - site: site-c
            state: absent
  always:
    - name: Log out, which ends the extensions with the session
      sessionkit.vmware.h4_session:
        state: absent
        token: "{{ vcda.session.token }}"
      when: vcda.session.token is defined

# Log in with a Cloud Director session cookie (auth_type vcd_cookie): vCloud Availability 3.x to VCDA 4.2 only
# doc-test: tasks; vcda release: 4.2
- name: Log in with a Cloud Director session cookie
  sessionkit.vmware.h4_session:
    hostname: "{{ vcda_hostname }}"
    ca_path: "{{ vcda_ca_path }}"
    auth_type: vcd_cookie
    vcd_cookie: "{{ vcd_cookie }}"
  register: cookie_login

- name: Log out of that session
  sessionkit.vmware.h4_session:
    hostname: "{{ vcda_hostname }}"
    ca_path: "{{ vcda_ca_path }}"
    state: absent
    token: "{{ cookie_login.session.token }}"

# Set the connection once for every VCDA task of a block, and use the fact
- name: Use the connection from module_defaults
  module_defaults:
    group/sessionkit.vmware.h4:
      hostname: "{{ vcda_hostname }}"
      ca_path: "{{ vcda_ca_path }}"
  block:
    - name: Log in
      sessionkit.vmware.h4_session:
        username: "{{ vcda_username }}"
        password: "{{ vcda_password }}"

    - name: Show who is logged in
      ansible.builtin.debug:
        msg: "{{ ansible_facts.h4_session.user }} with roles {{ ansible_facts.h4_session.roles }}"
  always:
    - name: Log out
      sessionkit.vmware.h4_session:
        state: absent
        token: "{{ ansible_facts.h4_session.token }}"
      when: ansible_facts.h4_session.token is defined
"""

RETURN = r"""
session:
  description:
    - The session, ready for later calls. Also set as the fact C(h4_session) unless O(set_facts=false).
  returned: when O(state=present)
  type: dict
  contains:
    token:
      description: The session token, from the C(X-VCAV-Auth) response header.
      type: str
      sample: 6a0d5c3e-4f3b-4a8e-9c1d-2b7f0e8a9d41
    headers:
      description:
        - The headers for later calls, for the C(headers) option of M(ansible.builtin.uri).
        - C(X-VCAV-Auth) carries the token; C(Accept) names the API version in use, or is generic JSON when none
          is known.
      type: dict
      sample: {"X-VCAV-Auth": "6a0d5c3e-4f3b-4a8e-9c1d-2b7f0e8a9d41",
               "Accept": "application/vnd.vmware.h4-v4.7+json;charset=UTF-8"}
    url:
      description: The base URL for later calls, with no trailing slash.
      type: str
      sample: https://vcda.example.com:443
    user:
      description: The user the session belongs to.
      type: str
      sample: administrator@vsphere.local
    roles:
      description: The roles granted to the session.
      type: list
      elements: str
      sample: ["ADMINISTRATORS"]
    authenticated_sites:
      description:
        - The sites and organisations the session is authenticated to, after any O(sites) extension or removal; empty
          when the appliance sent none (an on-premises appliance answers V(null)).
      type: list
      elements: dict
      sample: [{"site": "site-a", "org": "acme"}]
    api_version:
      description: The API version the appliance answered with, else the one asked for in O(api_version), else V(null).
      type: str
      sample: "4.7"
ansible_facts:
  description: The facts the module sets.
  returned: when O(set_facts=true), except for a logout in check mode
  type: dict
  contains:
    h4_session:
      description:
        - With O(state=present), the same dict as RV(session).
        - With O(state=absent), a session without its token, so that it overwrites the token in a fact cache, with
          C(token) empty, C(headers) empty and C(url).
        - Read it as C(ansible_facts.h4_session), not as a top-level variable, which ansible-core 2.21 deprecates.
      type: dict
logged_in:
  description: Whether this task logged in, opening the session, rather than reusing O(token).
  returned: when O(state=present)
  type: bool
  sample: true
  version_added: 1.1.0
extended_sites:
  description: The sites of O(sites) the session was extended to, or in check mode would be.
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["site-b"]
  version_added: 1.1.0
dropped_sites:
  description: The sites of O(sites) that were dropped from the session, or in check mode would be.
  returned: when O(state=present)
  type: list
  elements: str
  sample: []
  version_added: 1.1.0
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
  sample: https://vcda.example.com:443/sessions
status:
  description: The HTTP status of the answer that failed, or V(null) when no answer came.
  returned: when a request failed
  type: int
  sample: 401
error_type:
  description: The appliance's error code, such as C(NotAuthenticated), when it sent one.
  returned: when a request failed
  type: str
  sample: NotAuthenticated
server_messages:
  description: The appliance's message, cleaned and shortened. The server's stack trace is never returned.
  returned: when a request failed
  type: list
  elements: str
  sample: ["Authentication required."]
"""

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import OptionError, SessionApiError, fail_kwargs
from ansible_collections.sessionkit.vmware.plugins.module_utils._guard import guard_options
from ansible_collections.sessionkit.vmware.plugins.module_utils._h4 import AUTH_TYPES, EXTEND_TYPES, h4_session
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import REQUESTS_IMPORT_ERROR
from ansible_collections.sessionkit.vmware.plugins.module_utils._options import endpoint_options, transport_options


def site_options():
    return dict(
        site=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        type=dict(type="str", choices=list(EXTEND_TYPES)),
        username=dict(type="str"),
        password=dict(type="str", no_log=True),
        vcd_token=dict(type="str", no_log=True),
        vcd_token_context=dict(type="str", no_log=False),
        vcd_api_token=dict(type="str", no_log=True),
        org=dict(type="str"),
        vcd_cookie=dict(type="str", no_log=True),
    )


def argument_spec():
    spec = endpoint_options("VCDA")
    spec.update(transport_options())
    spec.update(guard_options())
    spec.update(
        auth_type=dict(type="str", default="sso", choices=list(AUTH_TYPES)),
        username=dict(type="str", fallback=(env_fallback, ["VCDA_USER"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["VCDA_PASSWORD"])),
        principal=dict(type="str"),
        saml_token=dict(type="str", no_log=True),
        vcd_token=dict(type="str", no_log=True),
        vcd_token_context=dict(type="str", no_log=False),
        vcd_cookie=dict(type="str", no_log=True),
        vcd_api_token=dict(type="str", no_log=True),
        org=dict(type="str"),
        sites=dict(type="list", elements="dict", options=site_options()),
        api_version=dict(type="str"),
        operation_id=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        token=dict(type="str", no_log=False),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if REQUESTS_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    try:
        result = h4_session(module.params, module.check_mode)
    except (OptionError, SessionApiError) as error:
        module.fail_json(**fail_kwargs(error))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
