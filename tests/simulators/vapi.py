# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vSphere Automation API simulator: /api/session (7.0 U2+), the legacy /rest/com/vmware/cis/session, and the few
downstream calls the collection's guides make: the VM list (with its power-state filter), one VM, and tag category
creation.

Status codes, bodies and content types follow /work/shared/reference/api-facts.md.
"""

import base64
import binascii
import gzip
import re
import secrets

from .base import Response, SimServer, iso_time, json_response

DEFAULT_USERS = {"administrator@vsphere.local": "VMware1!"}

VMS = [
    {"vm": "vm-101", "name": "web-01", "power_state": "POWERED_ON", "cpu_count": 2, "memory_size_MiB": 4096},
    {"vm": "vm-102", "name": "db-01", "power_state": "POWERED_ON", "cpu_count": 4, "memory_size_MiB": 16384},
    {"vm": "vm-103", "name": "build-01", "power_state": "POWERED_OFF", "cpu_count": 1, "memory_size_MiB": 2048},
]

SESSION_HEADER = "vmware-api-session-id"
HEADER_AUTHN = "vmware-use-header-authn"
LEGACY_SESSION = "/rest/com/vmware/cis/session"
VM_PATH = re.compile(r"^/api/vcenter/vm/([^/]+)$")
POWER_STATES = ("POWERED_ON", "POWERED_OFF", "SUSPENDED")
CARDINALITIES = ("SINGLE", "MULTIPLE")

# error_type and its first message for each status the simulator produces or a test may script.
_ERRORS = {
    400: ("INVALID_ARGUMENT", "com.vmware.vapi.rest.badRequest", "Bad request."),
    401: ("UNAUTHENTICATED", "com.vmware.vapi.endpoint.method.authentication.required", "Authentication required."),
    403: ("UNAUTHORIZED", "com.vmware.vapi.endpoint.method.authorization.failed", "Permission denied."),
    404: ("NOT_FOUND", "com.vmware.vapi.rest.httpNotFound", "Not found."),
    429: ("RESOURCE_BUSY", "com.vmware.vapi.endpoint.resourceBusy", "Resource busy."),
    500: ("INTERNAL_SERVER_ERROR", "com.vmware.vapi.endpoint.internalServerError", "Internal server error."),
    503: ("SERVICE_UNAVAILABLE", "com.vmware.vapi.endpoint.serviceUnavailable", "Service unavailable."),
    504: ("TIMED_OUT", "com.vmware.vapi.endpoint.timedOut", "Timed out."),
}
MAX_SESSIONS_ID = "com.vmware.vapi.endpoint.failedToLoginMaxUserSessionCountReached"


# govmomi's vcsim serves no /api/...: Go's http.NotFound answers, byte for byte.
def go_not_found():
    return Response(404, b"404 page not found\n", "text/plain; charset=utf-8", {"X-Content-Type-Options": "nosniff"})


def error_body(error_type, message_id, message, legacy=False):
    """The vAPI error: top level on /api, wrapped in {"type", "value"} on the legacy /rest paths."""
    error = {"error_type": error_type, "messages": [{"id": message_id, "default_message": message, "args": []}]}
    if legacy:
        return {"type": "com.vmware.vapi.std.errors." + error_type.lower(), "value": error}
    return error


class VapiSimulator(SimServer):
    """vCenter's REST login endpoints. ``legacy_only`` makes /api/... answer 404 like vcsim (and vCenter < 7.0 U2)."""

    kind = "vapi"

    def __init__(self, certfile, keyfile, users=None, saml_tokens=(), legacy_only=False, host="127.0.0.1", port=0,
                 max_sessions=None):
        super().__init__(certfile, keyfile, host=host, port=port, max_sessions=max_sessions)
        self._defaults.update(users=dict(DEFAULT_USERS if users is None else users),
                              saml_tokens=set(saml_tokens), legacy_only=legacy_only)
        self.reset()

    def _reset_api_state(self):
        # One entry per legacy login request: whether it carried vmware-use-header-authn.
        self.header_authn = []
        # Tag categories created through POST /api/cis/tagging/category: id -> the request's fields.
        self.tag_categories = {}

    # ----- errors

    def error_response(self, status, request):
        error_type, message_id, message = _ERRORS.get(status, ("ERROR", "com.vmware.vapi.std.errors.error", "Error."))
        return self._error(status, error_type, message_id, message, request)

    def _error(self, status, error_type, message_id, message, request):
        return json_response(status, error_body(error_type, message_id, message, _is_legacy(request)))

    # ----- routing

    def route(self, request):
        path, method = request.route, request.method
        if path == "/api" or path.startswith("/api/"):
            if self.legacy_only:
                return go_not_found()
            if path == "/api/session":
                handler = {"POST": self._login, "GET": self._info, "DELETE": self._logout}.get(method)
                if handler:
                    return handler(request)
            if path == "/api/vcenter/vm" and method == "GET":
                return self._vms(request)
            vm = VM_PATH.match(path)
            if vm and method == "GET":
                return self._vm(request, vm.group(1))
            if path == "/api/cis/tagging/category" and method == "POST":
                return self._create_category(request)
        elif path == LEGACY_SESSION:
            if method == "POST" and request.query.get("~action") == ["get"]:
                return self._info(request)
            if method == "POST" and "~action" not in request.query:
                return self._legacy_login(request)
            if method == "DELETE":
                return self._logout(request)
        elif path == "/rest/vcenter/vm" and method == "GET":
            return self._vms(request)
        return self.error_response(404, request)

    # ----- session calls

    def _login(self, request):
        user = self._authenticate(request)
        if user is None:
            self._login_failed()
            return self.error_response(401, request)
        session = self._open_session(user, api="api")
        if session is None:
            return self._limit_error(request, user)
        # The body is a bare JSON string.
        return json_response(201, session.token)

    def _legacy_login(self, request):
        with self._lock:
            self.header_authn.append(HEADER_AUTHN in request.headers)
        user = self._authenticate(request)
        if user is None:
            self._login_failed()
            return self.error_response(401, request)
        session = self._open_session(user, api="rest", header_authn=HEADER_AUTHN in request.headers)
        if session is None:
            return self._limit_error(request, user)
        headers = {}
        if HEADER_AUTHN not in request.headers:
            # Without the CSRF guard header vCenter also hands out the token as a cookie. The simulator never
            # accepts that cookie back, so a client that leans on a cookie jar fails loudly here.
            headers["Set-Cookie"] = "%s=%s; Path=/rest; Secure; HttpOnly" % (SESSION_HEADER, session.token)
        return json_response(200, {"value": session.token}, headers=headers)

    def _limit_error(self, request, user):
        return self._error(503, "SERVICE_UNAVAILABLE", MAX_SESSIONS_ID,
                           "Failed to login: the maximum number of sessions for user %s has been reached." % user,
                           request)

    def _info(self, request):
        session = self._find_session(request.headers.get(SESSION_HEADER))
        if session is None:
            return self.error_response(401, request)
        info = {"user": session.user, "created_time": iso_time(session.created),
                "last_accessed_time": iso_time(session.last_accessed)}
        return json_response(200, {"value": info} if _is_legacy(request) else info)

    def _logout(self, request):
        if not self._close_session(request.headers.get(SESSION_HEADER)):
            return self.error_response(401, request)
        # /api answers 204; the legacy path 200 with an empty body.
        return Response(200) if _is_legacy(request) else Response(204)

    def _vms(self, request):
        if self._find_session(request.headers.get(SESSION_HEADER)) is None:
            return self.error_response(401, request)
        # /api takes the filter as power_states, /rest as filter.power_states; repeated or comma-separated.
        asked = request.query.get("filter.power_states" if _is_legacy(request) else "power_states", [])
        states = {state for value in asked for state in value.split(",") if state}
        if states - set(POWER_STATES):
            return self._error(400, "INVALID_ARGUMENT", "com.vmware.vapi.rest.badRequest",
                               "Unknown power state; expected one of %s." % ", ".join(POWER_STATES), request)
        vms = [dict(vm) for vm in VMS if not states or vm["power_state"] in states]
        return json_response(200, {"value": vms} if _is_legacy(request) else vms)

    def _vm(self, request, vm_id):
        """GET /api/vcenter/vm/{vm}: a short form of vCenter's VM details, enough for a guide's loop."""
        if self._find_session(request.headers.get(SESSION_HEADER)) is None:
            return self.error_response(401, request)
        vm = next((vm for vm in VMS if vm["vm"] == vm_id), None)
        if vm is None:
            return self._error(404, "NOT_FOUND", "com.vmware.api.vcenter.vm.not_found",
                               "Virtual machine with identifier '%s' does not exist." % vm_id, request)
        return json_response(200, {"name": vm["name"], "power_state": vm["power_state"],
                                   "cpu": {"count": vm["cpu_count"]}, "memory": {"size_MiB": vm["memory_size_MiB"]}})

    def _create_category(self, request):
        """POST /api/cis/tagging/category: 201 with the new category's id as a JSON string, as vCenter answers."""
        if self._find_session(request.headers.get(SESSION_HEADER)) is None:
            return self.error_response(401, request)
        try:
            spec = request.json()
        except ValueError:
            spec = None
        if not (isinstance(spec, dict) and isinstance(spec.get("name"), str) and spec["name"]
                and spec.get("cardinality") in CARDINALITIES and isinstance(spec.get("associable_types"), list)):
            return self._error(400, "INVALID_ARGUMENT", "com.vmware.vapi.rest.badRequest",
                               "A category needs name, cardinality (SINGLE or MULTIPLE) and associable_types.",
                               request)
        with self._lock:
            if any(c["name"] == spec["name"] for c in self.tag_categories.values()):
                return self._error(400, "ALREADY_EXISTS", "com.vmware.cis.tagging.category.already_exists",
                                   "A category named '%s' already exists." % spec["name"], request)
            category_id = "urn:vmomi:InventoryServiceCategory:%s:GLOBAL" % secrets.token_hex(8)
            self.tag_categories[category_id] = dict(spec)
        return json_response(201, category_id)

    # ----- credentials

    def _authenticate(self, request):
        """The user named by HTTP Basic or a SAML bearer token (Authorization: SIGN token=...), or None."""
        scheme, _sep, value = request.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() == "basic":
            try:
                user, colon, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            if colon and user in self.users and self.users[user] == password:
                return user
            return None
        if scheme.upper() == "SIGN":
            match = re.search(r'token="([^"]*)"', value)
            if not match:
                return None
            try:
                assertion = gzip.decompress(base64.b64decode(match.group(1), validate=True)).decode("utf-8")
            except (binascii.Error, OSError, EOFError, UnicodeDecodeError):
                return None
            if assertion in self.saml_tokens:
                return saml_subject(assertion)
        return None


def saml_subject(assertion):
    """The NameID of a SAML assertion, which is whom the session belongs to."""
    match = re.search(r"<(?:[\w.-]+:)?NameID\b[^>]*>([^<]+)<", assertion)
    return match.group(1).strip() if match else "saml-user@vsphere.local"


def _is_legacy(request):
    return request.route.startswith("/rest/")
