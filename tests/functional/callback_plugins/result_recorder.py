# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Test-only callback: appends every task result as one JSON line to $SESSIONKIT_RESULTS, so the functional tests
# can assert on structured results of a real ansible-playbook run instead of scraping its screen output.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: result_recorder
type: aggregate
short_description: Writes each task result as a JSON line for the collection's tests
description:
  - Appends one JSON object per task result to the file named by E(SESSIONKIT_RESULTS).
requirements:
  - enabled in callbacks_enabled
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "result_recorder"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, status):
        # `task`/`host` are the 2.19+ names; `_task`/`_host` keep 2.17 and 2.18 working.
        modern = hasattr(type(result), "result")
        task = result.task if modern else result._task
        host = result.host if modern else result._host
        data = result.result if modern else result._result
        # _dump_results applies the same no_log censoring the screen output gets, but drops `failed` on newer cores.
        dumped = json.loads(self._dump_results(data, keep_invocation=True))
        dumped.setdefault("failed", status == "failed")
        entry = {"task": task.get_name(), "host": host.get_name(), "status": status, "result": dumped}
        with open(os.environ["SESSIONKIT_RESULTS"], "a") as handle:
            handle.write(json.dumps(entry) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
