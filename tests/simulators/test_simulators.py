# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Self-tests of the simulators, driven over real TLS with http.client and the generated test CA."""

import base64
import gzip
import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lab import SUBJECT_SAML as SAML
from simulators.h4 import H4Simulator
from simulators.pki import make_pki
from simulators.vapi import VMS, VapiSimulator

RUN = Path(__file__).resolve().parent / "run.py"
USER, PASSWORD = "administrator@vsphere.local", "VMware1!"
UNAUTHENTICATED = {"error_type": "UNAUTHENTICATED", "messages": [{
    "id": "com.vmware.vapi.endpoint.method.authentication.required",
    "default_message": "Authentication required.", "args": []}]}
SERVICE_UNAVAILABLE = {"error_type": "SERVICE_UNAVAILABLE", "messages": [{
    "id": "com.vmware.vapi.endpoint.serviceUnavailable", "default_message": "Service unavailable.", "args": []}]}
PLAIN_JSON = "application/json;charset=UTF-8"
H4_V47 = "application/vnd.vmware.h4-v4.7+json;charset=UTF-8"


# ----- helpers


def client_context(cafile):
    """What a careful client uses; Python 3.13's stricter default verification flags are added on older Pythons."""
    context = ssl.create_default_context(cafile=cafile)
    context.verify_flags |= ssl.VERIFY_X509_STRICT | getattr(ssl, "VERIFY_X509_PARTIAL_CHAIN", 0)
    return context


class Reply:
    def __init__(self, response):
        self.status = response.status
        self.headers = response.headers
        self.body = response.read()

    def json(self):
        return json.loads(self.body)


class Client:
    """One kept-alive HTTPS connection that verifies the server against ``cafile``."""

    def __init__(self, sim, cafile, host="127.0.0.1"):
        self.conn = http.client.HTTPSConnection(host, sim.port, context=client_context(cafile), timeout=5)

    def call(self, method, path, body=None, headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        self.conn.request(method, path, body=body, headers=headers or {})
        return Reply(self.conn.getresponse())

    def close(self):
        self.conn.close()


def basic(user=USER, password=PASSWORD):
    return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()}


def sign(assertion):
    return {"Authorization": 'SIGN token="%s"' % base64.b64encode(gzip.compress(assertion.encode())).decode()}


def now_ms():
    return int(time.time() * 1000)


# ----- fixtures (pki and the shared simulators vapi, legacy, h4, manager: tests/conftest.py)


@pytest.fixture
def client(pki):
    made = []

    def make(sim, cafile=None, host="127.0.0.1"):
        made.append(Client(sim, cafile or pki.ca_cert, host))
        return made[-1]

    yield make
    for c in made:
        c.close()


# ----- PKI and TLS


def test_pki_is_complete_and_reused(tmp_path):
    first = make_pki(tmp_path)
    paths = first.as_dict()
    del paths["directory"]
    assert sorted(os.path.basename(p) for p in paths.values()) == sorted([
        "ca.pem", "ca.key", "server.pem", "server.key", "other_ca.pem", "wronghost.pem", "wronghost.key",
        "expired.pem", "expired.key", "selfsigned.pem", "selfsigned.key"])
    before = {p: Path(p).read_bytes() for p in paths.values()}
    assert make_pki(tmp_path) == first
    assert {p: Path(p).read_bytes() for p in paths.values()} == before
    assert os.stat(first.server_key).st_mode & 0o077 == 0


def test_certificates_carry_the_promised_names_and_dates(pki):
    from cryptography import x509
    import datetime
    import ipaddress

    def load(path):
        return x509.load_pem_x509_certificate(Path(path).read_bytes())

    def names(cert):
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        return {str(n) for n in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))

    ca, server = load(pki.ca_cert), load(pki.server_cert)
    assert names(server) == {"127.0.0.1", "::1", "localhost"}
    assert server.issuer == ca.subject
    assert names(load(pki.wronghost_cert)) == {"wrong.example"}
    expired = load(pki.expired_cert)
    assert expired.not_valid_after_utc < datetime.datetime.now(datetime.timezone.utc)
    assert expired.issuer == ca.subject
    selfsigned = load(pki.selfsigned_cert)
    assert selfsigned.issuer == selfsigned.subject and ipaddress.ip_address("127.0.0.1") in \
        selfsigned.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.IPAddress)
    assert load(pki.other_ca_cert).subject != ca.subject


def test_the_test_ca_validates_the_server(vapi, client):
    assert client(vapi).call("GET", "/api/session").status == 401  # a TLS-verified round trip


def test_the_server_is_valid_for_localhost_and_ipv6(pki, client):
    with VapiSimulator(pki.server_cert, pki.server_key) as sim:
        assert client(sim, host="localhost").call("GET", "/api/session").status == 401
    try:
        sim6 = VapiSimulator(pki.server_cert, pki.server_key, host="::1").start()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with sim6:
        assert sim6.url == "https://[::1]:%d" % sim6.port
        assert client(sim6, host="::1").call("GET", "/api/session").status == 401


def test_an_unrelated_ca_is_rejected(vapi, client, pki):
    with pytest.raises(ssl.SSLCertVerificationError):
        client(vapi, cafile=pki.other_ca_cert).call("GET", "/api/session")


@pytest.mark.parametrize("name, reason", [("wronghost", "match"), ("expired", "expired"), ("selfsigned", "self")])
def test_bad_server_certificates_are_rejected(pki, client, name, reason):
    with VapiSimulator(getattr(pki, name + "_cert"), getattr(pki, name + "_key")) as sim:
        with pytest.raises(ssl.SSLCertVerificationError, match=reason):
            client(sim).call("GET", "/api/session")
        assert sim.connections == 1 and sim.requests == []


def test_a_self_signed_certificate_works_when_trusted_directly(pki, client):
    with VapiSimulator(pki.selfsigned_cert, pki.selfsigned_key) as sim:
        assert client(sim, cafile=pki.selfsigned_cert).call("GET", "/api/session").status == 401


# ----- vSphere Automation API: /api


def test_vapi_login_returns_201_and_a_json_string(vapi, client):
    reply = client(vapi).call("POST", "/api/session", headers=basic())
    assert reply.status == 201
    assert reply.headers["Content-Type"] == "application/json"
    token = reply.json()
    assert isinstance(token, str) and re.fullmatch(r"[0-9a-f]{32}", token)
    assert vapi.logins == 1 and vapi.open_sessions == 1 and vapi.sessions[token].user == USER


@pytest.mark.parametrize("headers", [basic(password="wrong"), basic(user="nobody"), {},
                                     {"Authorization": "Basic !!notbase64"}, {"Authorization": "Bearer abc"}])
def test_vapi_bad_credentials_get_401_unauthenticated(vapi, client, headers):
    reply = client(vapi).call("POST", "/api/session", headers=headers)
    assert (reply.status, reply.json()) == (401, UNAUTHENTICATED)
    assert reply.headers["Content-Type"] == "application/json"
    assert (vapi.logins, vapi.failed_logins, vapi.open_sessions) == (0, 1, 0)


def test_vapi_saml_bearer_token_login(vapi, client):
    c = client(vapi)
    reply = c.call("POST", "/api/session", headers=sign(SAML))
    assert reply.status == 201
    assert vapi.sessions[reply.json()].user == "svc-ansible@vsphere.local"
    assert c.call("POST", "/api/session", headers=sign(SAML.replace("_a1", "_a2"))).status == 401
    assert c.call("POST", "/api/session", headers={"Authorization": 'SIGN token="bm90Z3ppcA=="'}).status == 401
    # vCenter takes only base64 of gzip: the same assertion as base64 of plain XML is refused.
    plain = base64.b64encode(SAML.encode()).decode()
    assert c.call("POST", "/api/session", headers={"Authorization": 'SIGN token="%s"' % plain}).status == 401
    assert vapi.failed_logins == 3


def test_vapi_session_info_and_last_accessed(vapi, client):
    c = client(vapi)
    token = c.call("POST", "/api/session", headers=basic()).json()
    time.sleep(0.01)
    reply = c.call("GET", "/api/session", headers={"vmware-api-session-id": token})
    info = reply.json()
    assert reply.status == 200 and set(info) == {"user", "created_time", "last_accessed_time"}
    assert info["user"] == USER
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    assert re.fullmatch(stamp, info["created_time"]) and re.fullmatch(stamp, info["last_accessed_time"])
    assert info["last_accessed_time"] > info["created_time"]
    reply = c.call("GET", "/api/session", headers={"vmware-api-session-id": "nope"})
    assert (reply.status, reply.json()) == (401, UNAUTHENTICATED)


def test_vapi_logout_is_204_then_401(vapi, client):
    c = client(vapi)
    token = c.call("POST", "/api/session", headers=basic()).json()
    reply = c.call("DELETE", "/api/session", headers={"vmware-api-session-id": token})
    assert reply.status == 204 and reply.body == b"" and "Content-Length" not in reply.headers
    reply = c.call("DELETE", "/api/session", headers={"vmware-api-session-id": token})
    assert (reply.status, reply.json()) == (401, UNAUTHENTICATED)
    assert (vapi.logouts, vapi.open_sessions) == (1, 0)


def test_vapi_vm_list_needs_a_session(vapi, client):
    c = client(vapi)
    assert (c.call("GET", "/api/vcenter/vm").status, vapi.requests[-1].status) == (401, 401)
    token = c.call("POST", "/api/session", headers=basic()).json()
    reply = c.call("GET", "/api/vcenter/vm", headers={"vmware-api-session-id": token})
    assert reply.status == 200 and reply.json() == VMS and len(VMS) == 3
    assert reply.json()[0] == {"vm": "vm-101", "name": "web-01", "power_state": "POWERED_ON", "cpu_count": 2,
                               "memory_size_MiB": 4096}


def test_vapi_vm_list_power_state_filter(vapi, client):
    c = client(vapi)
    session = {"vmware-api-session-id": c.call("POST", "/api/session", headers=basic()).json()}
    running = c.call("GET", "/api/vcenter/vm?power_states=POWERED_ON", headers=session).json()
    assert [vm["name"] for vm in running] == ["web-01", "db-01"]
    both = c.call("GET", "/api/vcenter/vm?power_states=POWERED_ON&power_states=POWERED_OFF", headers=session)
    assert both.json() == VMS
    reply = c.call("GET", "/api/vcenter/vm?power_states=ASLEEP", headers=session)
    assert reply.status == 400 and reply.json()["error_type"] == "INVALID_ARGUMENT"
    legacy = c.call("GET", "/rest/vcenter/vm?filter.power_states=POWERED_OFF", headers=session).json()
    assert [vm["name"] for vm in legacy["value"]] == ["build-01"]


def test_vapi_one_vm_needs_a_session_and_an_existing_id(vapi, client):
    c = client(vapi)
    assert c.call("GET", "/api/vcenter/vm/vm-102").status == 401
    session = {"vmware-api-session-id": c.call("POST", "/api/session", headers=basic()).json()}
    reply = c.call("GET", "/api/vcenter/vm/vm-102", headers=session)
    assert reply.status == 200
    assert reply.json() == {"name": "db-01", "power_state": "POWERED_ON", "cpu": {"count": 4},
                            "memory": {"size_MiB": 16384}}
    reply = c.call("GET", "/api/vcenter/vm/vm-999", headers=session)
    assert reply.status == 404 and reply.json()["error_type"] == "NOT_FOUND"


def test_vapi_tag_category_creation(vapi, client):
    c = client(vapi)
    spec = {"name": "owner", "cardinality": "SINGLE", "associable_types": []}
    assert c.call("POST", "/api/cis/tagging/category", spec).status == 401
    session = {"vmware-api-session-id": c.call("POST", "/api/session", headers=basic()).json(),
               "Content-Type": "application/json"}
    reply = c.call("POST", "/api/cis/tagging/category", spec, session)
    assert reply.status == 201
    category = reply.json()
    assert category.startswith("urn:vmomi:InventoryServiceCategory:") and vapi.tag_categories == {category: spec}
    again = c.call("POST", "/api/cis/tagging/category", spec, session)
    assert again.status == 400 and again.json()["error_type"] == "ALREADY_EXISTS"
    for bad in ({"name": "x", "cardinality": "SOME", "associable_types": []}, {"cardinality": "SINGLE"}, [1]):
        reply = c.call("POST", "/api/cis/tagging/category", bad, session)
        assert reply.status == 400 and reply.json()["error_type"] == "INVALID_ARGUMENT"
    assert len(vapi.tag_categories) == 1
    vapi.reset()
    assert vapi.tag_categories == {}


def test_vapi_unknown_path_is_404_not_found(vapi, client):
    reply = client(vapi).call("GET", "/api/nothing/here")
    assert reply.status == 404 and reply.json()["error_type"] == "NOT_FOUND"


# ----- vSphere Automation API: legacy /rest


def test_legacy_login_info_and_logout(vapi, client):
    c = client(vapi)
    reply = c.call("POST", "/rest/com/vmware/cis/session", headers=dict(basic(), **{"vmware-use-header-authn": "true"}))
    assert reply.status == 200 and reply.headers["Content-Type"] == "application/json"
    token = reply.json()["value"]
    assert "Set-Cookie" not in reply.headers
    session = {"vmware-api-session-id": token}
    reply = c.call("POST", "/rest/com/vmware/cis/session?~action=get", headers=session)
    assert reply.status == 200 and reply.json()["value"]["user"] == USER
    assert set(reply.json()["value"]) == {"user", "created_time", "last_accessed_time"}
    # The legacy token works on /api as well.
    assert c.call("GET", "/api/session", headers=session).status == 200
    assert c.call("GET", "/rest/vcenter/vm", headers=session).json() == {"value": VMS}
    reply = c.call("DELETE", "/rest/com/vmware/cis/session", headers=session)
    assert (reply.status, reply.body) == (200, b"")
    assert vapi.header_authn == [True] and vapi.logouts == 1


def test_legacy_login_without_header_authn_sets_a_cookie(vapi, client):
    reply = client(vapi).call("POST", "/rest/com/vmware/cis/session", headers=basic())
    assert reply.headers["Set-Cookie"].startswith("vmware-api-session-id=" + reply.json()["value"])
    assert vapi.header_authn == [False]


def test_legacy_errors_use_the_envelope(vapi, client):
    c = client(vapi)
    wrapped = {"type": "com.vmware.vapi.std.errors.unauthenticated", "value": UNAUTHENTICATED}
    for method, path, headers in [("POST", "/rest/com/vmware/cis/session", basic(password="x")),
                                  ("POST", "/rest/com/vmware/cis/session?~action=get", {}),
                                  ("DELETE", "/rest/com/vmware/cis/session", {"vmware-api-session-id": "gone"}),
                                  ("GET", "/rest/vcenter/vm", {})]:
        reply = c.call(method, path, headers=headers)
        assert (reply.status, reply.json()) == (401, wrapped), path
    assert c.call("GET", "/rest/nothing").json()["type"] == "com.vmware.vapi.std.errors.not_found"


def test_legacy_only_answers_404_on_api_like_vcsim(legacy, client):
    c = client(legacy)
    for method, path in [("POST", "/api/session"), ("GET", "/api/vcenter/vm")]:
        reply = c.call(method, path, headers=basic())
        assert (reply.status, reply.body) == (404, b"404 page not found\n")
        assert reply.headers["Content-Type"].startswith("text/plain")
    token = c.call("POST", "/rest/com/vmware/cis/session", headers=basic()).json()["value"]
    assert c.call("GET", "/rest/vcenter/vm", headers={"vmware-api-session-id": token}).status == 200
    assert legacy.logins == 1


# ----- shared machinery: records, keep-alive, sessions


def test_keep_alive_and_request_records(vapi, client):
    c = client(vapi)
    token = c.call("POST", "/api/session", headers=basic()).json()
    c.call("GET", "/api/session", headers={"VMware-API-Session-Id": token})
    c.call("DELETE", "/api/session", headers={"vmware-api-session-id": token})
    assert vapi.connections == 1
    assert [(r.method, r.path, r.status) for r in vapi.requests] == [
        ("POST", "/api/session", 201), ("GET", "/api/session", 200), ("DELETE", "/api/session", 204)]
    assert {r.connection_id for r in vapi.requests} == {1}
    assert vapi.requests[1].headers["vmware-api-session-id"] == token  # any spelling finds the header
    assert "VMWARE-API-SESSION-ID" in vapi.requests[1].headers


def test_max_sessions_per_user(vapi, client):
    vapi.max_sessions = 2
    c = client(vapi)
    tokens = [c.call("POST", "/api/session", headers=basic()).json() for _i in range(2)]
    reply = c.call("POST", "/api/session", headers=basic())
    assert reply.status == 503 and reply.json()["error_type"] == "SERVICE_UNAVAILABLE"
    assert reply.json()["messages"][0]["id"] == "com.vmware.vapi.endpoint.failedToLoginMaxUserSessionCountReached"
    assert c.call("POST", "/rest/com/vmware/cis/session", headers=basic()).json()["value"]["error_type"] == \
        "SERVICE_UNAVAILABLE"
    assert (vapi.logins, vapi.failed_logins, vapi.open_sessions) == (2, 2, 2)
    c.call("DELETE", "/api/session", headers={"vmware-api-session-id": tokens[0]})
    assert c.call("POST", "/api/session", headers=basic()).status == 201
    vapi.reset()
    assert vapi.max_sessions is None


def test_expire_and_expire_all(vapi, client):
    c = client(vapi)
    a, b, d = [c.call("POST", "/api/session", headers=basic()).json() for _i in range(3)]
    assert vapi.expire(a) is True and vapi.expire(a) is False
    assert c.call("GET", "/api/session", headers={"vmware-api-session-id": a}).status == 401
    assert c.call("GET", "/api/session", headers={"vmware-api-session-id": b}).status == 200
    assert vapi.expire_all() == 2 and vapi.open_sessions == 0
    assert c.call("GET", "/api/vcenter/vm", headers={"vmware-api-session-id": d}).status == 401


# ----- fault switches


def test_fail_next_uses_the_api_error_and_then_recovers(vapi, client):
    vapi.fail_next(2, retry_after=3)
    c = client(vapi)
    for _i in range(2):
        reply = c.call("POST", "/api/session", headers=basic())
        assert (reply.status, reply.json()) == (503, SERVICE_UNAVAILABLE)
        assert reply.headers["Retry-After"] == "3"
    assert c.call("POST", "/api/session", headers=basic()).status == 201
    vapi.fail_next(1)
    reply = c.call("GET", "/rest/vcenter/vm")
    assert reply.json() == {"type": "com.vmware.vapi.std.errors.service_unavailable", "value": SERVICE_UNAVAILABLE}
    assert vapi.logins == 1 and vapi.connections == 1


def test_fail_next_with_a_custom_response(vapi, client):
    vapi.fail_next(1, status=429, body="slow down", content_type="text/x-custom", headers={"X-Why": "test"})
    reply = client(vapi).call("GET", "/api/session")
    assert (reply.status, reply.body, reply.headers["Content-Type"], reply.headers["X-Why"]) == \
        (429, b"slow down", "text/x-custom", "test")


def test_fail_always_until_cleared(vapi, client):
    vapi.fail_always(500)
    c = client(vapi)
    assert [c.call("POST", "/api/session", headers=basic()).status for _i in range(3)] == [500, 500, 500]
    assert c.call("GET", "/api/session").json()["error_type"] == "INTERNAL_SERVER_ERROR"
    vapi.clear_faults()
    assert c.call("POST", "/api/session", headers=basic()).status == 201


def test_html_error_like_a_proxy(vapi, client):
    vapi.html_error(count=1)
    c = client(vapi)
    reply = c.call("POST", "/api/session", headers=basic())
    assert reply.status == 502 and reply.headers["Content-Type"] == "text/html"
    assert reply.body.startswith(b"<html><body><h1>502 Bad Gateway</h1>")
    assert c.call("POST", "/api/session", headers=basic()).status == 201


def test_delay_before_answering(vapi, client):
    vapi.delay(0.3, count=1)
    c = client(vapi)
    started = time.monotonic()
    assert c.call("GET", "/api/session").status == 401
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    c.call("GET", "/api/session")
    assert time.monotonic() - started < 0.25


def test_delay_makes_a_client_time_out(vapi, pki):
    vapi.delay(1.0, count=1)
    conn = http.client.HTTPSConnection("127.0.0.1", vapi.port, context=client_context(pki.ca_cert), timeout=0.2)
    with pytest.raises(TimeoutError):
        conn.request("GET", "/api/session")
        conn.getresponse()
    conn.close()


def test_reset_connection_breaks_the_response(vapi, client):
    vapi.reset_connection()
    with pytest.raises((http.client.HTTPException, OSError)):
        client(vapi).call("POST", "/api/session", headers=basic())
    assert vapi.requests[0].status is None and vapi.logins == 0
    assert client(vapi).call("POST", "/api/session", headers=basic()).status == 201
    assert vapi.connections == 2


def test_reset_clears_everything(vapi, client):
    c = client(vapi)
    c.call("POST", "/api/session", headers=basic())
    vapi.fail_always(503)
    vapi.reset()
    assert (vapi.requests, vapi.connections, vapi.logins, vapi.open_sessions) == ([], 0, 0, 0)
    assert c.call("POST", "/api/session", headers=basic()).status == 201


# ----- Cloud Director Availability


def login(c, body, headers=None):
    return c.call("POST", "/sessions", body=body, headers=dict({"Content-Type": "application/json"}, **(headers or {})))


def sso_token_body(**changes):
    body = {"type": "ssoToken", "samlToken": SAML, "timestamp": now_ms(), "nonce": os.urandom(8).hex()}
    body.update(changes)
    return body


GOOD_LOGINS = [
    ({"type": "ssoCredentials", "username": USER, "password": PASSWORD}, USER, None),
    ({"type": "ssoCredentials", "username": USER, "password": PASSWORD, "principal": "ops@vsphere.local"},
     "ops@vsphere.local", None),
    ("sso-token", "svc-ansible@vsphere.local", None),
    ({"type": "localUser", "localUser": "root", "localPassword": "vmware"}, "root", None),
    ({"type": "vcdCredentials", "vcdUser": "tenant-admin@acme", "vcdPassword": "Tenant1!"}, "tenant-admin@acme",
     "acme"),
    ({"type": "vcdAccessToken", "vcdAccessToken": "jwt-1", "context": "site-b"}, "org-admin@globex", "globex"),
    ({"type": "vcdApiToken", "apiToken": "api-token-1", "org": "acme-dr"}, "ops@acme-dr", "acme-dr"),
]


@pytest.mark.parametrize("body, user, org", GOOD_LOGINS)
def test_h4_each_login_type(h4, client, body, user, org):
    body = sso_token_body() if body == "sso-token" else body
    c = client(h4)
    reply = login(c, body, {"operationID": "op-42"})
    assert reply.status == 200 and reply.headers["Content-Type"] == PLAIN_JSON
    token = reply.headers["X-VCAV-Auth"]
    assert token and token.encode() not in reply.body
    expected = {"user": user, "roles": ["ADMINISTRATORS"]}
    if org:
        expected["authenticatedSites"] = [{"site": "site-a", "org": org}]
    assert reply.json() == expected
    reply = c.call("GET", "/sessions", headers={"X-VCAV-Auth": token})
    assert (reply.status, reply.json()) == (200, expected)
    assert h4.operation_ids == ["op-42", None] and h4.logins == 1


@pytest.mark.parametrize("body", [
    {"type": "ssoCredentials", "username": USER, "password": "wrong"},
    {"type": "ssoCredentials", "username": "nobody@vsphere.local", "password": PASSWORD},
    {"type": "localUser", "localUser": "root", "localPassword": "nope"},
    {"type": "vcdCredentials", "vcdUser": "tenant-admin@acme", "vcdPassword": "nope"},
    {"type": "vcdCredentials", "vcdUser": "tenant-admin@other", "vcdPassword": "Tenant1!"},
    {"type": "vcdAccessToken", "vcdAccessToken": "unknown-jwt"},
    {"type": "vcdApiToken", "apiToken": "unknown-token", "org": "acme-dr"},
    {"type": "vcdApiToken", "apiToken": "api-token-1", "org": "acme"},
    "unknown-saml",
    "stale-timestamp",
])
def test_h4_bad_credentials_get_401_not_authenticated(h4, client, body):
    if body == "unknown-saml":
        body = sso_token_body(samlToken=SAML.replace("_a1", "_zz"))
    elif body == "stale-timestamp":
        body = sso_token_body(timestamp=now_ms() - 11 * 60 * 1000)
    reply = login(client(h4), body)
    error = reply.json()
    assert reply.status == 401 and reply.headers["Content-Type"] == H4_V47
    assert (error["code"], error["msg"], error["args"]) == ("NotAuthenticated", "Authentication required.", [])
    assert error["stacktrace"].startswith("com.vmware.h4.api.error.exceptions.NotAuthenticatedException: ")
    assert "X-VCAV-Auth" not in reply.headers
    assert (h4.logins, h4.failed_logins) == (0, 1)


@pytest.mark.parametrize("body, wanted", [
    ({"type": "ssoCredentials", "password": "x"}, "username"),
    ({"type": "ssoCredentials", "username": 5, "password": "x"}, "username"),
    ({"type": "ssoCredentials", "username": USER, "password": PASSWORD, "principal": 3}, "principal"),
    ({"type": "ssoToken", "samlToken": SAML, "nonce": "n1"}, "timestamp"),
    ({"type": "ssoToken", "samlToken": SAML, "timestamp": "1465194049081", "nonce": "n1"}, "timestamp"),
    ({"type": "ssoToken", "samlToken": SAML, "timestamp": True, "nonce": "n1"}, "timestamp"),
    ({"type": "ssoToken", "samlToken": SAML, "timestamp": "now", "nonce": ""}, "nonce"),
    ({"type": "ssoToken", "timestamp": "now", "nonce": "n1"}, "samlToken"),
    ({"type": "ssoToken", "samlToken": SAML, "timestamp": "now", "nonce": "n1", "signature": 1}, "signature"),
    ({"type": "localUser", "localUser": "root"}, "localPassword"),
    ({"type": "vcdCredentials", "vcdUser": "tenant-admin", "vcdPassword": "Tenant1!"}, "user@org"),
    ({"type": "vcdCredentials", "vcdUser": "tenant-admin@acme"}, "vcdPassword"),
    ({"type": "vcdAccessToken"}, "vcdAccessToken"),
    ({"type": "vcdApiToken", "apiToken": "api-token-1"}, "org"),
    ({"type": "vcdCookie", "vcdCookie": "cookie-1"}, 'Unknown session type "vcdCookie"'),
    ({"type": "bogus"}, "Unknown session type"),
    ({"username": USER, "password": PASSWORD}, "Unknown session type"),
    ([], "JSON object"),
    ("{not json", "not valid JSON"),
])
def test_h4_field_checks_give_400_bad_user_input(h4, client, body, wanted):
    if isinstance(body, dict) and body.get("timestamp") == "now":
        body = dict(body, timestamp=now_ms())
    reply = login(client(h4), body)
    assert reply.status == 400 and reply.headers["Content-Type"] == H4_V47
    assert reply.json()["code"] == "BadUserInput" and wanted in reply.json()["msg"]
    assert (h4.logins, h4.open_sessions) == (0, 0)


def test_h4_login_needs_a_json_content_type(h4, client):
    c = client(h4)
    body = json.dumps({"type": "localUser", "localUser": "root", "localPassword": "vmware"})
    reply = c.call("POST", "/sessions", body=body, headers={"Content-Type": "text/plain"})
    assert reply.status == 415 and reply.headers["Content-Type"] == H4_V47
    assert c.call("POST", "/sessions", body=body).status == 415  # none at all
    ok = c.call("POST", "/sessions", body=body, headers={"Content-Type": "application/json; charset=utf-8"})
    assert ok.status == 200


def test_h4_sso_token_nonce_cannot_be_replayed(h4, client):
    c = client(h4)
    body = sso_token_body()
    assert login(c, body).status == 200
    replay = login(c, dict(body, timestamp=now_ms()))
    assert replay.status == 401 and replay.json()["code"] == "NotAuthenticated"
    assert login(c, sso_token_body(timestamp=now_ms() + 9 * 60 * 1000, signature="c2lnbg==")).status == 200
    assert (h4.logins, h4.failed_logins) == (2, 1)


def test_h4_accept_versions(h4, client):
    c = client(h4)
    body = {"type": "localUser", "localUser": "root", "localPassword": "vmware"}
    reply = login(c, body, {"Accept": "application/vnd.vmware.h4-v4.5+json;charset=UTF-8"})
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/vnd.vmware.h4-v4.5+json;charset=UTF-8"
    token = reply.headers["X-VCAV-Auth"]
    reply = c.call("GET", "/sessions", headers={"X-VCAV-Auth": token, "Accept": "application/vnd.vmware.h4-v4.0+json"})
    assert reply.headers["Content-Type"] == "application/vnd.vmware.h4-v4.0+json;charset=UTF-8"
    reply = login(c, dict(body, localPassword="x"), {"Accept": "application/vnd.vmware.h4-v4.5+json"})
    assert reply.headers["Content-Type"] == "application/vnd.vmware.h4-v4.5+json;charset=UTF-8"
    reply = login(c, body, {"Accept": "application/vnd.vmware.h4-v9.9+json"})
    assert reply.status == 406 and reply.headers["Content-Type"] == H4_V47
    assert reply.json()["code"] == "NotAcceptable" and "9.9" in reply.json()["msg"]
    reply = login(c, body, {"Accept": "application/vnd.vmware.h4-v9.9+json, application/json"})
    assert reply.status == 200 and reply.headers["Content-Type"] == PLAIN_JSON
    assert login(c, body, {"Accept": "application/json"}).headers["Content-Type"] == PLAIN_JSON
    assert h4.logins == 3
    assert h4.accept_headers[:2] == ["application/vnd.vmware.h4-v4.5+json;charset=UTF-8",
                                     "application/vnd.vmware.h4-v4.0+json"]
    h4.unsupported_status = 415
    assert login(c, body, {"Accept": "application/vnd.vmware.h4-v3.0+json"}).status == 415
    h4.reset()
    assert h4.unsupported_status == 406


def test_h4_session_check_logout_and_expiry(h4, client):
    c = client(h4)
    body = {"type": "ssoCredentials", "username": USER, "password": PASSWORD}
    token = login(c, body).headers["X-VCAV-Auth"]
    auth = {"X-VCAV-Auth": token}
    assert c.call("GET", "/sessions", headers=auth).status == 200
    reply = c.call("DELETE", "/sessions", headers=auth)
    assert (reply.status, reply.body) == (204, b"")
    for method in ("GET", "DELETE"):
        reply = c.call(method, "/sessions", headers=auth)
        assert reply.status == 401 and reply.headers["WWW-Authenticate"] == "Authentication Token Required"
        assert reply.json()["code"] == "NotAuthenticated"
    second = login(c, body).headers["X-VCAV-Auth"]
    h4.expire(second)
    reply = c.call("GET", "/sessions", headers={"X-VCAV-Auth": second})
    assert reply.status == 401 and reply.headers["WWW-Authenticate"] == "Authentication Token Required"
    assert (h4.logins, h4.logouts, h4.open_sessions) == (2, 1, 0)


def test_h4_about_needs_a_session(h4, client):
    c = client(h4)
    reply = c.call("GET", "/diagnostics/about")
    assert reply.status == 401 and reply.headers["WWW-Authenticate"] == "Authentication Token Required"
    token = login(c, {"type": "localUser", "localUser": "root", "localPassword": "vmware"}).headers["X-VCAV-Auth"]
    about = c.call("GET", "/diagnostics/about", headers={"X-VCAV-Auth": token}).json()
    assert about["productName"] == "VMware Cloud Director Availability" and about["version"] == "4.7.0"
    assert about["instanceId"] == h4.instance_id
    assert set(about) == {"productName", "version", "buildVersion", "buildDate", "instanceId", "site"}


def test_h4_unknown_path_is_404(h4, client):
    reply = client(h4).call("GET", "/nowhere")
    assert reply.status == 404 and reply.json()["code"] == "NotFound"


def test_h4_manager_flavour_rejects_cloud_director_logins(manager, client):
    c = client(manager)
    reply = login(c, {"type": "vcdCredentials", "vcdUser": "tenant-admin@acme", "vcdPassword": "Tenant1!"})
    assert reply.status == 400 and reply.json()["code"] == "BadUserInput" and "vcdCredentials" in reply.json()["msg"]
    reply = login(c, {"type": "ssoCredentials", "username": USER, "password": PASSWORD})
    assert reply.status == 200 and reply.json() == {"user": USER, "roles": ["ADMINISTRATORS"]}


def test_h4_omit_token_header(h4, client):
    h4.omit_token_header()
    c = client(h4)
    body = {"type": "localUser", "localUser": "root", "localPassword": "vmware"}
    reply = login(c, body)
    assert reply.status == 200 and "X-VCAV-Auth" not in reply.headers and reply.json()["user"] == "root"
    assert "X-VCAV-Auth" in login(c, body).headers
    assert h4.open_sessions == 2


def test_h4_default_fault_bodies(h4, client):
    c = client(h4)
    h4.fail_next(1, status=500)
    reply = login(c, {"type": "localUser", "localUser": "root", "localPassword": "vmware"})
    error = reply.json()
    assert reply.status == 500 and reply.headers["Content-Type"] == H4_V47
    assert (error["code"], error["msg"]) == ("GeneralServerFailure", "General server failure.")
    assert error["stacktrace"].startswith("com.vmware.h4.api.error.exceptions.GeneralServerFailureException")
    h4.fail_next()
    reply = c.call("GET", "/sessions")
    assert reply.status == 503 and reply.json()["code"] == "GeneralServerFailure"
    assert h4.logins == 0


def test_h4_max_sessions(h4, client):
    h4.max_sessions = 1
    c = client(h4)
    body = {"type": "localUser", "localUser": "root", "localPassword": "vmware"}
    assert login(c, body).status == 200
    reply = login(c, body)
    assert reply.status == 503 and reply.json()["code"] == "GeneralServerFailure"
    assert login(c, {"type": "ssoCredentials", "username": USER, "password": PASSWORD}).status == 200
    assert (h4.logins, h4.failed_logins, h4.open_sessions) == (2, 1, 2)


# ----- per-release login and extend types, multi-site sessions (vcda-sessions.md §1, §3)

# What the reference's schemas list per release, written out here rather than read from the simulator.
LOGINS_BY_RELEASE = {
    "3.5": {"ssoCredentials", "ssoToken", "localUser", "vcdCredentials", "vcdCookie"},
    "4.1": {"ssoCredentials", "ssoToken", "localUser", "vcdCredentials", "vcdCookie", "vcdAccessToken"},
    "4.2": {"ssoCredentials", "ssoToken", "localUser", "vcdCredentials", "vcdCookie", "vcdAccessToken"},
    "4.5": {"ssoCredentials", "ssoToken", "localUser", "vcdCredentials", "vcdAccessToken"},
    "4.7": {"ssoCredentials", "ssoToken", "localUser", "vcdCredentials", "vcdAccessToken", "vcdApiToken"},
}
EXTENDS_BY_RELEASE = {
    "3.5": {"credentials", "cookie"},
    "4.1": {"credentials", "cookie", "vcdAccessToken"},
    "4.2": {"credentials", "cookie", "vcdAccessToken", "multisite"},
    "4.5": {"credentials", "accessToken", "multisite"},
    "4.7": {"credentials", "accessToken", "multisite", "apiToken"},
}
RELEASE_LOGINS = {
    "ssoCredentials": {"username": USER, "password": PASSWORD},
    "ssoToken": "sso-token",
    "localUser": {"localUser": "root", "localPassword": "vmware"},
    "vcdCredentials": {"vcdUser": "tenant-admin@acme", "vcdPassword": "Tenant1!"},
    "vcdCookie": {"vcdCookie": "cookie-1"},
    "vcdAccessToken": {"vcdAccessToken": "jwt-1", "context": "acme"},
    "vcdApiToken": {"apiToken": "api-token-1", "org": "acme"},
}
RELEASE_EXTENDS = {
    "credentials": {"vcdUsername": "tenant-admin@acme", "vcdPassword": "Tenant1!"},
    "cookie": {"cookie": "cookie-1"},
    "vcdAccessToken": {"vcdAccessToken": "jwt-1"},
    "accessToken": {"accessToken": "jwt-1", "context": "acme"},
    "multisite": {"org": "acme"},
    "apiToken": {"token": "api-token-1", "org": "acme"},
}


def release_sim(pki, release, **options):
    return H4Simulator(pki.server_cert, pki.server_key, release=release, saml_tokens={SAML},
                       vcd_tokens={"jwt-1"}, vcd_cookies={"cookie-1"}, vcd_api_tokens={"api-token-1"}, **options)


def extend(c, token, body):
    return c.call("POST", "/sessions/extend", body=body,
                  headers={"Content-Type": "application/json", "X-VCAV-Auth": token})


@pytest.mark.parametrize("release", sorted(LOGINS_BY_RELEASE))
def test_h4_each_release_knows_its_login_and_extend_types(pki, client, release):
    with release_sim(pki, release) as sim:
        c = client(sim)
        accepted = set()
        for login_type, fields in RELEASE_LOGINS.items():
            body = sso_token_body() if fields == "sso-token" else dict(fields, type=login_type)
            reply = login(c, body)
            assert reply.status in (200, 400), (login_type, reply.status)
            if reply.status == 200:
                accepted.add(login_type)
            else:
                assert reply.json()["code"] == "BadUserInput" and login_type in reply.json()["msg"]
        assert accepted == LOGINS_BY_RELEASE[release]
        token = login(c, dict(RELEASE_LOGINS["vcdCredentials"], type="vcdCredentials")).headers["X-VCAV-Auth"]
        extended = set()
        for extend_type, fields in RELEASE_EXTENDS.items():
            reply = extend(c, token, dict(fields, type=extend_type, site="site-b"))
            assert reply.status in (200, 400), (extend_type, reply.status)
            if reply.status == 200:
                extended.add(extend_type)
                assert reply.json()["authenticatedSites"] == [{"site": "site-a", "org": "acme"},
                                                              {"site": "site-b", "org": "acme"}]
        assert extended == EXTENDS_BY_RELEASE[release]
        assert sim.extensions == len(extended)


def test_h4_major_only_media_type_on_3x_only(pki, client):
    body = {"type": "localUser", "localUser": "root", "localPassword": "vmware"}
    with release_sim(pki, "3.5") as old, release_sim(pki, "4.7") as new:
        reply = login(client(old), body, {"Accept": "application/vnd.vmware.h4-v3+json;charset=UTF-8"})
        assert reply.status == 200
        assert reply.headers["Content-Type"] == "application/vnd.vmware.h4-v3+json;charset=UTF-8"
        reply = login(client(new), body, {"Accept": "application/vnd.vmware.h4-v3+json;charset=UTF-8"})
        assert reply.status == 406
        assert old.supported_versions == ["3", "3.0", "3.5"]


def test_h4_extend_shrink_and_the_site_parameter(h4, client):
    c = client(h4)
    token = login(c, {"type": "ssoCredentials", "username": USER, "password": PASSWORD}).headers["X-VCAV-Auth"]
    auth = {"X-VCAV-Auth": token}
    assert c.call("GET", "/diagnostics/about?site=site-b", headers=auth).status == 401
    assert c.call("GET", "/diagnostics/about?site=site-a", headers=auth).json()["site"] == "site-a"
    reply = extend(c, token, {"type": "apiToken", "site": "site-b", "token": "api-token-1", "org": "ACME-DR"})
    assert reply.status == 200
    assert reply.json() == {"user": USER, "roles": ["ADMINISTRATORS"],
                            "authenticatedSites": [{"site": "site-b", "org": "acme-dr"}]}
    assert c.call("GET", "/diagnostics/about?site=site-b", headers=auth).json()["site"] == "site-b"
    assert c.call("GET", "/sessions", headers=auth).json()["authenticatedSites"] == [
        {"site": "site-b", "org": "acme-dr"}]
    reply = c.call("DELETE", "/sessions/site-b", headers=auth)
    assert (reply.status, reply.json()["authenticatedSites"]) == (200, [])
    assert c.call("GET", "/diagnostics/about?site=site-b", headers=auth).status == 401
    assert c.call("DELETE", "/sessions/site-c", headers=auth).status == 200  # forgets nothing, still 200
    assert c.call("DELETE", "/sessions/site-a", headers=auth).json()["code"] == "BadUserInput"
    assert (h4.extensions, h4.shrinks, h4.open_sessions) == (1, 1, 1)


@pytest.mark.parametrize("body, status, code", [
    ({"type": "credentials", "site": "site-b", "vcdUsername": "tenant-admin@acme", "vcdPassword": "x"},
     401, "RemoteAuthenticationFailure"),
    ({"type": "apiToken", "site": "site-b", "token": "api-token-1", "org": "other"},
     401, "RemoteAuthenticationFailure"),
    ({"type": "multisite", "site": "site-b", "org": "acme"}, 401, "RemoteAuthenticationFailure"),
    ({"type": "credentials", "site": "site-z", "vcdUsername": "tenant-admin@acme", "vcdPassword": "Tenant1!"},
     400, "BadUserInput"),
    ({"type": "credentials", "site": "site-a", "vcdUsername": "tenant-admin@acme", "vcdPassword": "Tenant1!"},
     400, "BadUserInput"),
    ({"type": "cookie", "site": "site-b", "cookie": "cookie-1"}, 400, "BadUserInput"),
    ({"type": "credentials", "vcdUsername": "tenant-admin@acme", "vcdPassword": "Tenant1!"}, 400, "BadUserInput"),
])
def test_h4_failed_extensions(h4, client, body, status, code):
    c = client(h4)
    # An SSO session belongs to no Cloud Director organization, so it cannot be extended by multisite.
    token = login(c, {"type": "ssoCredentials", "username": USER, "password": PASSWORD}).headers["X-VCAV-Auth"]
    reply = extend(c, token, body)
    assert (reply.status, reply.json()["code"]) == (status, code)
    assert "authenticatedSites" not in c.call("GET", "/sessions", headers={"X-VCAV-Auth": token}).json()
    assert h4.failed_extensions == (1 if status == 401 else 0) and h4.extensions == 0


def test_h4_extend_and_shrink_need_a_session(h4, client):
    c = client(h4)
    body = {"type": "credentials", "site": "site-b", "vcdUsername": "tenant-admin@acme", "vcdPassword": "Tenant1!"}
    assert extend(c, "no-such-token", body).json()["code"] == "NotAuthenticated"
    assert c.call("DELETE", "/sessions/site-b", headers={"X-VCAV-Auth": "no-such-token"}).status == 401


def test_h4_on_premises_sites_are_null(pki, client):
    with release_sim(pki, "4.7", null_sites=True, flavour="manager") as sim:
        c = client(sim)
        reply = login(c, {"type": "localUser", "localUser": "root", "localPassword": "vmware"})
        assert reply.json() == {"user": "root", "roles": ["ADMINISTRATORS"], "authenticatedSites": None}


# ----- run.py


def _run_py(*args, **kwargs):
    return subprocess.run([sys.executable, str(RUN)] + list(args), check=False, capture_output=True, text=True,
                          timeout=30, **kwargs)


def test_run_py_pki(tmp_path):
    result = _run_py("pki", str(tmp_path / "pki"))
    assert result.returncode == 0, result.stderr
    paths = json.loads(result.stdout)
    assert Path(paths["ca_cert"]).is_file() and Path(paths["server_key"]).is_file()


def _start_run_py(pki, tmp_path, kind, *options):
    """run.py serve in its own process; returns it with the base URL it wrote, once it listens."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    url_file = tmp_path / "url"
    proc = subprocess.Popen([sys.executable, str(RUN), "serve", "--kind", kind, "--cert", pki.server_cert,
                             "--key", pki.server_key, "--url-file", str(url_file)] + list(options),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not url_file.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if not url_file.exists():
        proc.kill()
        pytest.fail("run.py serve did not start: " + proc.communicate(timeout=10)[1][-500:])
    return proc, url_file.read_text().strip()


def _connect(pki, url):
    port = int(re.fullmatch(r"https://127\.0\.0\.1:(\d+)", url).group(1))
    return http.client.HTTPSConnection("127.0.0.1", port, context=client_context(pki.ca_cert), timeout=5)


@pytest.mark.parametrize("kind", ["vapi", "h4"])
def test_run_py_serve(pki, tmp_path, kind):
    proc, url = _start_run_py(pki, tmp_path, kind, "--max-sessions", "5")
    try:
        conn = _connect(pki, url)

        def call(method, path, body=None, headers=None):
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response, response.read()

        if kind == "vapi":
            response, body = call("POST", "/api/session", headers=basic())
            secret = json.loads(body)
            assert response.status == 201
        else:
            credentials = {"type": "ssoCredentials", "username": USER, "password": PASSWORD}
            response, body = call("POST", "/sessions", json.dumps(credentials), {"Content-Type": "application/json"})
            secret = response.headers["X-VCAV-Auth"]
        response, body = call("GET", "/_sim/stats")
        stats = json.loads(body)
        assert response.status == 200
        assert {k: stats[k] for k in ("logins", "logouts", "open_sessions", "failed_logins", "requests")} == \
            {"logins": 1, "logouts": 0, "open_sessions": 1, "failed_logins": 0, "requests": 1}
        response, _body = call("POST", "/_sim/reset")
        assert response.status == 204
        assert json.loads(call("GET", "/_sim/stats")[1])["logins"] == 0
        conn.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        _stdout, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 0, stderr
    assert "listening on " + url in stderr
    assert re.search(r"conn=1 POST /(api/)?sessions? -> (201|200)", stderr)
    for leaked in (secret, PASSWORD, "Basic ", base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()):
        assert leaked not in stderr


def test_run_py_serve_accepts_the_test_tokens_it_is_given(pki, tmp_path):
    assertion = tmp_path / "bearer-assertion.xml"
    assertion.write_text(SAML + "\n")
    # 4.2: the newest release that still takes a Cloud Director cookie.
    h4, h4_url = _start_run_py(pki, tmp_path / "h4", "h4", "--release", "4.2", "--saml-assertion", str(assertion),
                               "--vcd-token", "jwt-7", "--vcd-cookie", "cookie-7")
    vapi, vapi_url = _start_run_py(pki, tmp_path / "vapi", "vapi", "--saml-assertion", str(assertion))
    try:
        conn = _connect(pki, h4_url)
        logins = [({"type": "vcdAccessToken", "vcdAccessToken": "jwt-7"}, "tenant-admin@acme"),
                  ({"type": "vcdCookie", "vcdCookie": "cookie-7"}, "tenant-admin@acme"),
                  ({"type": "ssoToken", "samlToken": SAML, "timestamp": now_ms(), "nonce": "n-1"},
                   "svc-ansible@vsphere.local"),
                  ({"type": "vcdAccessToken", "vcdAccessToken": "jwt-8"}, None)]
        for body, user in logins:
            conn.request("POST", "/sessions", json.dumps(body), {"Content-Type": "application/json"})
            response = conn.getresponse()
            details = json.loads(response.read())
            assert (response.status, details.get("user")) == ((200, user) if user else (401, None)), body["type"]
        conn.close()
        conn = _connect(pki, vapi_url)
        conn.request("POST", "/api/session", headers=sign(SAML))
        response = conn.getresponse()
        response.read()
        assert response.status == 201
        conn.close()
    finally:
        for proc in (h4, vapi):
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=10)
    assert (h4.returncode, vapi.returncode) == (0, 0)
    refused = _run_py("serve", "--kind", "vapi", "--cert", pki.server_cert, "--key", pki.server_key,
                      "--vcd-token", "jwt-7")
    assert refused.returncode == 2
    assert "--vcd-token, --vcd-cookie and --vcd-api-token are for --kind h4" in refused.stderr


def test_run_py_serve_takes_vcda_api_tokens(pki, tmp_path):
    proc, url = _start_run_py(pki, tmp_path, "h4", "--release", "4.7", "--vcd-api-token", "api-secret-1=ops@acme-dr",
                              "--vcd-api-token", "api-secret-2")
    try:
        conn = _connect(pki, url)
        users = []
        for token, org in (("api-secret-1", "acme-dr"), ("api-secret-2", "acme"), ("api-secret-1", "acme")):
            conn.request("POST", "/sessions", body=json.dumps({"type": "vcdApiToken", "apiToken": token, "org": org}),
                         headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            users.append(json.loads(response.read()).get("user") if response.status == 200 else response.status)
        conn.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        _stdout, stderr = proc.communicate(timeout=10)
    assert users == ["ops@acme-dr", "tenant-admin@acme", 401]
    assert "api-secret" not in stderr


def test_run_py_serve_exits_cleanly_on_sigint(pki, tmp_path):
    url_file = tmp_path / "url"
    proc = subprocess.Popen([sys.executable, str(RUN), "serve", "--kind", "vapi", "--cert", pki.server_cert,
                             "--key", pki.server_key, "--url-file", str(url_file)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not url_file.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert url_file.exists()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
