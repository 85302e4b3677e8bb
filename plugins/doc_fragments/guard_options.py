# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Paired with guard_options() in plugins/module_utils/_guard.py; validate-modules keeps the two in step.
    DOCUMENTATION = r"""
options:
  set_facts:
    description:
      - Whether to set the session as a fact (C(vapi_session) or C(h4_session)).
      - With V(false) the session is only returned in RV(session); register the result to use it. Nothing of it
        then reaches a fact cache or the fact storage of AWX and Automation Controller.
      - With V(true) and O(state=absent), a logout sets the fact to a session with an empty C(token) and empty
        C(headers), so that a fact cache no longer holds the token. Check mode does not change the fact.
    type: bool
    default: true
    version_added: 1.1.0
  guard:
    description:
      - Whether to guard a session that this task opens, so that it is logged out when the run ends without logging
        it out, for example after Ctrl-C, C(SIGTERM) or a job cancelled in AWX.
      - The module then writes a record of the session (its token and connection options, never a password) to
        O(guard_dir) and starts a small guard process on the controller. The guard logs the session out and removes
        the record as soon as the C(ansible-playbook) process that ran the task has ended, and exits without doing
        anything when a later O(state=absent) task logs the session out and removes the record.
      - A guarded login first logs out the sessions of the same API whose run and guard have both ended (after
        C(kill -9) or a lost machine). The module M(sessionkit.vmware.session_cleanup) does the same for both APIs.
      - Signals C(SIGINT), C(SIGTERM) and C(SIGHUP) are ignored while the login is sent and recorded, so that an
        interruption cannot leave a session open with no record of it.
      - Needs Linux C(/proc) and the module running on the controller (C(localhost), or C(delegate_to=localhost));
        elsewhere the module warns and logs in without a guard.
      - A session reused from a token is never guarded. Leave O(guard=false) for a session that must stay open
        after the run.
    type: bool
    default: false
    version_added: 1.1.0
  guard_dir:
    description:
      - The directory for the records of guarded sessions, created with mode C(0700); records are C(0600) files named
        by a hash of the token.
      - It must belong to the user that runs the module and must not be readable by others.
      - A logout with O(state=absent) removes the session's record from this directory whatever O(guard) says, so
        give it the same value as the login.
      - If not set, the value of the E(SESSIONKIT_GUARD_DIR) environment variable is used.
    type: path
    default: ~/.ansible/sessionkit
    version_added: 1.1.0
"""
