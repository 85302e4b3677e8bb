# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures the test folders share: `require`, the test PKI, and the simulators of tests/lab.py (one shared server
of each kind per session, reset around every test that uses it, and fresh ones a test starts for itself)."""

import os

import pytest

# `ansible-test units` loads this file too, without tests/ on the import path (pytest.ini's pythonpath is not its
# configuration), and its unit tests need no simulator: so tests/lab.py and the simulators are imported where used.


@pytest.fixture(scope="session")
def require():
    """require(condition, reason): skip with the reason on a developer's machine; under CI a missing tool is a
    failure, never a skip."""

    def check(condition, reason):
        if condition:
            return
        if os.environ.get("CI") == "true":
            pytest.fail("required under CI: " + reason)
        pytest.skip(reason)

    return check


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    from simulators.pki import make_pki

    return make_pki(str(tmp_path_factory.mktemp("pki")))


def _shared_server(name):
    @pytest.fixture(scope="session", name=name + "_server")
    def server(pki):
        from lab import SHARED_SIMULATORS, simulator

        cls, options = SHARED_SIMULATORS[name]
        with simulator(cls, pki, **options) as sim:
            yield sim

    return server


def _reset_around_each_test(name):
    @pytest.fixture(name=name)
    def fresh(request):
        sim = request.getfixturevalue(name + "_server")
        sim.reset()
        yield sim
        sim.reset()

    return fresh


vapi_server = _shared_server("vapi")
legacy_server = _shared_server("legacy")
h4_server = _shared_server("h4")
manager_server = _shared_server("manager")
vapi = _reset_around_each_test("vapi")
legacy = _reset_around_each_test("legacy")
h4 = _reset_around_each_test("h4")
manager = _reset_around_each_test("manager")


@pytest.fixture
def simulators(pki):
    """start(cls, cert=None, key=None, **options): a fresh simulator, stopped at the end of the test."""
    from lab import simulator

    started = []

    def start(cls, cert=None, key=None, **options):
        started.append(simulator(cls, pki, cert, key, **options).start())
        return started[-1]

    yield start
    for sim in started:
        sim.stop()
