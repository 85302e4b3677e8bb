# Private to sessionkit.vmware (may change in any release): shared option sets, each paired with the doc fragment of its name.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import ssl

from ansible.module_utils.basic import env_fallback

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import OptionError
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import HttpClient, parse_endpoint

MAX_RETRIES = 10


def _endpoint_options(env_prefix):
    return dict(
        hostname=dict(type="str", required=True, fallback=(env_fallback, [env_prefix + "_HOST"])),
        port=dict(type="int", fallback=(env_fallback, [env_prefix + "_PORT"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, [env_prefix + "_VALIDATE_CERTS"])),
    )


def vapi_endpoint_options():
    """Where the vSphere Automation API is, with the VMWARE_* variables other VMware collections use."""
    return _endpoint_options("VMWARE")


def h4_endpoint_options():
    """Where the VMware Cloud Director Availability API is, with VCDA_* variables."""
    return _endpoint_options("VCDA")


def transport_options():
    """How requests travel: CA bundle, timeout, proxy and retries."""
    return dict(
        ca_path=dict(type="path"),
        timeout=dict(type="int", default=30),
        proxy_url=dict(type="str"),
        retries=dict(type="int", default=3),
    )


def http_client(params):
    """An HttpClient for the endpoint and transport options in ``params``; OptionError for values that cannot work."""
    endpoint = parse_endpoint(params["hostname"], params["port"])
    if params["timeout"] < 1:
        raise OptionError("timeout %d is not a positive number of seconds" % params["timeout"])
    if not 0 <= params["retries"] <= MAX_RETRIES:
        raise OptionError("retries %d is out of range: use 0 to %d" % (params["retries"], MAX_RETRIES))
    ca_path = params["ca_path"]
    if ca_path and not (os.path.isfile(ca_path) and os.access(ca_path, os.R_OK)):
        raise OptionError("ca_path '%s' is not a readable file: give the path of a PEM CA bundle" % ca_path)
    if ca_path and params["validate_certs"]:
        # Loaded here so that a wrong file is named as such, not blamed on the server's handshake later.
        try:
            ssl.create_default_context(cafile=ca_path)
        except (ssl.SSLError, OSError, ValueError):
            raise OptionError("ca_path '%s' holds no PEM certificate: give a file of CA certificates in PEM form "
                              "(-----BEGIN CERTIFICATE-----)" % ca_path)
    proxy_url = params["proxy_url"]
    if proxy_url and not proxy_url.lower().startswith(("http://", "https://")):
        raise OptionError("proxy_url must start with http:// or https://, such as http://proxy.example.com:3128")
    return HttpClient(endpoint, validate_certs=params["validate_certs"], ca_path=ca_path,
                      timeout=params["timeout"], proxy_url=proxy_url, retries=params["retries"])


def connection_options(client):
    """The endpoint and transport options of ``client``, as ``http_client`` takes them: what a later logout needs."""
    return dict(hostname=client.endpoint.host, port=client.endpoint.port, validate_certs=client.validate_certs,
                ca_path=client.ca_path, timeout=client.timeout, proxy_url=client.proxy_url, retries=client.retries)
