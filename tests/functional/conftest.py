# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Fixtures for the functional tests: the built and installed collection, govmomi's vcsim, and a runner that drives
# the real ansible-playbook and returns its structured results. The PKI and the simulators: tests/conftest.py.

import json
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from lab import BIN, REPO, clean_env, install_collection, venv_path

CALLBACKS = Path(__file__).parent / "callback_plugins"


@pytest.fixture(scope="session")
def collections_path(tmp_path_factory):
    """The collection built with ansible-galaxy and installed from its tarball, as a user would have it."""
    installed = install_collection(tmp_path_factory.mktemp("collection"))
    assert (installed / "ansible_collections" / "sessionkit" / "vmware" / "MANIFEST.json").is_file()
    return installed


@pytest.fixture(scope="session")
def vcsim(pki, tmp_path_factory, require):
    """govmomi's vcsim, built from Debian's packages by scripts/build-vcsim.sh, serving TLS with the test CA."""
    build = subprocess.run([str(REPO / "scripts" / "build-vcsim.sh")], check=False, capture_output=True, text=True)
    require(build.returncode == 0, "vcsim could not be built: " + build.stderr.strip()[-300:])
    binary = build.stdout.strip().splitlines()[-1]
    url_file = tmp_path_factory.mktemp("vcsim") / "url"
    proc = subprocess.Popen([binary, "-listen", "127.0.0.1:0", "-cert", pki.server_cert, "-key", pki.server_key,
                             "-url-file", str(url_file)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while not url_file.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    if not url_file.exists():
        proc.kill()
        pytest.fail("vcsim did not start: " + proc.stderr.read().decode()[-500:])
    yield url_file.read_text().strip()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def unused_port():
    """A loopback port with nothing listening on it, for connection-refused cases."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PlaybookRun:
    """What one ansible-playbook run did: return code, screen output and each task's recorded result."""

    rc: int
    stdout: str
    stderr: str
    records: list

    @property
    def output(self):
        return self.stdout + self.stderr

    def results(self, task):
        return [r["result"] for r in self.records if r["task"] == task]

    def result(self, task):
        found = self.results(task)
        assert len(found) == 1, "task %r ran %d times; tasks seen: %s" % (
            task, len(found), sorted({r["task"] for r in self.records}))
        return found[0]


class PlaybookFiles(object):
    """Writes a play (a dict, or a list of plays) with its inventory, and builds the ansible-playbook command and
    environment to run it with; ``records`` reads back the results that the recorder callback saw.

    A string is a playbook's YAML text, written as it is. Files the playbook reads go in tmp_path, its directory.
    """

    def __init__(self, collections_path, tmp_path):
        self.collections_path = collections_path
        self.tmp_path = tmp_path
        self.records_file = tmp_path / "records.jsonl"

    def command(self, plays, extra_vars=None, env=None, args=(), binary="ansible-playbook", name="play.yml"):
        """(command, environment) for running ``plays``."""
        playbook = self.tmp_path / name
        if isinstance(plays, str):
            playbook.write_text(plays)
        else:
            if isinstance(plays, dict):
                plays = [plays]
            for play in plays:
                play.setdefault("hosts", "localhost")
                play.setdefault("gather_facts", False)
            playbook.write_text(json.dumps(plays, indent=1))
        inventory = self.tmp_path / "inventory.ini"
        inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
        if self.records_file.exists():
            self.records_file.unlink()
        full_env = clean_env()
        full_env.update({
            "PATH": venv_path(),
            "ANSIBLE_COLLECTIONS_PATH": str(self.collections_path),
            "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACKS),
            "ANSIBLE_CALLBACKS_ENABLED": "result_recorder",
            "ANSIBLE_HOME": str(self.tmp_path / "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": str(self.tmp_path / "ansible-tmp"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "SESSIONKIT_RESULTS": str(self.records_file),
            # Each test's guarded sessions keep their records apart from the user's and other tests'.
            "SESSIONKIT_GUARD_DIR": str(self.tmp_path / "guard"),
        })
        full_env.update(env or {})
        command = [str(BIN / binary), "-i", str(inventory), str(playbook)] + list(args)
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        return command, full_env

    def records(self):
        if not self.records_file.exists():
            return []
        return [json.loads(line) for line in self.records_file.read_text().splitlines() if line.strip()]


@pytest.fixture
def playbook_files(collections_path, tmp_path):
    return PlaybookFiles(collections_path, tmp_path)


@pytest.fixture
def run_playbook(playbook_files, tmp_path):
    """Run a play (a dict, a list of plays, or a playbook's YAML text) with the real ansible-playbook binary and
    return a PlaybookRun. It runs in tmp_path, next to the files the playbook reads."""

    def run(plays, extra_vars=None, env=None, args=(), binary="ansible-playbook", timeout=300):
        command, full_env = playbook_files.command(plays, extra_vars, env, args, binary)
        proc = subprocess.run(command, env=full_env, check=False, capture_output=True, text=True, timeout=timeout,
                              cwd=str(tmp_path))
        return PlaybookRun(proc.returncode, proc.stdout, proc.stderr, playbook_files.records())

    return run
