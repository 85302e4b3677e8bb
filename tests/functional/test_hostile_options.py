# -*- coding: utf-8 -*-
# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Hostile option values through the real modules: one ansible-playbook run with one ignore_errors task per value.
# Each must fail with a clear message before any request is sent, so the simulators must see no request at all.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from functional.helpers import VAPI_USER

PASSWORD = "Hostile-Pa55-7731"
LONG = "a" * 10240
INJECTED = "abc\r\nX-Injected: yes"
NOT_PEM = object()  # replaced by the path of a file that exists but holds no certificate

# (name, module, options, what the message must say). Options are merged over a working login.
CASES = [
    ("host with a space", "vapi", {"hostname": "vc example.com"}, "contains spaces or control characters"),
    ("host with http scheme", "vapi", {"hostname": "http://127.0.0.1"}, "served over HTTPS only"),
    ("host with a path", "vapi", {"hostname": "https://127.0.0.1/api"}, "has a path or query"),
    ("host with a bare path", "h4", {"hostname": "127.0.0.1/sessions"}, "has a path"),
    ("host with credentials", "vapi", {"hostname": "https://me:%s@127.0.0.1" % PASSWORD}, "must not carry credentials"),
    ("host of 10 kB", "vapi", {"hostname": LONG}, "contains spaces or control characters"),
    ("host with a newline", "h4", {"hostname": "127.0.0.1\nX-Evil: 1"}, "contains spaces or control characters"),
    ("host with unicode junk", "vapi", {"hostname": "vc\u2029example"}, "contains spaces or control characters"),
    ("host with bad unicode label", "vapi", {"hostname": "\u00e9" * 70 + ".example"}, "is not a valid host name"),
    ("port 0", "vapi", {"port": 0}, "port 0 is out of range: use 1 to 65535"),
    ("port 65536", "h4", {"port": 65536}, "port 65536 is out of range: use 1 to 65535"),
    ("port abc", "vapi", {"port": "abc"}, "port"),
    ("port in host abc", "vapi", {"hostname": "127.0.0.1:abc", "port": None}, "is not a port number"),
    ("two ports", "vapi", {"hostname": "127.0.0.1:1"}, "give the port in one place only"),
    ("empty password", "vapi", {"password": ""}, "password is missing or empty"),
    ("empty password h4", "h4", {"password": ""}, "auth_type=sso needs password, which is missing or empty"),
    ("username with newline", "vapi", {"username": "root\r\nX-Injected yes"}, "line break or control character"),
    ("session_token with newline", "vapi", {"session_token": INJECTED}, "session_token contains a line break"),
    ("session_token of 10 kB", "vapi", {"session_token": LONG}, "more than the 8000 an HTTP header can carry"),
    ("token with newline", "h4", {"token": INJECTED}, "token contains a line break"),
    ("token of 10 kB", "h4", {"token": LONG}, "more than the 8000 an HTTP header can carry"),
    ("operation_id with newline", "h4", {"operation_id": INJECTED}, "operation_id contains a line break"),
    # http.client sends headers as Latin-1: anything else would crash inside it after the connection was made.
    ("session_token with unicode", "vapi", {"session_token": "tok\u20acen-7731"},
     "session_token contains characters outside Latin-1"),
    ("token with unicode", "h4", {"token": "tok\u20acen-7731"}, "token contains characters outside Latin-1"),
    ("operation_id with unicode", "h4", {"operation_id": "op-\u4e2d\u6587"},
     "operation_id contains characters outside Latin-1"),
    ("token with a leading space", "h4", {"token": " tok-7731"}, "token starts with white space"),
    ("operation_id with a leading no-break space", "h4", {"operation_id": "\u00a0op-1"},
     "operation_id starts with white space"),
    ("api_version junk", "h4", {"api_version": "4.7\r\nX: y"}, "is not a version such as 4.7"),
    ("api_version with a final newline", "h4", {"api_version": "4.7\n"}, "is not a version such as 4.7"),
    ("api_version in Arabic digits", "h4", {"api_version": "\u0664.\u0667"}, "is not a version such as 4.7"),
    ("timeout 0", "vapi", {"timeout": 0}, "timeout 0 is not a positive number of seconds"),
    ("retries -1", "h4", {"retries": -1}, "retries -1 is out of range"),
    ("proxy_url without scheme", "vapi", {"proxy_url": "proxy:3128"}, "proxy_url must start with http://"),
    ("missing ca_path", "vapi", {"ca_path": "/nonexistent/ca.pem"}, "is not a readable file"),
    ("ca_path that is not PEM", "h4", {"ca_path": NOT_PEM}, "holds no PEM certificate"),
    ("saml junk", "vapi", {"saml_token": "not xml!", "username": None, "password": None}, "neither SAML XML"),
]


def test_hostile_values_fail_clearly_before_any_request(pki, vapi, h4, run_playbook, tmp_path):
    not_pem = tmp_path / "download.zip"
    not_pem.write_bytes(b"PK\x03\x04 not a certificate")
    tasks = []
    for name, module, options, _expected in CASES:
        sim = vapi if module == "vapi" else h4
        args = {"hostname": "127.0.0.1", "port": sim.port, "ca_path": pki.ca_cert,
                "username": VAPI_USER, "password": PASSWORD}
        args.update(options)
        if args["ca_path"] is NOT_PEM:
            args["ca_path"] = str(not_pem)
        args = dict((k, v) for k, v in args.items() if v is not None)
        tasks.append({"name": name, "sessionkit.vmware.%s_session" % module: args, "ignore_errors": True})
    run = run_playbook({"tasks": tasks})
    assert run.rc == 0, run.output
    wrong = []
    for name, expected in ((case[0], case[3]) for case in CASES):
        result = run.result(name)
        if not (result["failed"] is True and expected in result.get("msg", "") and "session" not in result
                and len(result["msg"]) < 600):
            wrong.append((name, result.get("msg")))
    assert wrong == []
    # No request reached either server: every value was refused before anything was sent.
    assert vapi.requests == [] and h4.requests == []
    assert vapi.connections == 0 and h4.connections == 0
    assert PASSWORD not in run.output
    assert "X-Injected: yes" not in "".join(r["result"].get("msg", "") for r in run.records)
