# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test lab, shared by the tests' fixtures (tests/conftest.py) and the benchmark (benchmarks/run.py): the
collection built and installed the project's one way, the simulators started on the test PKI with the credentials
the tests log in with, and the environment that runs ansible-playbook against them."""

import os
import subprocess
import sys
from pathlib import Path

from simulators.h4 import DEFAULT_VCD_IDENTITY, H4Simulator
from simulators.vapi import VapiSimulator

REPO = Path(__file__).resolve().parents[1]
# The venv running the tests or the benchmark: its ansible-core builds, installs and runs the collection.
BIN = Path(sys.executable).parent

# Credentials the shared simulators accept beside their built-in users (administrator@vsphere.local / VMware1! and
# the others named in tests/simulators/run.py). The functional tests log in with the first group.
SAML_ASSERTION = '<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">bearer-1</saml2:Assertion>'
VCD_TOKEN = "eyJhbGciOiJSUzI1NiJ9.test-vcd-access-token.sig"
VCD_COOKIE = "vcloud-session-cookie-value-1"
# Cloud Director API tokens: one of the local organization, one of the organization at the remote sites.
VCD_API_TOKEN = "vcd-api-token-acme-0001"
REMOTE_API_TOKEN = "vcd-api-token-acme-dr-0002"
# The simulators' self-tests use a signed-looking assertion with a subject, and short tokens of other identities.
SUBJECT_SAML = ('<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1"><saml2:Subject>'
                '<saml2:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">svc-ansible@vsphere.local'
                '</saml2:NameID></saml2:Subject></saml2:Assertion>')

# The simulators a test session shares (tests/conftest.py starts each once, on first use): name -> (class, options).
SHARED_SIMULATORS = {
    "vapi": (VapiSimulator, {"saml_tokens": {SUBJECT_SAML}}),
    "legacy": (VapiSimulator, {"legacy_only": True}),
    "h4": (H4Simulator, {
        "saml_tokens": {SAML_ASSERTION, SUBJECT_SAML},
        "vcd_tokens": {VCD_TOKEN: DEFAULT_VCD_IDENTITY, "jwt-1": "org-admin@globex"},
        "vcd_cookies": {VCD_COOKIE, "cookie-1"},
        "vcd_api_tokens": {VCD_API_TOKEN: "api-user@acme", REMOTE_API_TOKEN: "api-user@acme-dr",
                           "api-token-1": "ops@acme-dr"}}),
    "manager": (H4Simulator, {"flavour": "manager"}),
}


def simulator(cls, pki, cert=None, key=None, **options):
    """A simulator serving ``cert`` and ``key`` (the test PKI's server certificate by default), not yet started: use
    it as a context manager, or call start() and stop()."""
    return cls(cert or pki.server_cert, key or pki.server_key, **options)


def clean_env():
    """The caller's environment without anything that would change a module's options behind a test's back."""
    prefixes = ("VMWARE_", "VCDA_", "ANSIBLE_", "https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY",
                "no_proxy", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
    return dict((k, v) for k, v in os.environ.items() if not k.startswith(prefixes))


def venv_path():
    """PATH with this venv's bin first, so ansible-galaxy and ansible-playbook are the ones of its ansible-core."""
    return "%s:%s" % (BIN, os.environ.get("PATH", ""))


def install_collection(work):
    """The collection built and installed from its tarball by scripts/install-collection.sh (the project's one way),
    with this venv's ansible-galaxy; returns WORK/collections."""
    # Run from WORK: a checkout's ansible.cfg is then no part of what ansible-galaxy reads.
    Path(work).mkdir(parents=True, exist_ok=True)
    done = subprocess.run([str(REPO / "scripts" / "install-collection.sh"), str(work)], check=True, cwd=str(work),
                          stdout=subprocess.PIPE, text=True, env=dict(clean_env(), PATH=venv_path()))
    return Path(done.stdout.strip().splitlines()[-1])
