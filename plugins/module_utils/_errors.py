# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Private to sessionkit.vmware (may change in any release): the one error type, what a vendor's error body said, and fail_json arguments.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

# Server text is shown to people; past these sizes it is noise or an attack.
MAX_PARSED_BODY = 1024 * 1024
MAX_MESSAGE_CHARS = 300
MAX_MESSAGES = 5
# An error page's title is near its top; scanning further only lets a hostile page make the title search slow.
MAX_HTML_SCAN = 16 * 1024

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
# Bounded repeats and no backtracking over the page: a hostile page must not make these searches slow.
_HTML_TITLE_OPEN = re.compile(r"<(title|h1)\b[^<>]{0,200}>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^<>]{0,200}>")


class OptionError(ValueError):
    """An option value that cannot work; raised before any request is sent."""

    def __init__(self, message):
        super(OptionError, self).__init__(message)
        self.message = message


class SessionApiError(Exception):
    """Everything that can go wrong talking to a server, with what a playbook may test.

    ``reason`` says why (``HTTP 401 UNAUTHENTICATED: Authentication required.``),
    ``action`` says what was tried (``vSphere Automation login to vc:443 as 'me'``)
    and is filled in by the API layer, which knows it; the HTTP layer does not.
    """

    def __init__(self, reason, url=None, status=None, error_type=None, server_messages=None, hint=None, message_ids=None):
        super(SessionApiError, self).__init__(reason)
        self.reason = reason
        self.url = url
        self.status = status
        self.error_type = error_type
        self.server_messages = list(server_messages or [])
        self.hint = hint
        self.message_ids = list(message_ids or [])
        self.action = None
        self.attempts = 1

    @property
    def message(self):
        text = self.reason
        if self.action:
            text = "%s failed: %s" % (self.action, text)
        if self.attempts > 1:
            text = "%s (gave up after %d attempts)" % (text.rstrip("."), self.attempts)
        if self.hint:
            text = "%s. %s" % (text.rstrip("."), self.hint)
        return text

    def __str__(self):
        return self.message


def fail_kwargs(error):
    """The keyword arguments for ``module.fail_json`` from an OptionError or SessionApiError."""
    if isinstance(error, OptionError):
        return {"msg": error.message}
    return {
        "msg": error.message,
        "url": error.url,
        "status": error.status,
        "error_type": error.error_type,
        "server_messages": error.server_messages,
        "attempts": error.attempts,
    }


def clean_text(value, secrets=()):
    """Server text made safe to show: a string, one line, bounded, with any known secret masked."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else str(value)
    # Masked after control characters become spaces (which could complete a secret) and in any letter case (a
    # server may echo a value upper-cased).
    value = _CONTROL_CHARS.sub(" ", value)
    for secret in secrets:
        if secret and len(secret) >= 4:
            value = re.sub(re.escape(secret), "********", value, flags=re.IGNORECASE)
    value = value.strip()
    if len(value) > MAX_MESSAGE_CHARS:
        value = value[:MAX_MESSAGE_CHARS].rstrip() + "..."
    return value


def decode_json(body):
    """The parsed JSON of a response body, or None when it is empty, too large or not JSON."""
    if not body or len(body) > MAX_PARSED_BODY:
        return None
    try:
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


class VendorError(object):
    """What a vendor error body said: its code and its messages, first the outermost. Each API's file has the parser
    that reads its bodies into one."""

    def __init__(self, code=None, messages=None, message_ids=None):
        self.code = code
        self.messages = messages or []
        self.message_ids = message_ids or []


def describe_body(body, content_type, secrets=()):
    """A short, safe phrase for a body that is not the API's JSON: empty, an HTML page, or other text."""
    if not body:
        return "an empty body"
    kind = (content_type or "unknown type").split(";")[0].strip() or "unknown type"
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    if "html" in kind.lower() or text.lstrip()[:1] == "<":
        title = ""
        found = _HTML_TITLE_OPEN.search(text[:MAX_HTML_SCAN])
        if found:
            end = text.lower().find("</" + found.group(1).lower(), found.end(), found.end() + 2 * MAX_MESSAGE_CHARS)
            if end >= 0:
                title = clean_text(" ".join(_HTML_TAG.sub(" ", text[found.end():end]).split()), secrets)
        return "an HTML page%s instead of JSON" % (" ('%s')" % title if title else "")
    return "a non-JSON body (%s, %d bytes)" % (clean_text(kind, secrets), len(body))


def http_error(status, body, content_type, url, parser, secrets=()):
    """The SessionApiError for an unexpected HTTP answer, using ``parser`` for the vendor body."""
    vendor = parser(decode_json(body), secrets)
    if vendor is None:
        reason = "HTTP %s with %s" % (status, describe_body(body, content_type, secrets))
        return SessionApiError(reason, url=url, status=status)
    reason = "HTTP %s" % status
    if vendor.code:
        reason += " " + vendor.code
    if vendor.messages:
        reason += ": " + vendor.messages[0]
        if len(vendor.messages) > 1:
            reason += " (caused by: %s)" % "; ".join(vendor.messages[1:])
    return SessionApiError(reason, url=url, status=status, error_type=vendor.code,
                           server_messages=vendor.messages, message_ids=vendor.message_ids)


def response_error(response, action, parser, secrets=()):
    """The SessionApiError for an unexpected HttpResponse, naming ``action`` and the attempts it took."""
    error = http_error(response.status, response.body, response.content_type, response.url, parser, secrets)
    error.action = action
    error.attempts = response.attempts
    error.hint = getattr(response, "not_resent", None)
    return error


class acting(object):
    """Context manager naming the ``action`` in any SessionApiError raised inside it that does not name one yet."""

    def __init__(self, action):
        self.action = action

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if isinstance(exc, SessionApiError) and exc.action is None:
            exc.action = self.action
        return False
