# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Private to sessionkit.vmware (may change in any release): the SessionApi contract every session API follows, and the state machine run on it.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from abc import ABCMeta, abstractmethod

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import OptionError, SessionApiError
from ansible_collections.sessionkit.vmware.plugins.module_utils._guard import SessionGuard
from ansible_collections.sessionkit.vmware.plugins.module_utils._http import (
    RETRY_STATUSES as HTTP_RETRY_STATUSES,
    check_header_value,
    connection_options,
    http_client,
)


def usable_token(token):
    """Whether a token a server sent can be sent back in a header: the rule ``check_header_value`` applies to a token
    given as an option, so that whatever a login returns is accepted when it comes back."""
    if not isinstance(token, str) or not token.strip():
        return False
    try:
        check_header_value(token, "session token")
    except OptionError:
        return False
    return True


class SessionApi(metaclass=ABCMeta):
    """One VMware API's sessions, as ``ensure_session`` drives them; a subclass per API supplies what is its own.

    A subclass is built by ``for_params`` from the module's ``params`` (or, for a guard's logout, the options that
    ``connection`` kept), and sets ``API`` (its name in guard records), ``FACT`` (the fact the module sets),
    ``SECRET_OPTIONS`` (options never to show in a message), ``CONNECTION_OPTIONS`` (its own options a later logout
    needs) and, where its servers differ, ``RETRY_STATUSES`` (the answers worth another try). Its ``login`` returns
    (token, details) through ``opened``, ``info(token)`` the details or None when the server says the token is gone,
    ``logout(token)`` whether a session was ended (through ``ended``); ``headers`` and ``details_result`` give its
    parts of the returned session.
    """

    API = None
    FACT = None
    SECRET_OPTIONS = ()
    CONNECTION_OPTIONS = ()
    RETRY_STATUSES = HTTP_RETRY_STATUSES

    @classmethod
    def for_params(cls, params):
        """The API's sessions over a new HttpClient for the options in ``params``, with the API's retry rule."""
        return cls(http_client(params, cls.RETRY_STATUSES), params)

    def __init__(self, client, params):
        self.client = client
        self.params = params
        self.secrets = [params[name] for name in self.SECRET_OPTIONS if params.get(name)]

    @abstractmethod
    def login(self):
        """A new session: (token, details), the token through ``opened``."""

    @abstractmethod
    def info(self, token):
        """The session details for ``token``, or None when the server says it is unknown or expired."""

    @abstractmethod
    def logout(self, token):
        """Whether the session was ended (False when the server says it was already gone), through ``ended``."""

    @abstractmethod
    def headers(self, token, details):
        """The headers that authenticate later calls with ``token``."""

    @abstractmethod
    def details_result(self, details):
        """The API's own keys of the returned session, from the details of ``login`` or ``info``."""

    def settle(self, token, details, logged_in, check_mode):
        """Change the working session further; (details, whether it changed anything, more result keys)."""
        return details, False, {}

    def opened(self, token, details):
        """``(token, details())`` for a session a login just opened; a session whose details fail is logged out again.

        ``token`` must be ``usable_token``: the caller refuses it first, with its API's message.
        """
        self.secrets.append(token)
        try:
            return token, details()
        except SessionApiError as error:
            log_out_orphan(self, token, error)
            raise

    def ended(self, gone):
        """Whether a logout ended the session, given whether the server said the token was ``gone`` (HTTP 401).

        Gone after a resend means the first request most likely reached the server and ended the session.
        """
        return not gone or self.client.resent_after_reaching

    def connection(self):
        """What a later logout of this session needs (see ``log_out``): no credentials, only where and how."""
        own = dict((name, self.params.get(name)) for name in self.CONNECTION_OPTIONS)
        return dict(connection_options(self.client), **own)

    def result(self, token, details):
        """The ``session`` the module returns and sets as its fact."""
        session = {"token": token, "headers": self.headers(token, details), "url": self.client.endpoint.base_url}
        session.update(self.details_result(details))
        return session

    @classmethod
    def log_out(cls, connection, token):
        """Log out ``token`` with the options ``connection`` kept; whether a session was ended. A guard calls this."""
        sessions = cls.for_params(connection)
        sessions.secrets.append(token)
        try:
            return sessions.logout(token)
        finally:
            sessions.client.close()


def log_out_orphan(sessions, token, error):
    """Log out a session whose login succeeded but whose answer could not be used, and say so in ``error``'s hint.

    The module fails without returning the token, so nobody else could end that session before it expires.
    """
    client = sessions.client
    retries, client.retries = client.retries, 0  # the server just answered; a slow cleanup would only delay the failure
    try:
        sessions.logout(token)
        note = "The session the login opened was logged out again"
    except SessionApiError:
        note = "The session the login opened could not be logged out and stays open until the server expires it"
    finally:
        client.retries = retries
    error.hint = "%s. %s" % (error.hint.rstrip("."), note) if error.hint else note


def ensure_session(sessions, token, check_mode, can_login):
    """The module result for ``params["state"]`` on ``sessions``, a SessionApi built from the module's params.

    ``token`` is the session to reuse or log out, if any; ``can_login`` says whether credentials were given, so that
    a dead token with none fails with a message rather than a 401. A guard (see SessionGuard) records and guards a
    session this call opens, and forgets one it ends. A session this call opened is logged out again when settling
    it fails, since nobody else gets its token.
    """
    if not isinstance(sessions, SessionApi):
        raise TypeError("ensure_session needs a SessionApi, not %s" % type(sessions).__name__)
    params, client = sessions.params, sessions.client
    set_facts = params["set_facts"]
    guard = SessionGuard(sessions.API, params, type(sessions).log_out)
    try:
        if params["state"] == "absent":
            if check_mode:
                alive = sessions.info(token) is not None
                return {"changed": alive, "attempts": client.max_attempts,
                        "msg": "would log out" if alive else "the session was already gone"}
            ended = sessions.logout(token)
            guard.forget(token)
            result = {"changed": ended, "attempts": client.max_attempts,
                      "msg": "logged out" if ended else "the session was already gone"}
            if set_facts:
                # Overwrites the fact, and so any fact cache, with a session that carries no token.
                result["ansible_facts"] = {sessions.FACT: {"token": "", "headers": {}, "url": client.endpoint.base_url}}
            return result
        details = sessions.info(token) if token else None
        changed = details is None
        if changed:
            if not can_login:
                raise OptionError("the token is no longer valid and no credentials were given to log in again")
            guard.prepare()
            with guard.shield():
                token, details = sessions.login()
                guard.start(token, sessions.connection())
        try:
            details, settled, result = sessions.settle(token, details, changed, check_mode)
        except SessionApiError as error:
            if changed:
                log_out_orphan(sessions, token, error)
            raise
        changed = changed or settled
        session = sessions.result(token, details)
        result.update(changed=changed, session=session, attempts=client.max_attempts)
        if set_facts:
            result["ansible_facts"] = {sessions.FACT: session}
        return result
    finally:
        client.close()
