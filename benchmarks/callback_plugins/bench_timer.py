# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark helper, not part of the collection: records when each task started and finished on each host.
# Enabled by benchmarks/run.py through ANSIBLE_CALLBACK_PLUGINS and ANSIBLE_CALLBACKS_ENABLED; writes JSON to the
# file named by BENCH_TIMINGS_FILE when the playbook ends.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: bench_timer
type: aggregate
short_description: Per-task, per-host timestamps for benchmarks/run.py
description:
  - Writes one record per task and host (name, start, end, status) to the file in E(BENCH_TIMINGS_FILE).
requirements:
  - enabled in callbacks_enabled
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._started = {}
        self._records = []
        self._play_start = time.time()

    def v2_playbook_on_start(self, playbook):
        self._play_start = time.time()

    def v2_runner_on_start(self, host, task):
        self._started[(host.get_name(), task._uuid)] = time.time()

    def _done(self, result, status):
        end = time.time()
        host = result._host.get_name()
        task = result._task
        start = self._started.pop((host, task._uuid), None)
        self._records.append({"task": task.get_name(), "host": host, "start": start, "end": end, "status": status})

    def v2_runner_on_ok(self, result):
        self._done(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result):
        self._done(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._done(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("BENCH_TIMINGS_FILE")
        if not path:
            return
        summary = dict((host, stats.summarize(host)) for host in sorted(stats.processed))
        with open(path, "w") as handle:
            json.dump({"start": self._play_start, "end": time.time(), "tasks": self._records, "stats": summary},
                      handle)
