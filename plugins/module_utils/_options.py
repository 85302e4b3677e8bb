# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Private to sessionkit.vmware (may change in any release): shared option sets, each paired with the doc fragment of its name.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback


def endpoint_options(env_prefix):
    """Where the API is; unset options fall back to the ``<env_prefix>_HOST``, ``_PORT`` and ``_VALIDATE_CERTS``
    environment variables."""
    return dict(
        hostname=dict(type="str", required=True, fallback=(env_fallback, [env_prefix + "_HOST"])),
        port=dict(type="int", fallback=(env_fallback, [env_prefix + "_PORT"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, [env_prefix + "_VALIDATE_CERTS"])),
    )


def transport_options():
    """How requests travel: CA bundle, timeout, proxy and retries."""
    return dict(
        ca_path=dict(type="path"),
        timeout=dict(type="int", default=30),
        proxy_url=dict(type="str"),
        retries=dict(type="int", default=3),
    )
