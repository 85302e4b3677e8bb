# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # What both session modules share in their documentation: they behave the same in check mode, diff mode and with
    # facts, and are used the same way.
    DOCUMENTATION = r"""
notes:
  - The token is returned in RV(session) and, unless O(set_facts=false), set as a fact named after the module
    (C(vapi_session) or C(h4_session)). Read it from C(ansible_facts) or from a registered result; ansible-core 2.21
    deprecates reading facts as top-level variables.
  - The role P(sessionkit.vmware.session#role) logs in once, runs your tasks and always logs out.
attributes:
  check_mode:
    support: partial
    details:
      - With O(state=present) the module logs in even in check mode, because a session changes no managed
        configuration and later read-only tasks need its token.
      - With O(state=absent) it only checks whether the session is still open, reports C(changed) accordingly,
        and does not log out.
  diff_mode:
    support: none
  facts:
    support: full
  platform:
    platforms: all
"""
