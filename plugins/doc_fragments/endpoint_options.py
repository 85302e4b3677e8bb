# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Paired with endpoint_options() in plugins/module_utils/_options.py; validate-modules keeps the two in step. Each
    # module names the environment variables of its API in its notes, as the prefix it gives endpoint_options().
    DOCUMENTATION = r"""
options:
  hostname:
    description:
      - The host name or IP address of the server whose API the module logs in to.
      - Accepts a bare host (C(vc.example.com)), C(host:port), an IPv6 literal (C(fd00::10) or C([fd00::10]:443))
        or an C(https://) URL with no path.
      - C(http://) URLs, paths and empty values are refused before any request is sent.
      - If not set, the value of an environment variable is used, which the module's notes name.
    type: str
    required: true
  port:
    description:
      - The HTTPS port of the API.
      - Defaults to C(443), or to the port that O(hostname) names. Giving a different port in both places is an error.
      - If not set, the value of an environment variable is used, which the module's notes name.
    type: int
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate and host name.
      - Set O(ca_path) rather than turning this off when the server's certificate comes from a private CA.
      - If not set, the value of an environment variable is used, which the module's notes name.
    type: bool
    default: true
"""
