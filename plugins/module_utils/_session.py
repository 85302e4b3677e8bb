# Private to sessionkit.vmware (may change in any release): the state machine both session modules share.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.sessionkit.vmware.plugins.module_utils._errors import OptionError, SessionApiError


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


def ensure_session(sessions, state, token, check_mode, fact_name, can_login, guard, set_facts=True, settle=None):
    """The module result for ``state``, given an API object with ``info``, ``login``, ``logout`` and ``result``.

    ``info(token)`` returns the session details or None when the server says the token is gone;
    ``login()`` returns (token, details or None); ``logout(token)`` returns whether a session was ended;
    ``result(token, details)`` builds the returned ``session`` dict; ``connection()`` what a later logout needs.
    ``can_login`` says whether credentials were given, so that a dead token with none fails with a message rather
    than a 401. ``guard`` (a SessionGuard) records and guards a session this call opens, and forgets one it ends.
    ``settle(token, details, logged_in, check_mode)``, when given, changes the working session further (VCDA's
    sites) and returns (details, whether it changed anything, more result keys). A session this call opened is
    logged out again when settling fails, since nobody else gets its token.
    """
    client = sessions.client
    try:
        if state == "absent":
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
                result["ansible_facts"] = {fact_name: {"token": "", "headers": {}, "url": client.endpoint.base_url}}
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
        result = {}
        if settle is not None:
            try:
                details, settled, result = settle(token, details, changed, check_mode)
            except SessionApiError as error:
                if changed:
                    log_out_orphan(sessions, token, error)
                raise
            changed = changed or settled
        session = sessions.result(token, details)
        result.update(changed=changed, session=session, attempts=client.max_attempts)
        if set_facts:
            result["ansible_facts"] = {fact_name: session}
        return result
    finally:
        client.close()
