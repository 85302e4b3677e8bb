# Private to sessionkit.vmware (may change in any release): the cleanup of stale guarded sessions of both APIs.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.sessionkit.vmware.plugins.module_utils import _h4, _vapi
from ansible_collections.sessionkit.vmware.plugins.module_utils._guard import sweep

LOGOUTS = {"vapi": _vapi.log_out, "h4": _h4.log_out}


def clean_up(guard_dir, check_mode):
    """What the session_cleanup module does: its result for ``guard_dir``."""
    counts = sweep(guard_dir, LOGOUTS, check_mode=check_mode)
    changed = counts["stale"] > 0 if check_mode else counts["logged_out"] + counts["already_gone"] > 0
    return dict(counts, changed=changed)
