# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Draw benchmarks/results/latest.json as a PNG: chart.py JSON PNG (needs matplotlib; run.py uses .venv-bench)."""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MODULE, URI = "#2b6cb0", "#a0aec0"


def bars(ax, labels, a, b, a_name, b_name, unit):
    xs = range(len(labels))
    width = 0.38
    ax.bar([x - width / 2 for x in xs], a, width, label=a_name, color=MODULE)
    ax.bar([x + width / 2 for x in xs], b, width, label=b_name, color=URI)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel(unit)
    ax.legend(fontsize=8)


def main(source, target):
    with open(source) as handle:
        data = json.load(handle)
    fig, axes = plt.subplots(2, 2, figsize=(11, 8))

    login = data["login"]
    known = (("vapi", "vapi_session"), ("vapi_noinfo", "vapi_session\nsession_info=false"), ("h4", "h4_session"),
             ("vapi_guard", "vapi_session\nguard=true"))
    keys = tuple(key for key, _name in known if key in login)
    names = tuple(name for key, name in known if key in login)
    ax = axes[0][0]
    bars(ax, ["%s\nratio %.2f" % (n, login[k]["ratio"]) for n, k in zip(names, keys)],
         [login[k]["module_s"] for k in keys], [login[k]["uri_s"] for k in keys], "module", "ansible.builtin.uri", "s")
    ax.set_title("1. One login task (median task time)", fontsize=10)

    down = data["downstream"]
    ax = axes[0][1]
    patterns = ("role", "per_task_login")
    ax.bar(["role\n(1 login, 1 logout)", "uri login\nbefore every call"], [down[p]["wall_s"] for p in patterns],
           color=[MODULE, URI])
    for i, p in enumerate(patterns):
        ax.annotate("%d logins\n%d left open" % (down[p]["logins"], down[p]["open_sessions"]),
                    (i, down[p]["wall_s"]), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("s (wall, whole ansible-playbook run)")
    ax.set_ylim(0, max(down[p]["wall_s"] for p in patterns) * 1.25)
    ax.set_title("2. A play with 20 downstream calls (ratio %.2f)" % down["ratio_wall"], fontsize=10)

    fleet = data["fleet"]
    counts = sorted(fleet, key=int)
    ax = axes[1][0]
    bars(ax, ["%s hosts\nwall ratio %.2f" % (c, fleet[c]["ratio_wall"]) for c in counts],
         [fleet[c]["shared"]["wall_s"] for c in counts], [fleet[c]["per_host"]["wall_s"] for c in counts],
         "shared session (default)", "session_share: false", "s (wall, whole ansible-playbook run)")
    for i, c in enumerate(counts):
        for offset, name in ((-0.19, "shared"), (0.19, "per_host")):
            item = fleet[c][name]
            ax.annotate("%d login(s)\npeak %d\n%.2f s/host" % (item["logins"], item["peak_sessions"],
                                                               item["overhead_per_host_s"]),
                        (i + offset, item["wall_s"]), ha="center", va="bottom", fontsize=7)
    ax.set_ylim(0, max(fleet[c][n]["wall_s"] for c in counts for n in ("shared", "per_host")) * 1.35)
    ax.set_title("3. Fleet: the role with one call per host, forks %s" % fleet[counts[0]]["forks"], fontsize=10)

    anatomy = data["anatomy"]
    payload = anatomy["payload"]
    procs = anatomy.get("module_process")
    ax = axes[1][1]
    labels = ["vapi_session", "h4_session", "uri"]
    if procs:
        values = [procs[name]["process_cpu_s"] * 1000 for name in labels]
        ax.set_ylabel("CPU ms of one module run (AnsiballZ alone)")
        imports = [procs[name]["http_stack_import_ms"] for name in labels]
        notes = ["%.0f KiB payload\n%.0f ms HTTP imports" % (payload[n]["bytes"] / 1024.0, imports[i])
                 for i, n in enumerate(labels)]
    else:
        keys = ["vapi_session module_utils", "h4_session module_utils", "uri's ansible.module_utils.urls"]
        values = [anatomy["imports"][k]["total_ms"] for k in keys]
        ax.set_ylabel("ms to import the module's utils (-X importtime)")
        notes = ["%.0f KiB AnsiballZ" % (payload[n]["bytes"] / 1024.0) for n in labels]
    ax.bar(labels, values, color=[MODULE, MODULE, URI])
    for i, note in enumerate(notes):
        ax.annotate(note, (i, values[i]), ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, max(values) * 1.3)
    ax.set_title("4. One module run: CPU, payload, imports", fontsize=10)

    meta = data.get("meta", {})
    fig.suptitle("sessionkit.vmware vs ansible.builtin.uri on the bundled simulators (%s, medians of %s runs)"
                 % (meta.get("date", "?"), meta.get("repeats", "?")), fontsize=11)
    fig.tight_layout()
    fig.savefig(target, dpi=90)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
