# Private to sessionkit.vmware (may change in any release): shared option sets, each paired with the doc fragment of its name.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback


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
