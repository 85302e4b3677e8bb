# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Private to sessionkit.vmware (may change in any release): the cleanup of stale guarded sessions of both APIs.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.sessionkit.vmware.plugins.module_utils._guard import sweep
from ansible_collections.sessionkit.vmware.plugins.module_utils._h4 import H4Sessions
from ansible_collections.sessionkit.vmware.plugins.module_utils._vapi import VapiSessions

# A guard record's API name -> how to log out its session.
LOGOUTS = dict((sessions.API, sessions.log_out) for sessions in (VapiSessions, H4Sessions))


def clean_up(guard_dir, check_mode):
    """What the session_cleanup module does: its result for ``guard_dir``."""
    counts = sweep(guard_dir, LOGOUTS, check_mode=check_mode)
    changed = counts["stale"] > 0 if check_mode else counts["logged_out"] + counts["already_gone"] > 0
    return dict(counts, changed=changed)
