# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Every source file of the collection and its tooling names its licence in an SPDX line near its top.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = re.compile(r"(\.(py|sh|go|ya?ml|ini|cfg)$|^(Makefile|run|\.ansible-lint)$)")
# Generated or data files (changelog fragments and the changelog, results), and what tools and builds leave behind.
SKIPPED_DIRS = {".git", ".cache", ".hypothesis", ".pytest_cache", "__pycache__", "collections", "output", "build",
                "results", "fragments", "ansible_collections"}
SKIPPED_FILES = {"changelogs/changelog.yaml", "changelogs/.plugin-cache.yaml"}
SPDX = "SPDX-License-Identifier: GPL-3.0-or-later"


def source_files():
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".venv")]
        for name in files:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, ROOT).replace(os.sep, "/")
            if SOURCE.search(name) and relative not in SKIPPED_FILES and not os.path.islink(path):
                yield relative


def test_every_source_file_has_an_spdx_line_in_its_first_lines():
    files = sorted(source_files())
    assert "plugins/module_utils/_session.py" in files and "Makefile" in files  # the walk found the tree
    missing = []
    for relative in files:
        with open(os.path.join(ROOT, relative), encoding="utf-8") as handle:
            head = [handle.readline() for _line in range(6)]
        if not any(SPDX in line for line in head):
            missing.append(relative)
    assert missing == [], "add the licence header (see plugins/module_utils/_session.py) to: %s" % missing
