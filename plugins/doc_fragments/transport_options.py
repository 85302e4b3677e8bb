# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Paired with transport_options() in plugins/module_utils/_options.py; validate-modules keeps the two in step.
    DOCUMENTATION = r"""
options:
  ca_path:
    description:
      - Path of a PEM file with the CA certificates that may sign the server's certificate.
      - Used instead of the system's trust store. Ignored when O(validate_certs=false).
    type: path
  timeout:
    description:
      - Seconds to wait for a connection, and then for each answer, before giving up.
    type: int
    default: 30
  proxy_url:
    description:
      - URL of an HTTP proxy to reach the API through, such as C(http://proxy.example.com:3128).
      - If not set, the standard E(https_proxy) and E(no_proxy) environment variables are honoured. When set, it is
        used whatever those variables say.
    type: str
  retries:
    description:
      - How many more times to try a request after a refused, timed-out or dropped connection, a proxy error, or an
        HTTP 502, 503 or 504 answer. DNS and TLS failures are not retried, since they do not heal in seconds.
      - Waits grow exponentially with jitter between tries; a C(Retry-After) header is honoured, capped by O(timeout).
      - A 4xx answer is never retried. A login is sent again after a 502, 503 or 504 answer, which opened no
        session, but not after its answer was cut off once it reached the server, since the server may already have
        opened a session. A logout sent again after its answer was lost, that then hears the session is gone,
        reports it as ended, since the first try most likely ended it.
      - Use 0 to 10.
    type: int
    default: 3
"""
