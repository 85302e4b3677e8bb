# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make bench`: the collection's session modules and role beside what users would write instead.

Starts the test lab (tests/lab.py: the simulators the tests use, in this process, and the collection built and
installed by scripts/install-collection.sh), runs ansible-playbook against the simulators, prints a table of figures
and ratios, and writes benchmarks/results/latest.json and latest.png (the chart is drawn by chart.py in .venv-bench, which has matplotlib).

Every figure is the median of several runs, and each comparison runs side by side in one invocation with its A and B
runs interleaved, because shared machines are noisy: ratios carry from one machine to another, absolute times do not.

Exit status: 0 when every benchmark ran; 1 when a playbook, a simulator or the chart failed. There are no timing
thresholds: slow is reported, never failed.

    benchmarks/run.py [--repeats 5] [--play-repeats 3] [--fleet-hosts 50,200] [--fleet-repeats 3,1] [--no-chart]
                      [--update-docs]
"""

import argparse
import base64
import io
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results"
DOCS_RST = ROOT / "docs" / "docsite" / "rst"
USER = "administrator@vsphere.local"
PASSWORD = "VMware1!"
DOWNSTREAM_CALLS = 20
FLEET_FORKS = 25
FLEET_CALL = "fleet downstream call"
NS = "ansible_collections.sessionkit.vmware.plugins.module_utils"

# The test lab is a folder of modules, not an installed package: this script runs them from the checkout.
sys.path.insert(0, str(ROOT / "tests"))
from lab import install_collection, simulator, venv_path  # noqa: E402
from simulators.h4 import H4Simulator  # noqa: E402
from simulators.pki import make_pki  # noqa: E402
from simulators.vapi import VapiSimulator  # noqa: E402


class BenchError(Exception):
    """Something that makes a figure impossible: a failed playbook, a simulator that does not answer."""


def log(message):
    print("bench: %s" % message, file=sys.stderr, flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# ----------------------------------------------------------------------------------------------- environment


class Lab(object):
    """The test lab (tests/lab.py: the simulators, the installed collection) and a way to run ansible-playbook
    against it."""

    def __init__(self, work, python):
        self.work = Path(work)
        self.python = python
        self.bindir = Path(python).parent
        self.sims = {}
        self.playbooks = self.work / "playbooks"
        self.playbooks.mkdir()
        self.runs = 0

    def start(self):
        """The vAPI and VCDA simulators the tests use, in this process, on the test PKI."""
        pki = make_pki(str(self.work / "pki"))
        self.ca = pki.ca_cert
        for kind, cls in (("vapi", VapiSimulator), ("h4", H4Simulator)):
            self.sims[kind] = simulator(cls, pki).start()
        self.urls = dict((kind, sim.url) for kind, sim in self.sims.items())
        log("simulators at %s (vapi) and %s (h4)" % (self.urls["vapi"], self.urls["h4"]))

    def stop(self):
        for sim in self.sims.values():
            sim.stop()

    def install_collection(self):
        self.collections = install_collection(self.work)
        log("installed %s" % next((self.work / "dist").glob("sessionkit-vmware-*.tar.gz")).name)

    # ----- simulator counters

    def reset(self, kind):
        self.sims[kind].reset()

    def stats(self, kind):
        return self.sims[kind].stats()

    # ----- ansible-playbook

    def write(self, name, text):
        path = self.playbooks / name
        path.write_text(text)
        return path

    def playbook(self, playbook, inventory="localhost,", forks=5, extra_env=None, expect_ok=True):
        """Run one playbook; (wall seconds, the timer callback's JSON, exit code)."""
        self.runs += 1
        timings = self.work / ("timings-%d.json" % self.runs)
        env = dict(os.environ)
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(self.collections),
            "ANSIBLE_HOME": str(self.work / "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": str(self.work / "ansible-home" / "tmp"),
            "ANSIBLE_PYTHON_INTERPRETER": self.python,
            "ANSIBLE_CALLBACK_PLUGINS": str(BENCH / "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "bench_timer",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCALHOST_WARNING": "False",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            # Both sides of every comparison run the same way; pipelining spares each task the temporary files.
            "ANSIBLE_PIPELINING": "True",
            "BENCH_TIMINGS_FILE": str(timings),
            "PATH": venv_path(),
        })
        env.update(extra_env or {})
        command = [str(self.bindir / "ansible-playbook"), "-i", str(inventory), "-c", "local", "-f", str(forks),
                   "-e", "@%s" % self.vars_file, str(playbook)]
        logfile = self.work / ("run-%d.log" % self.runs)
        start = time.perf_counter()
        with open(logfile, "w") as out:
            rc = subprocess.call(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=str(self.work))
        wall = time.perf_counter() - start
        if rc != 0 and expect_ok:
            tail = "".join(logfile.read_text().splitlines(True)[-30:])
            raise BenchError("%s exited %d:\n%s" % (playbook.name, rc, tail))
        data = json.loads(timings.read_text()) if timings.exists() else {"tasks": [], "stats": {}}
        return wall, data, rc

    def write_vars(self):
        self.vars_file = self.work / "vars.yml"
        self.vars_file.write_text(json.dumps({
            "vapi_url": self.urls["vapi"], "h4_url": self.urls["h4"],
            "vapi_host": self.urls["vapi"].replace("https://", ""), "h4_host": self.urls["h4"].replace("https://", ""),
            "bench_user": USER, "bench_password": PASSWORD, "bench_ca": self.ca,
        }))


# ------------------------------------------------------------------------------------------------ playbooks

PLAY_HEADER = """---
- name: %s
  hosts: %s
  gather_facts: false
  tasks:
"""

TASKS = {
    "vapi_session": """
    - name: "{name}"
      sessionkit.vmware.vapi_session:
        hostname: "{{{{ vapi_host }}}}"
        username: "{{{{ bench_user }}}}"
        password: "{{{{ bench_password }}}}"
        ca_path: "{{{{ bench_ca }}}}"{extra}
""",
    "uri_vapi": """
    - name: "{name}"
      ansible.builtin.uri:
        url: "{{{{ vapi_url }}}}/api/session"
        method: POST
        url_username: "{{{{ bench_user }}}}"
        url_password: "{{{{ bench_password }}}}"
        force_basic_auth: true
        ca_path: "{{{{ bench_ca }}}}"
        status_code: 201
      register: uri_vapi_login
""",
    "h4_session": """
    - name: "{name}"
      sessionkit.vmware.h4_session:
        hostname: "{{{{ h4_host }}}}"
        username: "{{{{ bench_user }}}}"
        password: "{{{{ bench_password }}}}"
        ca_path: "{{{{ bench_ca }}}}"
""",
    "uri_h4": """
    - name: "{name}"
      ansible.builtin.uri:
        url: "{{{{ h4_url }}}}/sessions"
        method: POST
        body_format: json
        body:
          type: ssoCredentials
          username: "{{{{ bench_user }}}}"
          password: "{{{{ bench_password }}}}"
        headers:
          Accept: application/json
        ca_path: "{{{{ bench_ca }}}}"
        status_code: 200
""",
    "downstream": """
    - name: "{name}"
      ansible.builtin.uri:
        url: "{{{{ vapi_session.url }}}}/api/vcenter/vm"
        headers: "{{{{ vapi_session.headers }}}}"
        ca_path: "{{{{ bench_ca }}}}"
""",
    "downstream_after_uri_login": """
    - name: "{name}"
      ansible.builtin.uri:
        url: "{{{{ vapi_url }}}}/api/vcenter/vm"
        headers:
          vmware-api-session-id: "{{{{ uri_vapi_login.json }}}}"
        ca_path: "{{{{ bench_ca }}}}"
""",
    "sim": """
    - name: "{name}"
      ansible.builtin.uri:
        url: "{{{{ {kind}_url }}}}/_sim/{what}"
        method: "{method}"
        ca_path: "{{{{ bench_ca }}}}"
        status_code: [200, 204]
      register: {register}
""",
}


def task(template, name, **fields):
    fields.setdefault("extra", "")
    return TASKS[template].format(name=name, **fields)


def role_play(hosts, tasks_file=None, share=True):
    text = PLAY_HEADER % ("The session role", hosts)
    text = text.replace("  tasks:\n", "")
    text += """  roles:
    - role: sessionkit.vmware.session
      vars:
        session_vapi:
          hostname: "{{ vapi_host }}"
          username: "{{ bench_user }}"
          password: "{{ bench_password }}"
          ca_path: "{{ bench_ca }}"
"""
    if tasks_file:
        text += "        session_tasks: \"%s\"\n" % tasks_file
    if not share:
        text += "        session_share: false\n"
    return text


# ------------------------------------------------------------------------------------------------ benchmarks

LOGIN_PAIRS = (
    ("vapi", "vapi_session", "uri_vapi", "", "vapi_session (login + session info)"),
    ("vapi_noinfo", "vapi_session", "uri_vapi", "\n        session_info: false", "vapi_session session_info=false"),
    ("h4", "h4_session", "uri_h4", "", "h4_session"),
    # The guard (issue 12) beside the unguarded vapi_session row above: what it adds to a login, before and after.
    ("vapi_guard", "vapi_session", "uri_vapi", '\n        guard: true\n        guard_dir: "{{ playbook_dir }}/guard"',
     "vapi_session guard=true"),
)


def bench_login(lab, repeats):
    """1. One login task, module beside uri, as tasks of one play; A and B alternate (ABBA) on each repeat."""
    text = PLAY_HEADER % ("One login task, module beside uri", "localhost")
    # Round 0 warms up (first fork, first AnsiballZ build and cache) and is not counted.
    for rnd in range(repeats + 1):
        for key, module, uri, extra, _label in LOGIN_PAIRS:
            pair = [("mod", module), ("uri", uri)]
            if rnd % 2:
                pair.reverse()
            for side, kind in pair:
                text += task(kind, "%s %s %d" % (key, side, rnd), extra=extra if side == "mod" else "")
    path = lab.write("login.yml", text)
    log("1/4 login task: %d tasks in one play" % (len(LOGIN_PAIRS) * 2 * (repeats + 1)))
    cpu_log = lab.work / "login-cpu.log"
    data = lab.playbook(path, extra_env={"ANSIBLE_PYTHON_INTERPRETER": cpu_logging_python(lab, cpu_log)})[1]
    cpu = module_cpu_seconds(cpu_log)
    if len(cpu) != len(data["tasks"]):
        raise BenchError("login benchmark: %d module processes logged their CPU time for %d tasks"
                         % (len(cpu), len(data["tasks"])))
    times, cpus = {}, {}
    # One host, one task at a time: the module processes ran, and logged, in the order of the tasks.
    for record, seconds in zip(sorted(data["tasks"], key=lambda r: r["start"]), cpu):
        key, side, rnd = record["task"].rsplit(" ", 2)
        if int(rnd) == 0 or record["status"] != "ok":
            continue
        times.setdefault((key, side), []).append(record["end"] - record["start"])
        cpus.setdefault((key, side), []).append(seconds)
    out = {}
    for key, label in ((pair[0], pair[4]) for pair in LOGIN_PAIRS):
        mod, uri = times.get((key, "mod"), []), times.get((key, "uri"), [])
        if len(mod) != repeats or len(uri) != repeats:
            raise BenchError("login benchmark %s: expected %d timings each, got %d and %d" % (key, repeats, len(mod), len(uri)))
        mod_cpu, uri_cpu = median(cpus[(key, "mod")]), median(cpus[(key, "uri")])
        out[key] = {"label": label, "module_s": median(mod), "uri_s": median(uri),
                    "ratio": median(mod) / median(uri), "module_runs": mod, "uri_runs": uri,
                    "module_cpu_s": mod_cpu, "uri_cpu_s": uri_cpu, "cpu_ratio": mod_cpu / uri_cpu}
    return out


def cpu_logging_python(lab, log_path):
    """An interpreter for ANSIBLE_PYTHON_INTERPRETER that runs the module as the plain one would, then appends the
    module process's CPU seconds to ``log_path``. CPU time hardly changes with the machine's load; task time does."""
    wrapper = lab.work / "python-cpu-log"
    # times prints two lines: the shell's own user and system time, then its finished children's (the module's).
    wrapper.write_text('#!/bin/bash\n"%s" "$@"\nstatus=$?\ntimes >> "%s"\nexit $status\n' % (lab.python, log_path))
    wrapper.chmod(0o755)
    return str(wrapper)


def module_cpu_seconds(log_path):
    """User plus system seconds of each logged module process, in the order they ran."""
    seconds = []
    for line in log_path.read_text().splitlines()[1::2]:
        parts = re.findall(r"(\d+)m([\d.]+)s", line)
        if len(parts) != 2:
            raise BenchError("unexpected line in %s: %r" % (log_path, line))
        seconds.append(sum(int(minutes) * 60 + float(secs) for minutes, secs in parts))
    return seconds


def bench_downstream(lab, repeats):
    """2. A play with 20 downstream calls: the role beside a uri login before every call."""
    calls = "---\n" + "".join(task("downstream", "downstream call %d" % i) for i in range(DOWNSTREAM_CALLS))
    calls_file = lab.write("downstream_tasks.yml", calls)
    role = lab.write("downstream_role.yml", role_play("localhost", calls_file))
    text = PLAY_HEADER % ("A login before every call", "localhost")
    for i in range(DOWNSTREAM_CALLS):
        text += task("uri_vapi", "login %d" % i) + task("downstream_after_uri_login", "downstream call %d" % i)
    per_task = lab.write("downstream_per_task_login.yml", text)
    runs = {"role": [], "per_task_login": []}
    log("2/4 %d downstream calls: %d runs of each pattern, interleaved" % (DOWNSTREAM_CALLS, repeats))
    for rnd in range(repeats):
        order = [("role", role), ("per_task_login", per_task)]
        if rnd % 2:
            order.reverse()
        for name, path in order:
            lab.reset("vapi")
            wall, data = lab.playbook(path)[:2]
            stats = lab.stats("vapi")
            calls_made = sum(1 for r in data["tasks"] if "downstream call" in r["task"] and r["status"] == "ok")
            if calls_made != DOWNSTREAM_CALLS:
                raise BenchError("%s made %d downstream calls, not %d" % (name, calls_made, DOWNSTREAM_CALLS))
            runs[name].append({"wall_s": wall, "play_s": data["end"] - data["start"], "logins": stats["logins"],
                               "logouts": stats["logouts"], "open_sessions": stats["open_sessions"],
                               "requests": stats["requests"], "connections": stats["connections"]})
    out = {}
    for name, items in runs.items():
        out[name] = dict((field, median([item[field] for item in items]))
                         for field in ("wall_s", "play_s", "logins", "logouts", "open_sessions", "requests",
                                       "connections"))
        out[name]["runs"] = items
    out["ratio_wall"] = out["role"]["wall_s"] / out["per_task_login"]["wall_s"]
    return out


def fleet_inventory(lab, count):
    # Aliases of the local machine stand in for an inventory of VMs: the role's logins run on the controller, and the
    # downstream call only needs somewhere to run.
    lines = ["[fleet]"] + ["bench-host-%03d ansible_host=127.0.0.1" % i for i in range(count)]
    return lab.write("fleet-%d.ini" % count, "\n".join(lines) + "\n")


def fleet_run(lab, path, inventory, count):
    """One role play over ``count`` hosts: wall time, the role's share of it, and the simulator's counters."""
    lab.reset("vapi")
    wall, data, rc = lab.playbook(path, inventory=inventory, forks=FLEET_FORKS, expect_ok=False)
    stats = lab.stats("vapi")
    failed_hosts = sum(1 for s in data["stats"].values() if s.get("failures") or s.get("unreachable"))
    if rc != 0 and not failed_hosts:
        raise BenchError("the fleet play over %d hosts exited %d without a failed host" % (count, rc))
    calls = [r for r in data["tasks"] if r["task"].endswith(FLEET_CALL) and r["status"] == "ok"]
    play_s = data["end"] - data["start"]
    # The linear strategy runs one task on every host before the next task, so the downstream call's span is the
    # user's own share of the play; everything else is the role's (logins, planning, facts, logouts).
    downstream_s = (max(r["end"] for r in calls) - min(r["start"] for r in calls)) if calls else 0.0
    return {"wall_s": wall, "play_s": play_s, "downstream_s": downstream_s,
            "overhead_per_host_s": (play_s - downstream_s) / count, "failed_hosts": failed_hosts,
            "downstream_calls": len(calls), "hosts_done": len(data["stats"]), "logins": stats["logins"],
            "logouts": stats["logouts"], "peak_sessions": stats["peak_sessions"],
            "open_sessions": stats["open_sessions"], "failed_logins": stats["failed_logins"]}


def bench_fleet(lab, sizes):
    """3. The role over a fleet, one downstream call per host: one shared session per endpoint (the default) beside
    one session per host (session_share: false). ``sizes``: (hosts, runs of each play)."""
    calls_file = lab.write("fleet_tasks.yml", "---\n" + task("downstream", FLEET_CALL))
    plays = (("shared", lab.write("fleet_shared.yml", role_play("fleet", calls_file))),
             ("per_host", lab.write("fleet_per_host.yml", role_play("fleet", calls_file, share=False))))
    out = {}
    for count, repeats in sizes:
        inventory = fleet_inventory(lab, count)
        runs = dict((name, []) for name, _path in plays)
        log("3/4 fleet: %d hosts, forks %d, shared and per-host sessions, %d runs each"
            % (count, FLEET_FORKS, repeats))
        for rnd in range(repeats):
            for name, path in (plays if rnd % 2 == 0 else plays[::-1]):
                runs[name].append(fleet_run(lab, path, inventory, count))
        item = {"hosts": count, "forks": FLEET_FORKS}
        for name, items in runs.items():
            summary = dict((field, median([i[field] for i in items]))
                           for field in ("wall_s", "play_s", "downstream_s", "overhead_per_host_s", "logins",
                                         "logouts", "downstream_calls"))
            # Counts are the same run after run; the worst run is what a limit would have to allow.
            summary.update((field, max(i[field] for i in items))
                           for field in ("peak_sessions", "open_sessions", "failed_logins"))
            summary["failures"] = sum(i["failed_hosts"] for i in items)
            summary["runs"] = items
            item[name] = summary
        item["ratio_wall"] = item["shared"]["wall_s"] / item["per_host"]["wall_s"]
        item["ratio_overhead"] = item["shared"]["overhead_per_host_s"] / item["per_host"]["overhead_per_host_s"]
        out[str(count)] = item
    return out


def _ansiballz_payload(path):
    """(file size, zipped module_utils files, their uncompressed size) of a kept AnsiballZ_*.py."""
    text = path.read_text()
    blob = max(re.findall(r"[A-Za-z0-9+/=]{1000,}", text), key=len)
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(blob))) as archive:
        infos = archive.infolist()
    return len(text.encode("utf-8")), len(infos), sum(i.file_size for i in infos), sorted(i.filename for i in infos)


def bench_anatomy(lab, repeats):
    """4. Payload size, requests and TCP connections per login, and module_utils import time."""
    log("4/4 where a task's time goes: payload, connections, import time")
    remote_tmp = lab.work / "remote-tmp"
    text = PLAY_HEADER % ("Payload and connections per login", "localhost")
    measured = (("vapi", "vapi_session", ""), ("vapi", "vapi_session", "\n        session_info: false"),
                ("vapi", "uri_vapi", ""), ("h4", "h4_session", ""), ("h4", "uri_h4", ""))
    for i, (kind, name, extra) in enumerate(measured):
        text += task("sim", "reset %d" % i, kind=kind, what="reset", method="POST", register="ignored_%d" % i)
        text += task(name, "measured %d" % i, extra=extra)
        text += task("sim", "stats %d" % i, kind=kind, what="stats", method="GET", register="stats_%d" % i)
    text += "\n    - name: Save the counters\n      ansible.builtin.copy:\n        dest: \"%s\"\n        content: \"{{ %s | to_json }}\"\n" % (
        lab.work / "counters.json", "[" + ", ".join("stats_%d.json" % i for i in range(len(measured))) + "]")
    path = lab.write("anatomy.yml", text)
    lab.playbook(path, extra_env={"ANSIBLE_KEEP_REMOTE_FILES": "1", "ANSIBLE_REMOTE_TMP": str(remote_tmp),
                                  "ANSIBLE_PIPELINING": "False"})
    counters = json.loads((lab.work / "counters.json").read_text())
    labels = ("vapi_session", "vapi_session session_info=false", "uri POST /api/session", "h4_session",
              "uri POST /sessions")
    per_login = {}
    for label, stats in zip(labels, counters):
        # The stats task's own connection is counted too.
        per_login[label] = {"requests": stats["requests"], "connections": stats["connections"] - 1,
                            "logins": stats["logins"]}
    payloads, kept = {}, {}
    for module in ("vapi_session", "h4_session", "uri"):
        # The uri module also ran the /_sim/ calls: keep the login's file, which names /api/session.
        found = [f for f in sorted(remote_tmp.rglob("AnsiballZ_%s.py" % module))
                 if module != "uri" or "/api/session" in f.read_text()]
        if not found:
            raise BenchError("no AnsiballZ_%s.py was kept in %s" % (module, remote_tmp))
        kept[module] = found[0]
        size, files, unzipped, names = _ansiballz_payload(found[0])
        payloads[module] = {"bytes": size, "zip_files": files, "unzipped_bytes": unzipped,
                            "collection_files": [n for n in names if "sessionkit" in n]}
    module_runs = ansiballz_runs(lab, kept, repeats)
    shutil.rmtree(str(remote_tmp), ignore_errors=True)
    return {"per_login": per_login, "payload": payloads, "module_process": module_runs,
            "imports": import_times(lab, repeats)}


def _top_level_cumulative(stderr, prefix):
    """Milliseconds of the outermost imports whose names start with ``prefix``, from -X importtime output."""
    found = []
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)", line)
        if match and match.group(4).startswith(prefix):
            found.append((len(match.group(3)), int(match.group(2))))
    if not found:
        return None
    depth = min(entry[0] for entry in found)
    return sum(us for d, us in found if d == depth) / 1000.0


def ansiballz_runs(lab, kept, repeats):
    """Run each kept AnsiballZ file as ansible would (one python process, the payload unzipped and compiled afresh),
    interleaved: the process's wall time, and how long importing the module's own HTTP stack took inside it."""
    prefixes = {"vapi_session": "ansible_collections.sessionkit", "h4_session": "ansible_collections.sessionkit",
                "uri": "ansible.module_utils.urls"}
    samples = dict((m, {"wall": [], "cpu": [], "imports": []}) for m in kept)
    scratch = lab.work / "ansiballz-runs"
    scratch.mkdir(exist_ok=True)
    for rnd in range(repeats + 1):
        for module, path in kept.items():
            start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            result = subprocess.run([lab.python, "-X", "importtime", str(path)], cwd=str(scratch),
                                    env=dict(os.environ, TMPDIR=str(scratch)), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, check=False)
            wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
            # CPU seconds of the module process: much steadier than wall time on a busy machine.
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if result.returncode != 0 or '"failed": true' in result.stdout:
                raise BenchError("AnsiballZ_%s.py failed: %s" % (module, result.stdout[-500:] + result.stderr[-500:]))
            if rnd == 0:
                continue  # warms the page cache
            samples[module]["wall"].append(wall)
            samples[module]["cpu"].append(cpu)
            samples[module]["imports"].append(_top_level_cumulative(result.stderr, prefixes[module]))
    return dict((m, {"process_s": median(v["wall"]), "process_cpu_s": median(v["cpu"]),
                     "http_stack_import_ms": median(v["imports"]),
                     "imports_of": prefixes[m]}) for m, v in samples.items())


IMPORT_TARGETS = {
    "vapi_session module_utils": NS + "._vapi",
    "h4_session module_utils": NS + "._h4",
    "uri's ansible.module_utils.urls": "ansible.module_utils.urls",
}


def _importtime(lab, target):
    """{module: cumulative µs} for one cold import of ``target`` in a fresh interpreter (bytecode already cached)."""
    env = dict(os.environ, PYTHONPATH="%s" % lab.collections, PYTHONDONTWRITEBYTECODE="")
    env.pop("PYTHONSTARTUP", None)
    # A module imports AnsibleModule first; what it imports after that is what its own HTTP stack costs.
    result = subprocess.run([lab.python, "-X", "importtime", "-c",
                             "import ansible.module_utils.basic\nimport %s" % target], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    cumulative = {}
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)", line)
        if match:
            cumulative[match.group(4)] = int(match.group(2))
    return cumulative


def import_times(lab, repeats):
    # The interpreter's own start-up imports (encodings, site...) are there with or without the target; the figure is
    # the target's cumulative time. One untimed run compiles the bytecode.
    out = {}
    for label, target in IMPORT_TARGETS.items():
        _importtime(lab, target)
    samples = dict((label, []) for label in IMPORT_TARGETS)
    for _round in range(repeats):
        for label, target in IMPORT_TARGETS.items():
            samples[label].append(_importtime(lab, target))
    for label, target in IMPORT_TARGETS.items():
        runs = samples[label]
        parts = {"total_ms": median([r.get(target, 0) for r in runs]) / 1000.0}
        for name in ("requests", "ansible.module_utils.basic", "ipaddress", "gzip", "secrets", "email.utils",
                     "http.client", "ssl"):
            value = median([r.get(name) for r in runs])
            if value is not None:
                parts[name + "_ms"] = value / 1000.0
        out[label] = parts
    return out


# ------------------------------------------------------------------------------------------------ report


def table_rows(results):
    """(section, measure, A, B, ratio) rows for the printed table and the RST table."""
    rows = []
    for key in (pair[0] for pair in LOGIN_PAIRS if pair[0] in results["login"]):
        item = results["login"][key]
        rows.append(("1 login task", "%s vs uri: median task s" % item["label"], "%.3f" % item["module_s"],
                     "%.3f" % item["uri_s"], "%.2f" % item["ratio"]))
        rows.append(("1 login task", "%s vs uri: median module process CPU s" % item["label"],
                     "%.3f" % item["module_cpu_s"], "%.3f" % item["uri_cpu_s"], "%.2f" % item["cpu_ratio"]))
    down = results["downstream"]
    role, per = down["role"], down["per_task_login"]
    rows.append(("2 play, %d calls" % DOWNSTREAM_CALLS, "role vs per-task login: wall s", "%.2f" % role["wall_s"],
                 "%.2f" % per["wall_s"], "%.2f" % down["ratio_wall"]))
    rows.append(("2 play, %d calls" % DOWNSTREAM_CALLS, "logins counted by the simulator", "%d" % role["logins"],
                 "%d" % per["logins"], "%.2f" % (role["logins"] / per["logins"])))
    rows.append(("2 play, %d calls" % DOWNSTREAM_CALLS, "sessions left open", "%d" % role["open_sessions"],
                 "%d" % per["open_sessions"], "-"))
    for count, item in sorted(results["fleet"].items(), key=lambda pair: int(pair[0])):
        shared, per_host = item["shared"], item["per_host"]
        section = "3 fleet, %s hosts" % count
        rows.append((section, "shared vs per-host sessions: wall s", "%.1f" % shared["wall_s"],
                     "%.1f" % per_host["wall_s"], "%.2f" % item["ratio_wall"]))
        rows.append((section, "role overhead per host, s", "%.3f" % shared["overhead_per_host_s"],
                     "%.3f" % per_host["overhead_per_host_s"], "%.2f" % item["ratio_overhead"]))
        for label, field in (("logins", "logins"), ("logouts", "logouts"), ("peak open sessions", "peak_sessions"),
                             ("failed hosts, all runs", "failures")):
            rows.append((section, label, "%d" % shared[field], "%d" % per_host[field], "-"))
    anatomy = results["anatomy"]
    for module in ("vapi_session", "h4_session"):
        rows.append(("4 anatomy", "AnsiballZ bytes: %s vs uri" % module, "%d" % anatomy["payload"][module]["bytes"],
                     "%d" % anatomy["payload"]["uri"]["bytes"],
                     "%.2f" % (anatomy["payload"][module]["bytes"] / anatomy["payload"]["uri"]["bytes"])))
    procs = anatomy["module_process"]
    for module in ("vapi_session", "h4_session"):
        rows.append(("4 anatomy", "module process CPU s (AnsiballZ run alone): %s vs uri" % module,
                     "%.3f" % procs[module]["process_cpu_s"], "%.3f" % procs["uri"]["process_cpu_s"],
                     "%.2f" % (procs[module]["process_cpu_s"] / procs["uri"]["process_cpu_s"])))
        rows.append(("4 anatomy", "of which HTTP stack imports, ms: module_utils vs uri's urls",
                     "%.1f" % procs[module]["http_stack_import_ms"], "%.1f" % procs["uri"]["http_stack_import_ms"],
                     "%.2f" % (procs[module]["http_stack_import_ms"] / procs["uri"]["http_stack_import_ms"])))
    uri_import = anatomy["imports"]["uri's ansible.module_utils.urls"]["total_ms"]
    for label in ("vapi_session module_utils", "h4_session module_utils"):
        item = anatomy["imports"][label]
        rows.append(("4 anatomy", "import ms after basic: %s vs uri's urls (requests: %.1f ms)" % (label, item.get("requests_ms", 0)),
                     "%.1f" % item["total_ms"], "%.1f" % uri_import, "%.2f" % (item["total_ms"] / uri_import)))
    for label, item in anatomy["per_login"].items():
        rows.append(("4 anatomy", "%s: TCP connections / requests" % label, "%d" % item["connections"],
                     "%d" % item["requests"], "-"))
    return rows


HEADERS = ("benchmark", "measure", "A", "B", "A/B")


def format_table(rows):
    widths = [max(len(str(r[i])) for r in rows + [HEADERS]) for i in range(len(HEADERS))]
    line = "  ".join("%-*s" % (w, h) for w, h in zip(widths, HEADERS))
    out = [line, "  ".join("-" * w for w in widths)]
    for row in rows:
        out.append("  ".join(("%-*s" if i < 2 else "%*s") % (w, v) for i, (w, v) in enumerate(zip(widths, row))))
    return "\n".join(out)


def rst_table(rows):
    widths = [max(len(str(r[i])) for r in rows + [HEADERS]) for i in range(len(HEADERS))]
    border = "  ".join("=" * w for w in widths)
    out = [border, "  ".join("%-*s" % (w, h) for w, h in zip(widths, HEADERS)), border]
    for row in rows:
        out.append("  ".join("%-*s" % (w, v) for w, v in zip(widths, row)).rstrip())
    out.append(border)
    return "\n".join(out)


def draw_chart(python_for_chart, json_path, png_path):
    subprocess.run([python_for_chart, str(BENCH / "chart.py"), str(json_path), str(png_path)], check=True)


def chart_python():
    """The python of .venv-bench (made on first use, with matplotlib from PyPI)."""
    venv = Path(os.environ.get("BENCH_VENV", str(ROOT / ".venv-bench")))
    python = venv / "bin" / "python"
    if python.exists() and subprocess.call([str(python), "-c", "import matplotlib"], stderr=subprocess.DEVNULL) == 0:
        return str(python)
    log("creating %s with matplotlib" % venv)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "matplotlib"],
                   check=True)
    return str(python)


def update_docs(rows):
    """Put the table between the markers in performance.rst (the chart stays in benchmarks/results: the docsite
    build copies only .rst files)."""
    rst = DOCS_RST / "performance.rst"
    text = rst.read_text()
    start, end = ".. bench-table-start", ".. bench-table-end"
    if start not in text or end not in text:
        raise BenchError("%s has no %s / %s markers" % (rst, start, end))
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    rst.write_text(head + start + "\n\n" + rst_table(rows) + "\n\n" + end + tail)
    log("updated %s" % rst.relative_to(ROOT))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", 5)))
    parser.add_argument("--play-repeats", type=int, default=int(os.environ.get("BENCH_PLAY_REPEATS", 3)),
                        help="runs of each pattern of the play with 20 downstream calls")
    parser.add_argument("--fleet-hosts", default=os.environ.get("BENCH_FLEET_HOSTS", "50,200"),
                        help="the fleet sizes, comma-separated")
    parser.add_argument("--fleet-repeats", default=os.environ.get("BENCH_FLEET_REPEATS", "3,1"),
                        help="runs of each fleet play (shared and per-host): one number for every size, or one per "
                             "size in the order of --fleet-hosts")
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument("--no-chart", action="store_true")
    parser.add_argument("--only", help="a comma-separated subset of login,downstream,fleet,anatomy (no table)")
    parser.add_argument("--update-docs", action="store_true", help="also refresh docs/docsite/rst/performance.rst")
    args = parser.parse_args(argv)
    host_counts = [int(x) for x in args.fleet_hosts.split(",") if x.strip()]
    fleet_repeats = [int(x) for x in args.fleet_repeats.split(",") if x.strip()]
    if len(fleet_repeats) == 1:
        fleet_repeats *= len(host_counts)
    if len(fleet_repeats) != len(host_counts) or min(fleet_repeats + host_counts) < 1:
        parser.error("--fleet-repeats needs one positive number, or one for each of the %d fleet sizes"
                     % len(host_counts))
    fleet_sizes = list(zip(host_counts, fleet_repeats))

    began = time.time()
    work = tempfile.mkdtemp(prefix="sessionkit-bench.")
    lab = Lab(work, sys.executable)
    try:
        lab.start()
        lab.install_collection()
        lab.write_vars()
        benches = {
            "login": lambda: bench_login(lab, args.repeats),
            "downstream": lambda: bench_downstream(lab, args.play_repeats),
            "fleet": lambda: bench_fleet(lab, fleet_sizes),
            "anatomy": lambda: bench_anatomy(lab, args.repeats),
        }
        only = set(args.only.split(",")) if args.only else set(benches)
        results = dict((name, run()) for name, run in benches.items() if name in only)
    except (BenchError, subprocess.CalledProcessError, OSError) as error:
        log("FAILED: %s" % error)
        log("work directory kept for inspection: %s" % work)
        return 1
    finally:
        lab.stop()
    shutil.rmtree(work, ignore_errors=True)

    from ansible.release import __version__ as ansible_core_version

    results["meta"] = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "python": platform.python_version(),
        "ansible_core": ansible_core_version,
        "cpus": os.cpu_count(), "load_average": os.getloadavg(), "repeats": args.repeats,
        "play_repeats": args.play_repeats, "fleet_repeats": dict((str(c), r) for c, r in fleet_sizes),
        "bench_seconds": round(time.time() - began, 1),
    }
    if args.only:
        output = Path(args.output)
        output.mkdir(parents=True, exist_ok=True)
        (output / "partial.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        print(json.dumps(results, indent=1, sort_keys=True))
        return 0
    rows = table_rows(results)
    results["table"] = [dict(zip(HEADERS, row)) for row in rows]
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    json_path = output / "latest.json"
    json_path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print()
    print("sessionkit.vmware benchmark, %s: medians of %d runs (20-call play: %d; fleet: %s), load average %.1f on "
          "%d CPUs" % (results["meta"]["date"], args.repeats, args.play_repeats,
                       ", ".join("%d for %d hosts" % (r, c) for c, r in fleet_sizes), os.getloadavg()[0],
                       os.cpu_count()))
    print(format_table(rows))
    print()
    status = 0
    if not args.no_chart:
        png = output / "latest.png"
        try:
            draw_chart(chart_python(), json_path, png)
            print("wrote %s and %s" % (json_path, png))
        except (subprocess.CalledProcessError, OSError) as error:
            log("FAILED to draw the chart: %s" % error)
            status = 1
    else:
        print("wrote %s" % json_path)
    if args.update_docs:
        try:
            update_docs(rows)
        except (BenchError, OSError) as error:
            log("FAILED to update the docs: %s" % error)
            status = 1
    failures = sum(item[name]["failures"] for item in results["fleet"].values() for name in ("shared", "per_host"))
    if failures:
        log("FAILED: %d host run(s) failed in the fleet benchmark" % failures)
        status = 1
    print("bench took %.0f s" % (time.time() - began))
    return status


if __name__ == "__main__":
    sys.exit(main())
