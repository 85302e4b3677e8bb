# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The attributes both session modules share: they behave the same in check mode, diff mode and with facts.
    DOCUMENTATION = r"""
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
