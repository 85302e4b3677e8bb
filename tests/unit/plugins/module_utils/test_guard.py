# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Unit tests for the guard's owner detection (on a fake /proc tree, and on this very process) and its records.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import subprocess
import sys

import pytest

from ansible_collections.sessionkit.vmware.plugins.module_utils import _guard
from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import OptionError, SessionApiError

PLAYBOOK = [b"/venv/bin/python3.13", b"/venv/bin/ansible-playbook", b"-i", b"inv", b"site.yml"]
SHELL = [b"/bin/sh", b"-c", b"/venv/bin/python3.13 /home/me/.ansible/tmp/x/AnsiballZ_vapi_session.py && sleep 0"]
MODULE = [b"/venv/bin/python3.13", b"/home/me/.ansible/tmp/x/AnsiballZ_vapi_session.py"]


class FakeProc(object):
    """A /proc tree with the stat and cmdline files of made-up processes."""

    def __init__(self, root):
        self.root = root
        (root / "sys" / "kernel" / "random").mkdir(parents=True)
        (root / "sys" / "kernel" / "random" / "boot_id").write_text("boot-1\n")

    def add(self, pid, parent, command_line, start=1000, state="S", name="python3 (x)"):
        directory = self.root / str(pid)
        directory.mkdir()
        # Field 22 (start time) is the 20th after the command name; a name with ") (" must not confuse the parser.
        rest = [state, str(parent)] + ["0"] * 17 + [str(start)] + ["0"] * 10
        (directory / "stat").write_text("%d (%s) %s\n" % (pid, name, " ".join(rest)))
        (directory / "cmdline").write_bytes(b"\0".join(command_line) + b"\0")

    @property
    def path(self):
        return str(self.root)


@pytest.fixture
def proc(tmp_path):
    return FakeProc(tmp_path / "proc")


def test_the_owner_is_the_main_process_above_the_forked_worker(proc):
    proc.add(100, 1, PLAYBOOK, start=500)
    proc.add(200, 100, PLAYBOOK, start=700)
    proc.add(300, 200, SHELL)
    proc.add(400, 300, MODULE)
    assert _guard.find_owner(300, proc.path) == {"pid": 100, "start": 500}


def test_without_a_shell_between_the_owner_is_still_the_main_process(proc):
    proc.add(100, 1, PLAYBOOK, start=500)
    proc.add(200, 100, PLAYBOOK, start=700)
    assert _guard.find_owner(200, proc.path) == {"pid": 100, "start": 500}


def test_a_worker_whose_parent_runs_something_else_is_its_own_owner(proc):
    proc.add(50, 1, [b"bash"])
    proc.add(200, 50, [b"/usr/bin/ansible", b"localhost", b"-m", b"sessionkit.vmware.vapi_session"], start=700)
    proc.add(300, 200, SHELL)
    assert _guard.find_owner(300, proc.path) == {"pid": 200, "start": 700}


def test_there_is_no_owner_without_an_ansible_ancestor(proc):
    proc.add(50, 1, [b"/usr/sbin/sshd", b"-D"])
    proc.add(60, 50, [b"sshd: me@notty"])
    proc.add(70, 60, SHELL)
    assert _guard.find_owner(70, proc.path) is None


def test_a_program_merely_named_like_ansible_in_an_argument_is_not_an_owner(proc):
    proc.add(60, 1, [b"/usr/bin/python3", b"/opt/tool.py", b"ansible-playbook"])
    proc.add(70, 60, SHELL)
    assert _guard.find_owner(70, proc.path) is None


def test_a_zombie_is_dead_and_a_reused_pid_is_not_the_same_process(proc):
    proc.add(100, 1, PLAYBOOK, start=500, state="Z")
    proc.add(101, 1, PLAYBOOK, start=900)
    assert _guard.process_identity(100, proc.path) is None
    assert not _guard.is_alive({"pid": 100, "start": 500}, proc.path)
    assert _guard.is_alive({"pid": 101, "start": 900}, proc.path)
    assert not _guard.is_alive({"pid": 101, "start": 500}, proc.path)
    assert not _guard.is_alive({"pid": 999, "start": 500}, proc.path)
    assert not _guard.is_alive(None, proc.path)


def test_a_command_name_with_parentheses_does_not_shift_the_fields(proc):
    proc.add(100, 1, PLAYBOOK, start=4242, name="odd) (name")
    assert _guard.process_identity(100, proc.path) == {"pid": 100, "start": 4242}


def test_this_process_is_alive_on_the_real_proc():
    identity = _guard.process_identity(os.getpid())
    assert identity["pid"] == os.getpid() and _guard.is_alive(identity)


def test_the_real_owner_of_a_child_run_through_a_fake_ansible_playbook(tmp_path):
    # A script named ansible-playbook forks a worker that runs a shell that runs python: the real process layout.
    probe = tmp_path / "probe.py"
    probe.write_text("from ansible_collections.sessionkit.vmware.plugins.module_utils import _guard\n"
                     "print(_guard.find_owner()['pid'])\n")
    script = tmp_path / "ansible-playbook"
    script.write_text("import os, subprocess, sys\n"
                      "print(os.getpid(), flush=True)\n"
                      "if os.fork() == 0:\n"
                      "    subprocess.run(['/bin/sh', '-c', sys.executable + ' ' + sys.argv[1] + ' && true'])\n"
                      "    os._exit(0)\n"
                      "os.wait()\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    run = subprocess.run([sys.executable, str(script), str(probe)], capture_output=True, text=True, env=env,
                         check=False)
    main_pid, owner_pid = run.stdout.split()
    assert owner_pid == main_pid, run.stderr


def test_the_record_name_is_a_hash_that_shows_no_token():
    name = _guard.record_id("vapi", "secret-token-1234")
    assert "secret" not in name and len(name) == 32
    assert name == _guard.record_id("vapi", "secret-token-1234")
    assert name != _guard.record_id("h4", "secret-token-1234")


def test_the_guard_dir_and_records_are_private(tmp_path):
    guard_dir = str(tmp_path / "guard")
    _guard.make_guard_dir(guard_dir)
    record = _guard.Record(guard_dir, {"api": "vapi", "token": "t-1", "connection": {}})
    record.save()
    assert stat.S_IMODE(os.stat(guard_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(record.path).st_mode) == 0o600
    assert json.loads(open(record.path).read())["token"] == "t-1"
    assert os.listdir(guard_dir) == [os.path.basename(record.path)]  # no temporary file left
    record.remove()
    record.remove()  # already gone is fine
    assert os.listdir(guard_dir) == []


def test_a_guard_dir_others_can_read_is_refused(tmp_path):
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    open_dir.chmod(0o755)
    with pytest.raises(OptionError, match="is not a directory private to this user"):
        _guard.make_guard_dir(str(open_dir))
    link = tmp_path / "link"
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    link.symlink_to(private)
    with pytest.raises(OptionError, match="is not a directory private to this user"):
        _guard.make_guard_dir(str(link))


def test_a_guard_dir_that_cannot_be_created_is_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OptionError, match="cannot be created"):
        _guard.make_guard_dir(str(blocker / "guard"))


def make_record(guard_dir, proc, api, token, owner=None, guard=None, boot="boot-1", namespace=None):
    here = _guard.host_identity(proc.path)
    data = {"api": api, "token": token, "connection": {"hostname": "h"}, "owner": owner, "guard": guard,
            "host": {"boot_id": boot, "pid_ns": here["pid_ns"] if namespace is None else namespace}}
    record = _guard.Record(guard_dir, data)
    record.save()
    return record


def test_a_sweep_logs_out_only_records_whose_run_and_guard_have_ended(tmp_path, proc):
    guard_dir = str(tmp_path / "guard")
    _guard.make_guard_dir(guard_dir)
    proc.add(100, 1, PLAYBOOK, start=500)
    proc.add(101, 1, MODULE, start=600)
    alive, dead = {"pid": 100, "start": 500}, {"pid": 100, "start": 1}
    guard_alive = {"pid": 101, "start": 600}
    make_record(guard_dir, proc, "vapi", "owned", owner=alive)
    make_record(guard_dir, proc, "vapi", "watched", owner=dead, guard=guard_alive)
    make_record(guard_dir, proc, "vapi", "stale", owner=dead, guard={"pid": 101, "start": 2})
    make_record(guard_dir, proc, "vapi", "expired", owner=dead)
    make_record(guard_dir, proc, "vapi", "unreachable", owner=dead)
    make_record(guard_dir, proc, "vapi", "last-boot", owner=alive, guard=guard_alive, boot="boot-0")
    make_record(guard_dir, proc, "vapi", "other-namespace", owner=dead, namespace="pid:[1]")
    make_record(guard_dir, proc, "h4", "other-api", owner=dead)
    with open(os.path.join(guard_dir, "broken.json"), "w") as handle:
        handle.write("{")
    logged_out = []

    def logout(connection, token):
        assert connection == {"hostname": "h"}
        if token == "unreachable":
            raise SessionApiError("connection refused")
        logged_out.append(token)
        return token != "expired"

    counts = _guard.sweep(guard_dir, {"vapi": logout}, "vapi", check_mode=True, proc=proc.path)
    assert (counts, logged_out) == ({"logged_out": 0, "already_gone": 0, "failed": 1, "owned": 3, "stale": 4}, [])

    counts = _guard.sweep(guard_dir, {"vapi": logout}, "vapi", proc=proc.path)
    assert counts == {"logged_out": 2, "already_gone": 1, "failed": 2, "owned": 3, "stale": 4}
    assert sorted(logged_out) == ["expired", "last-boot", "stale"]
    left = sorted(r.data["token"] for r in _guard.read_records(guard_dir)[0])
    assert left == ["other-api", "other-namespace", "owned", "unreachable", "watched"]


def test_forget_removes_the_record_of_a_token_and_nothing_else(tmp_path):
    guard_dir = str(tmp_path / "guard")
    _guard.make_guard_dir(guard_dir)
    _guard.Record(guard_dir, {"api": "vapi", "token": "a"}).save()
    _guard.Record(guard_dir, {"api": "h4", "token": "b"}).save()
    params = {"guard": False, "guard_dir": guard_dir}
    _guard.SessionGuard("vapi", params, None).forget("b")
    assert len(os.listdir(guard_dir)) == 2
    _guard.SessionGuard("vapi", params, None).forget("a")
    assert [r.data["token"] for r in _guard.read_records(guard_dir)[0]] == ["b"]


def test_an_unguarded_login_writes_nothing(tmp_path):
    guard = _guard.SessionGuard("vapi", {"guard": False, "guard_dir": str(tmp_path / "guard")}, None)
    guard.prepare()
    guard.start("token", {})
    assert not (tmp_path / "guard").exists()


def run_guard_probe(tmp_path, body, guard_dir):
    """Runs BODY after making ``guard``, a guarded SessionGuard owned by the probe itself, for GUARD_DIR.

    In a process of its own: pytest runs threads, and forking a threaded process is unsafe.
    """
    script = tmp_path / "probe.py"
    script.write_text(
        "import os, sys\n"
        "from ansible_collections.sessionkit.vmware.plugins.module_utils import _guard\n"
        "_guard.warn = print\n"
        "_guard.find_owner = lambda: _guard.process_identity(os.getpid())\n"
        "guard = _guard.SessionGuard('vapi', {'guard': True, 'guard_dir': sys.argv[1]}, None)\n"
        "guard.prepare()\n" + body)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    return subprocess.run([sys.executable, str(script), str(guard_dir)], capture_output=True, text=True,
                          env=env, timeout=60, check=False)


def test_a_record_that_cannot_be_written_leaves_the_session_unguarded_and_the_guard_exits(tmp_path):
    """The guard, forked before the login, exits when it is handed no record."""
    run = run_guard_probe(tmp_path, (
        "os.rmdir(sys.argv[1])\n"
        "with guard.shield():\n"
        "    guard.start('secret-token', {})\n"
        "pid, status = os.wait()\n"
        "print('guard exited', os.WEXITSTATUS(status))\n"), tmp_path / "missing")
    assert "the session could not be guarded (No such file or directory)" in run.stdout, run.stderr
    assert "guard exited 0" in run.stdout and "secret-token" not in run.stdout
    assert not (tmp_path / "missing").exists()


def test_a_failed_login_lets_its_guard_go(tmp_path):
    run = run_guard_probe(tmp_path, (
        "try:\n"
        "    with guard.shield():\n"
        "        raise RuntimeError('login failed')\n"
        "except RuntimeError:\n"
        "    pass\n"
        "pid, status = os.wait()\n"
        "print(pid == guard.guard['pid'], os.listdir(sys.argv[1]))\n"), tmp_path / "guard")
    assert run.stdout.strip() == "True []", run.stderr


def test_without_an_owner_a_guarded_login_warns_and_writes_nothing(tmp_path, monkeypatch):
    warned = []
    monkeypatch.setattr(_guard, "warn", warned.append)
    monkeypatch.setattr(_guard, "find_owner", lambda: None)
    guard = _guard.SessionGuard("vapi", {"guard": True, "guard_dir": str(tmp_path / "guard")}, None)
    guard.prepare()
    guard.start("secret-token", {})
    assert len(warned) == 1 and "guard: true has no effect here" in warned[0]
    assert not (tmp_path / "guard").exists()
