# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The collection's execution-environment metadata works with ansible-builder: `ansible-builder create` on an EE
# definition that includes this collection produces a build context whose Python requirements name requests.

import os
import shutil
import subprocess

import pytest

from lab import REPO

TOOLS_BIN = REPO / ".venv-tools" / "bin"  # made by scripts/check-tools-venv.sh


def test_meta_points_at_requirements_and_bindep():
    yaml = pytest.importorskip("yaml")
    meta = yaml.safe_load((REPO / "meta" / "execution-environment.yml").read_text())
    assert meta["version"] == 1
    assert meta["dependencies"] == {"python": "requirements.txt", "system": "bindep.txt"}
    assert (REPO / "bindep.txt").is_file()
    names = [line.split("#")[0].strip() for line in (REPO / "requirements.txt").read_text().splitlines()]
    assert "requests" in names


def test_ansible_builder_create_names_requests(tmp_path, require):
    builder = TOOLS_BIN / "ansible-builder"
    require(builder.is_file(), "ansible-builder not installed: run scripts/check-tools-venv.sh (make lint does)")
    # A local copy of the collection, installed by ansible-galaxy inside the build context from a directory source.
    source = tmp_path / "sessionkit-vmware"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    (tmp_path / "requirements.yml").write_text(
        "---\ncollections:\n  - name: %s\n    type: dir\n" % source)
    # The EE definition takes the Python and system dependencies from the files meta/execution-environment.yml names.
    meta = {}
    for line in (REPO / "meta" / "execution-environment.yml").read_text().splitlines():
        key, _sep, value = line.strip().partition(":")
        if key in ("python", "system") and value.strip():
            meta[key] = value.strip()
    assert set(meta) == {"python", "system"}, meta
    (tmp_path / "execution-environment.yml").write_text(
        "---\nversion: 3\n"
        "images:\n  base_image:\n    name: quay.io/ansible/awx-ee:latest\n"
        "dependencies:\n  galaxy: requirements.yml\n  python: %s\n  system: %s\n"
        % (source / meta["python"], source / meta["system"]))
    context = tmp_path / "context"
    result = subprocess.run([str(builder), "create", "--file", "execution-environment.yml",
                             "--context", str(context), "-v", "3"],
                            cwd=tmp_path, check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    generated = (context / "_build" / "requirements.txt").read_text()
    assert "requests" in generated.split()
    assert "sessionkit-vmware" in (context / "_build" / "requirements.yml").read_text()
    assert (context / "Containerfile").is_file() or (context / "Dockerfile").is_file()
    # `create` only copies the definition's files; the collection's own requirements are introspected at build time
    # by the same code that `ansible-builder introspect` runs, so check those against the installed collection too.
    installed = tmp_path / "installed"
    # --force: pytest-ansible points ANSIBLE_COLLECTIONS_PATH at this checkout, which would count as installed.
    env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / "ansible-home"))
    subprocess.run([str(TOOLS_BIN / "ansible-galaxy"), "collection", "install", "--offline", "--force", "-p", str(installed),
                    str(source)], check=True, capture_output=True, env=env)
    introspect = subprocess.run([str(builder), "introspect", "--sanitize", str(installed)], check=False,
                                capture_output=True, text=True)
    assert introspect.returncode == 0, introspect.stdout + introspect.stderr
    assert "requests" in introspect.stdout
    assert "sessionkit.vmware" in introspect.stdout
