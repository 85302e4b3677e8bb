#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: session_cleanup
short_description: Log out the guarded sessions of runs that ended without logging them out
version_added: 1.1.0
description:
  - Reads the records that M(sessionkit.vmware.vapi_session) and M(sessionkit.vmware.h4_session) write with
    O(sessionkit.vmware.vapi_session#module:guard=true), and logs out each session whose run and guard have both
    ended, as after C(kill -9) of C(ansible-playbook) and its guard, or a lost machine. Each record is removed once
    its session is logged out or found gone.
  - A record whose run is still going, or whose guard still watches it, is left alone, so that two runs on one
    controller never log out each other's sessions.
  - A record whose logout fails (the server cannot be reached, or its O(sessionkit.vmware.vapi_session#module:ca_path)
    is gone) is kept, for a later try.
  - Run it on the controller that ran the logins, for example with C(delegate_to=localhost) and C(run_once=true). The
    C(cleanup) entry point of the role P(sessionkit.vmware.session#role) does that.
author:
  - sessionkit maintainers (@sessionkit)
requirements:
  - requests
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
options:
  guard_dir:
    description:
      - The directory of the records, as given to the session modules.
      - If not set, the value of the E(SESSIONKIT_GUARD_DIR) environment variable is used.
    type: path
    default: ~/.ansible/sessionkit
attributes:
  check_mode:
    support: full
    details:
      - Counts the records that would be logged out in RV(stale), and logs out none.
  diff_mode:
    support: none
  platform:
    platforms: posix
seealso:
  - module: sessionkit.vmware.vapi_session
  - module: sessionkit.vmware.h4_session
"""

EXAMPLES = r"""
# Log out the guarded sessions of runs that were killed (kill -9, a lost machine), then count what is left
# doc-test: tasks; logs in nowhere: it logs out the sessions of earlier runs, and opens none
- name: Log out the sessions of runs that were killed
  sessionkit.vmware.session_cleanup:
  delegate_to: localhost
  run_once: true

- name: Only count them (check mode)
  sessionkit.vmware.session_cleanup:
  check_mode: true
  register: stale_sessions
"""

RETURN = r"""
stale:
  description: How many records belonged to runs and guards that have ended.
  returned: always
  type: int
  sample: 2
logged_out:
  description: How many of those sessions were logged out.
  returned: always
  type: int
  sample: 1
already_gone:
  description: How many of those sessions the server no longer knew, for example because they had expired.
  returned: always
  type: int
  sample: 1
failed:
  description: How many records could not be read or their sessions logged out; they are kept for a later try.
  returned: always
  type: int
  sample: 0
owned:
  description: How many records were left alone because their run or guard is still going.
  returned: always
  type: int
  sample: 0
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.sessionkit.vmware.plugins.module_utils._cleanup import clean_up
from ansible_collections.sessionkit.vmware.plugins.module_utils._guard import guard_dir_option
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import REQUESTS_IMPORT_ERROR


def argument_spec():
    return guard_dir_option()


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if REQUESTS_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    module.exit_json(**clean_up(module.params["guard_dir"], module.check_mode))


if __name__ == "__main__":
    main()
