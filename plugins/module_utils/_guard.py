# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Private to sessionkit.vmware (may change in any release): guarded sessions: their records, their run, and their guard.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc
import hashlib
import json
import os
import signal
import time

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.warnings import warn

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import OptionError, SessionApiError

DEFAULT_GUARD_DIR = "~/.ansible/sessionkit"
RECORD_SUFFIX = ".json"
# How often a guard looks at its owner and its record: often enough to log out within a second of the run's end,
# rarely enough to cost nothing measurable (two small reads per poll).
POLL_SECONDS = 0.25
# A module runs as: main process -> forked worker (same command line) -> optionally /bin/sh -c -> module python.
MAX_ANCESTORS = 8
_SHIELDED_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
_ANSIBLE_PROGRAMS = ("ansible", "ansible-playbook", "ansible-console", "ansible-pull")


def guard_dir_option():
    """Where the records of guarded sessions live; session_cleanup's only option."""
    return dict(guard_dir=dict(type="path", default=DEFAULT_GUARD_DIR, fallback=(env_fallback, ["SESSIONKIT_GUARD_DIR"])))


def guard_options():
    """What a session leaves behind: the fact, and the guard that logs out a session whose run ended early."""
    return dict(guard_dir_option(), set_facts=dict(type="bool", default=True), guard=dict(type="bool", default=False))


def record_id(api, token):
    """The name of a session's record: a one-way hash, so that a directory listing shows no token."""
    return hashlib.sha256(("%s\0%s" % (api, token)).encode("utf-8")).hexdigest()[:32]


# ----- processes


def _read(path, mode="r"):
    try:
        with open(path, mode) as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def process_identity(pid, proc="/proc"):
    """(pid, start time in clock ticks since boot) of a live process, or None when it is gone or a zombie.

    The start time tells a process from a later one that was given the same pid.
    """
    stat = _read("%s/%d/stat" % (proc, pid))
    if not stat:
        return None
    # The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are plain.
    fields = stat[stat.rfind(")") + 2:].split()
    if len(fields) < 20 or fields[0] in ("Z", "X", "x"):
        return None
    return {"pid": pid, "start": int(fields[19])}


def parent_pid(pid, proc="/proc"):
    stat = _read("%s/%d/stat" % (proc, pid))
    if not stat:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return int(fields[1]) if len(fields) > 1 else None


def _command_line(pid, proc):
    raw = _read("%s/%d/cmdline" % (proc, pid), "rb")
    return raw.split(b"\0") if raw else []


def _runs_ansible(command_line):
    """Whether a command line is an ansible program, started directly or through its Python interpreter."""
    for arg in command_line[:2]:
        if os.path.basename(arg.decode("utf-8", "replace")) in _ANSIBLE_PROGRAMS:
            return True
    return False


def find_owner(start_pid=None, proc="/proc"):
    """The identity of the ansible-playbook (or ansible) process that runs this module, or None where there is none.

    The first ancestor running an ansible program is the worker that forked off for this task; its parent, when it
    has the same command line, is the main process, whose end is the end of the run.
    """
    pid = os.getppid() if start_pid is None else start_pid
    for _level in range(MAX_ANCESTORS):
        if not pid or pid <= 1:
            return None
        command_line = _command_line(pid, proc)
        if _runs_ansible(command_line):
            parent = parent_pid(pid, proc)
            if parent and parent > 1 and _command_line(parent, proc) == command_line:
                pid = parent
            return process_identity(pid, proc)
        pid = parent_pid(pid, proc)
    return None


def is_alive(identity, proc="/proc"):
    """Whether the process recorded as ``identity`` still runs (not a later one with the same pid)."""
    return bool(identity) and process_identity(identity["pid"], proc) == identity


def host_identity(proc="/proc"):
    """Which boot and pid namespace the pids in a record belong to."""
    boot = (_read("%s/sys/kernel/random/boot_id" % proc) or "").strip()
    try:
        namespace = os.readlink("%s/self/ns/pid" % proc)
    except OSError:
        namespace = ""
    return {"boot_id": boot, "pid_ns": namespace}


# ----- records


def _write_private(path, data):
    """Write ``data`` to ``path`` through a temporary file created 0600, so that no one else can read it at any
    moment, and a reader never sees half a record."""
    temporary = os.path.join(os.path.dirname(path), ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            json.dump(data, handle)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def make_guard_dir(guard_dir):
    """Create ``guard_dir`` 0700 if needed; OptionError when it is not a private directory of this user."""
    try:
        os.makedirs(guard_dir, 0o700)
    except OSError:
        pass
    try:
        info = os.lstat(guard_dir)
    except OSError:
        raise OptionError("guard_dir '%s' cannot be created: give a directory this user can write, or set "
                          "guard: false" % guard_dir)
    if not os.path.isdir(guard_dir) or os.path.islink(guard_dir) or info.st_uid != os.getuid() \
            or info.st_mode & 0o077:
        raise OptionError("guard_dir '%s' is not a directory private to this user (mode 0700, not a link): it would "
                          "hold session tokens; fix its owner and mode, or choose another guard_dir" % guard_dir)


class Record(object):
    """One guarded session on disk: ``<guard_dir>/<id>.json``, mode 0600, holding what its logout needs."""

    def __init__(self, guard_dir, data):
        self.guard_dir = guard_dir
        self.data = data

    @property
    def path(self):
        return os.path.join(self.guard_dir, record_id(self.data["api"], self.data["token"]) + RECORD_SUFFIX)

    def save(self):
        _write_private(self.path, self.data)

    def remove(self):
        try:
            os.unlink(self.path)
        except OSError:
            pass

    def exists(self):
        return os.path.exists(self.path)

    def is_stale(self, here, proc="/proc"):
        """Whether the run that opened this session has ended and no guard looks after it any more.

        Pids from another boot are all dead; pids from another pid namespace cannot be judged here, so such a
        record counts as still owned.
        """
        if self.data.get("host", {}).get("boot_id") != here["boot_id"]:
            return True
        if self.data.get("host", {}).get("pid_ns") != here["pid_ns"]:
            return False
        return not is_alive(self.data.get("owner"), proc) and not is_alive(self.data.get("guard"), proc)


def read_records(guard_dir, api=None):
    """(records, names of unreadable files) in ``guard_dir``, only those of ``api`` when it is given."""
    records, unreadable = [], []
    try:
        names = sorted(os.listdir(guard_dir))
    except OSError:
        return records, unreadable
    for name in names:
        if not name.endswith(RECORD_SUFFIX) or name.startswith("."):
            continue
        try:
            with open(os.path.join(guard_dir, name)) as handle:
                data = json.load(handle)
            if not isinstance(data, dict) or not isinstance(data.get("token"), str) or "api" not in data:
                raise ValueError(name)
        except (IOError, OSError, ValueError):
            unreadable.append(name)
            continue
        if api is None or data["api"] == api:
            records.append(Record(guard_dir, data))
    return records, unreadable


def log_out_record(record, logouts):
    """Log out a record's session with ``logouts[api](connection, token)``; 'logged_out', 'already_gone' or
    'failed'. The record is removed unless the logout failed, so that a later sweep can try again."""
    try:
        ended = logouts[record.data["api"]](record.data["connection"], record.data["token"])
    except (OptionError, SessionApiError, KeyError, TypeError, ValueError):
        return "failed"
    record.remove()
    return "logged_out" if ended else "already_gone"


def sweep(guard_dir, logouts, api=None, check_mode=False, proc="/proc"):
    """Log out every stale record of ``api`` (all APIs when None) in ``guard_dir``: counts of what happened.

    A record whose run still goes, or whose guard still watches, is never touched: two runs at once must not end
    each other's sessions.
    """
    counts = {"logged_out": 0, "already_gone": 0, "failed": 0, "owned": 0, "stale": 0}
    records, unreadable = read_records(guard_dir, api)
    counts["failed"] += len(unreadable)
    here = host_identity(proc)
    for record in records:
        if not record.is_stale(here, proc):
            counts["owned"] += 1
            continue
        counts["stale"] += 1
        if not check_mode:
            counts[log_out_record(record, logouts)] += 1
    return counts


# ----- the guard


class _Shield(object):
    """Ignore SIGINT, SIGTERM and SIGHUP while a session is opened and recorded, so that an interruption cannot
    leave a session open on the server with no record of it; the signal is not replayed: the guard takes over.
    On the way out, the guard is let go, so that one whose login failed exits."""

    def __init__(self, guard):
        self.guard = guard

    def __enter__(self):
        self.saved = []
        for number in _SHIELDED_SIGNALS:
            try:
                self.saved.append((number, signal.signal(number, signal.SIG_IGN)))
            except (ValueError, OSError):
                pass  # not the main thread, or a signal this platform will not let us change
        return self

    def __exit__(self, *exc):
        self.guard.close()
        for number, handler in self.saved:
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        return False


def _detach(keep):
    """In the guard: let go of every inherited descriptor but ``keep``, first of all the module's output pipes, so
    that ansible does not wait for the guard's end of them (the guard left the run's session and process group
    before, out of a Ctrl-C's reach)."""
    null = os.open(os.devnull, os.O_RDWR)
    for number in (0, 1, 2):
        if number != null:
            os.dup2(null, number)
    try:
        descriptors = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        descriptors = range(3, 1024)
    for number in descriptors:
        if number > 2 and number != keep:
            try:
                os.close(number)
            except OSError:
                pass
    # An object of the module's that held a closed descriptor must never be finalized, or it would close a reused
    # number under the guard's own connection: the module's objects stay referenced from this stack, and with the
    # cycle collector off, nothing finalizes them. (A full collection would also cost the guard tens of ms of CPU.)
    gc.disable()


def _watch(guard_dir, logout, handover, poll=POLL_SECONDS):
    """The guard's life: receive the session's record, then wait for the record to go (a normal logout) or the
    owner to end (log out). Nothing received (the login failed, or its record could not be written): exit."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with os.fdopen(handover, "rb") as pipe:
        text = pipe.read()
    if not text:
        return
    record = Record(guard_dir, json.loads(text.decode("utf-8")))
    while record.exists():
        if not is_alive(record.data["owner"]):
            if record.exists():
                log_out_record(record, {record.data["api"]: logout})
            return
        time.sleep(poll)


def fork_guard(guard_dir, logout):
    """Start a guard before the login: (its identity, the pipe to hand it the record on).

    Forked before the login so that the guard leaves the module's output pipes (which ansible reads to their end)
    while the login is on the wire, not after the module's answer. One fork, not the classic two: the module exits
    within seconds, after which init adopts (and reaps) the guard. Everything the guard calls must be imported
    before this point, because the module's files are deleted once the module returns.
    """
    read_end, write_end = os.pipe()
    try:
        guard = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        raise
    if guard == 0:
        try:
            os.close(write_end)
            os.setsid()
            _detach(read_end)
            _watch(guard_dir, logout, read_end)
        finally:
            os._exit(0)
    os.close(read_end)
    return process_identity(guard), os.fdopen(write_end, "wb")


class SessionGuard(object):
    """The module's side of the guard, for one API: where records live, what logs a session out, and the guard
    forked for the login under way."""

    def __init__(self, api, params, logout):
        self.api = api
        self.enabled = params["guard"]
        self.guard_dir = params["guard_dir"]
        self.logout = logout
        self.owner = None
        self.guard = None
        self.handover = None

    def prepare(self):
        """Before a login: find the run that owns it, sweep the stale records of this API, and fork the guard."""
        if not self.enabled:
            return
        self.owner = find_owner()
        if self.owner is None:
            warn("guard: true has no effect here: no ansible-playbook process was found among this module's parents "
                 "(the module runs on a remote host, or not on Linux); an interrupted run leaves this session open")
            return
        make_guard_dir(self.guard_dir)
        sweep(self.guard_dir, {self.api: self.logout}, self.api)
        try:
            self.guard, self.handover = fork_guard(self.guard_dir, self.logout)
        except (IOError, OSError) as error:
            self._not_guarded(error)

    def _not_guarded(self, error):
        warn("guard: the session could not be guarded (%s): nothing logs it out if the run is interrupted; check "
             "that guard_dir '%s' can be written and that this user may start another process"
             % (error.strerror or error, self.guard_dir))

    def shield(self):
        return _Shield(self)

    def start(self, token, connection):
        """Record a session this module just opened, and hand the record to its guard."""
        if self.handover is None:
            return
        record = Record(self.guard_dir, {"api": self.api, "connection": connection, "token": token,
                                         "owner": self.owner, "guard": self.guard, "host": host_identity(),
                                         "opened": int(time.time())})
        try:
            record.save()
            self.handover.write(json.dumps(record.data).encode("utf-8"))
        except (IOError, OSError) as error:
            record.remove()
            self._not_guarded(error)
        self.close()

    def close(self):
        """Let the guard go: with nothing handed over (a failed login), it exits."""
        if self.handover is not None:
            try:
                self.handover.close()
            except (IOError, OSError):
                pass  # the guard is gone; its record, if any, is the sweep's
            self.handover = None

    def forget(self, token):
        """After a logout: remove the session's record, which ends its guard without a second logout."""
        Record(self.guard_dir, {"api": self.api, "token": token}).remove()
