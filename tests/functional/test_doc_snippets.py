# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every YAML snippet a user may copy runs as written, through ansible-playbook, against the simulators.

Snippets come from README.md, roles/session/README.md, docs/docsite/rst/*.rst (``code-block:: yaml`` and
``yaml+jinja``) and the EXAMPLES of both modules. Each one is its own test, named ``file:line``.

Connection values are the one thing swapped: every snippet reads them from the variables that README.md lists under
"Variables in the examples" (``vcenter_hostname``, ``vcenter_password``, ``vcda_ca_path``...), and the test passes
the simulators' values for them as extra vars. A snippet that logs in must leave no session open on either
simulator, unless its marker says it keeps one on purpose.

A marker is one line right before the snippet (in EXAMPLES, any comment line of the snippet), read by this test:
``<!-- doc-test: ... -->`` in Markdown, ``.. doc-test: ...`` (an RST comment) in the guides, ``# doc-test: ...``
in EXAMPLES. Its text is a way to run the snippet, then options, separated by ``;``:

``playbook``
    a complete playbook, run as it is; the default where a snippet has no marker.
``tasks``
    a task list, run as the tasks of a play on localhost without facts; the default in EXAMPLES.
``tasks in session vcenter``
    a task list that uses a session registered as ``vcenter``: it runs after a login registered so, and before the
    logout of that session.
``tasks in session vcda``
    the same with a VCDA session registered as ``vcda``, of a Cloud Director user, extended to the simulator's remote
    sites ``site-b`` and ``site-c``.
``file NAME``
    not run alone: written as NAME next to the playbook of every snippet of the same document; a snippet that names
    it must run its tasks.
``not run: REASON``
    cannot run here (it names something the simulators cannot stand in for); it must still parse as YAML.
``variables``
    variables for an inventory's ``group_vars`` or a play's ``vars``, not run: it must parse as a YAML mapping.
``keeps a session: REASON``
    option: the snippet leaves a session open on purpose; the test checks that it does.
``guarded``
    option: the snippet logs in with ``guard: true`` and leaves the logout to the guard, which logs the session out
    once ansible-playbook has ended; the test waits for that (up to 10 s), then checks that no session is open and
    that the guard directory, which the login used, holds no record.
``logs in nowhere: REASON``
    option: the snippet opens no session (it cleans up after other runs, say); the test checks that it logs in
    nowhere, instead of requiring a login.
``stand-in roles: NAME ...``
    option: these roles stand for the reader's own; each is given a task that lists VMs with ``vapi_session``.
``environment: NAME=variable ...``
    option: the snippet reads these environment variables; each is set to the value of the convention variable.
``inventory: GROUP=HOST,HOST...``
    option: the inventory also has GROUP with these hosts, each an alias of the local machine; may be repeated.
``logins: N``
    option: the snippet logs in N times in all, on both simulators (one login per endpoint, however many hosts).
``vcda release: RELEASE``
    option: the snippet needs a VCDA appliance of that release (such as 4.2, the last with cookie logins);
    ``vcda_hostname`` then names a simulator of that release.
In EXAMPLES, a comment line at the start of a line that follows YAML starts a new snippet.
"""

import ast
import re
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from functional.helpers import DEPRECATION, H4_PASSWORD, H4_USER, VAPI_PASSWORD, VAPI_USER
from lab import REMOTE_API_TOKEN, SAML_ASSERTION, VCD_API_TOKEN, VCD_COOKIE, VCD_TOKEN
from simulators.h4 import DEFAULT_LOCAL_USERS, DEFAULT_VCD_USERS, H4Simulator

ROOT = Path(__file__).resolve().parents[2]
MARKDOWN = ("README.md", "roles/session/README.md")
GUIDES = tuple(sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs" / "docsite" / "rst").glob("*.rst")))
MODULES = ("plugins/modules/vapi_session.py", "plugins/modules/h4_session.py", "plugins/modules/session_cleanup.py")

_MD_MARKER = re.compile(r"^\s*<!--\s*doc-test:\s*(.*?)\s*-->\s*$")
_RST_MARKER = re.compile(r"^\s*\.\.\s+doc-test:\s*(.*?)\s*$")
_YAML_MARKER = re.compile(r"^#\s*doc-test:\s*(.*?)\s*$")
_MD_FENCE = re.compile(r"^(\s*)```\s*(ya?ml)\s*$")
_RST_BLOCK = re.compile(r"^(\s*)\.\. code-block::\s*(\S+)\s*$")


@dataclass
class Snippet:
    path: str
    line: int  # of the snippet's first YAML line
    text: str
    marker: str = None
    how: str = "playbook"
    file_name: str = None
    reason: str = None
    keeps_session: str = None
    guarded: bool = False
    logs_in_nowhere: str = None
    stand_in_roles: list = field(default_factory=list)
    environment: dict = field(default_factory=dict)
    inventory: dict = field(default_factory=dict)  # group -> host names
    logins: int = None
    vcda_release: str = None

    @property
    def id(self):
        return "%s:%d" % (self.path, self.line)


def parse_marker(snippet, marker):
    """Fill in how ``snippet`` runs from its marker text (see the module docstring); unknown words are errors."""
    snippet.marker = marker
    if marker is None:
        return snippet
    how, *options = [part.strip() for part in marker.split(";")]
    if how in ("playbook", "tasks", "variables", "tasks in session vcenter", "tasks in session vcda"):
        snippet.how = how
    elif how.startswith("file "):
        snippet.how, snippet.file_name = "file", how[len("file "):].strip()
    elif how.startswith("not run:") and how[len("not run:"):].strip():
        snippet.how, snippet.reason = "not run", how[len("not run:"):].strip()
    else:
        raise ValueError("%s: unknown doc-test marker %r" % (snippet.id, marker))
    for option in options:
        name, _sep, value = option.partition(":")
        value = value.strip()
        if name == "keeps a session" and value:
            snippet.keeps_session = value
        elif option == "guarded":
            snippet.guarded = True
        elif name == "logs in nowhere" and value:
            snippet.logs_in_nowhere = value
        elif name == "stand-in roles" and value:
            snippet.stand_in_roles = value.split()
        elif name == "environment" and value:
            snippet.environment = dict(pair.split("=", 1) for pair in value.split())
        elif name == "inventory" and "=" in value:
            group, _sep, hosts = value.partition("=")
            snippet.inventory[group.strip()] = [host for host in hosts.split(",") if host.strip()]
        elif name == "logins" and value.isdigit():
            snippet.logins = int(value)
        elif name == "vcda release" and re.fullmatch(r"\d+\.\d+", value):
            snippet.vcda_release = value
        else:
            raise ValueError("%s: unknown or empty doc-test option %r" % (snippet.id, option))
    return snippet


def _marker_before(lines, index, pattern):
    """The marker on the last non-blank line before ``lines[index]``, if that line is one."""
    for previous in reversed(lines[:index]):
        if previous.strip():
            match = pattern.match(previous)
            return match.group(1) if match else None
    return None


def markdown_snippets(path):
    lines = (ROOT / path).read_text().splitlines()
    found, index = [], 0
    while index < len(lines):
        fence = _MD_FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == "```")
        text = textwrap.dedent("\n".join(lines[index + 1:end])) + "\n"
        found.append(parse_marker(Snippet(path, index + 2, text), _marker_before(lines, index, _MD_MARKER)))
        index = end + 1
    return found


def rst_snippets(path):
    lines = (ROOT / path).read_text().splitlines()
    found = []
    for index, line in enumerate(lines):
        block = _RST_BLOCK.match(line)
        if not block or block.group(2) not in ("yaml", "yaml+jinja"):
            continue
        indent = len(block.group(1))
        body = []
        for following in lines[index + 1:]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            body.append(following)
        first = next(i for i, text in enumerate(body) if text.strip() and not text.strip().startswith(":"))
        text = textwrap.dedent("\n".join(body[first:])).strip("\n") + "\n"
        snippet = Snippet(path, index + 2 + first, text)
        found.append(parse_marker(snippet, _marker_before(lines, index, _RST_MARKER)))
    return found


def example_snippets(path):
    """The module's EXAMPLES, cut where a comment line follows YAML; task lists unless a marker says otherwise."""
    tree = ast.parse((ROOT / path).read_text())
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "EXAMPLES")
    lines = node.value.value.split("\n")
    chunks, current, has_yaml = [], [], False
    for number, line in enumerate(lines):
        if line.startswith("#") and has_yaml:
            chunks.append(current)
            current, has_yaml = [], False
        current.append((number, line))
        has_yaml = has_yaml or bool(line.strip()) and not line.startswith("#")
    chunks.append(current)
    found = []
    for chunk in chunks:
        yaml_lines = [number for number, line in chunk if line.strip() and not line.startswith("#")]
        if not yaml_lines:
            continue
        markers = [_YAML_MARKER.match(line).group(1) for _n, line in chunk if _YAML_MARKER.match(line)]
        # The string starts on the line of ``EXAMPLES = r"""``, so its line N is the file's line lineno + N.
        snippet = Snippet(path, node.value.lineno + yaml_lines[0], "\n".join(line for _n, line in chunk) + "\n",
                          how="tasks")
        found.append(parse_marker(snippet, markers[0] if markers else None))
    return found


def all_snippets():
    return ([s for path in MARKDOWN for s in markdown_snippets(path)]
            + [s for path in GUIDES for s in rst_snippets(path)]
            + [s for path in MODULES for s in example_snippets(path)])


SNIPPETS = all_snippets()
RUNNABLE = [s for s in SNIPPETS if s.how not in ("file", "not run", "variables")]
NOT_RUN = [s for s in SNIPPETS if s.how == "not run"]
VARIABLES = [s for s in SNIPPETS if s.how == "variables"]
FILES = [s for s in SNIPPETS if s.how == "file"]


def connection_values(vapi, h4, pki):
    """The values of README.md's "Variables in the examples" for the simulators."""
    vcd_user, vcd_password = next(iter(DEFAULT_VCD_USERS.items()))
    return {
        "vcenter_hostname": "127.0.0.1:%d" % vapi.port, "vcenter_username": VAPI_USER,
        "vcenter_password": VAPI_PASSWORD, "vcenter_ca_path": pki.ca_cert, "vcenter_saml_token": SAML_ASSERTION,
        "vcda_hostname": "127.0.0.1:%d" % h4.port, "vcda_username": H4_USER, "vcda_password": H4_PASSWORD,
        "vcda_ca_path": pki.ca_cert, "vcda_saml_token": SAML_ASSERTION,
        "vcda_root_password": DEFAULT_LOCAL_USERS["root"],
        "vcd_username": vcd_user, "vcd_password": vcd_password, "vcd_token": VCD_TOKEN, "vcd_cookie": VCD_COOKIE,
        "vcd_api_token": VCD_API_TOKEN, "vcd_org": h4.vcd_api_tokens[VCD_API_TOKEN].rpartition("@")[2],
        "vcd_remote_token": VCD_TOKEN, "vcd_remote_api_token": REMOTE_API_TOKEN,
        "vcd_remote_org": h4.vcd_api_tokens[REMOTE_API_TOKEN].rpartition("@")[2],
    }


def session_wrapper(session, module, token_option, login_options):
    """What ``tasks in session NAME`` puts around a snippet (at its %s): a login with ``login_options`` (YAML lines)
    registered as NAME, and the logout of that session."""
    return "".join([
        "- name: Log in for the snippet\n  %s:\n" % module,
        "".join("    %s\n" % line for line in login_options),
        "  register: %s\n\n" % session,
        "- name: Run the snippet in that session\n  block:\n%s\n  always:\n",
        "    - name: Log out after the snippet\n      %s:\n" % module,
        '        hostname: "{{ %s_hostname }}"\n        ca_path: "{{ %s_ca_path }}"\n' % (session, session),
        '        state: absent\n        %s: "{{ %s.session.token }}"\n' % (token_option, session),
    ])


VCD_LOGIN = 'type: vcd, username: "{{ vcd_username }}", password: "{{ vcd_password }}"'
SESSION_WRAPPERS = {
    "vcenter": session_wrapper("vcenter", "sessionkit.vmware.vapi_session", "session_token", [
        'hostname: "{{ vcenter_hostname }}"', 'username: "{{ vcenter_username }}"',
        'password: "{{ vcenter_password }}"', 'ca_path: "{{ vcenter_ca_path }}"']),
    "vcda": session_wrapper("vcda", "sessionkit.vmware.h4_session", "token", [
        'hostname: "{{ vcda_hostname }}"', 'ca_path: "{{ vcda_ca_path }}"', "auth_type: vcd",
        'username: "{{ vcd_username }}"', 'password: "{{ vcd_password }}"', "sites:",
        "  - {site: site-b, %s}" % VCD_LOGIN, "  - {site: site-c, %s}" % VCD_LOGIN]),
}

PLAY_WRAPPER = """\
- name: Run the snippet %s
  hosts: %s
  gather_facts: false
  tasks:
%s
"""

STAND_IN_ROLE = """\
- name: List VMs with the session, as a role of yours would
  ansible.builtin.uri:
    url: "{{ vapi_session.url }}/api/vcenter/vm"
    headers: "{{ vapi_session.headers }}"
    ca_path: "{{ vcenter_ca_path }}"
  no_log: true
"""


def playbook_text(snippet, hosts="localhost"):
    if snippet.how == "playbook":
        return snippet.text
    tasks = snippet.text
    if snippet.how.startswith("tasks in session "):
        tasks = SESSION_WRAPPERS[snippet.how[len("tasks in session "):]] % textwrap.indent(tasks, " " * 4)
    return PLAY_WRAPPER % (snippet.id, hosts, textwrap.indent(tasks, " " * 4))


def inventory_args(snippet, directory):
    """ansible-playbook arguments for the marker's extra groups: a second inventory of local aliases."""
    if not snippet.inventory:
        return []
    lines = []
    for group, hosts in snippet.inventory.items():
        lines.append("[%s]" % group)
        lines += ["%s ansible_connection=local ansible_python_interpreter=%s" % (host, sys.executable)
                  for host in hosts]
    path = directory / "groups.ini"
    path.write_text("\n".join(lines) + "\n")
    return ["-i", str(path)]


def names_file(text, file_name):
    """Whether ``text`` names ``file_name`` as a whole (report.yml is not named by vm_report.yml)."""
    return re.search(r"(?<![\w./-])%s(?![\w-])" % re.escape(file_name), text) is not None


def task_names(text):
    """The names of the tasks in a task file, blocks included."""
    names = []
    for task in yaml.safe_load(text) or []:
        names.append(task.get("name"))
        for section in ("block", "rescue", "always"):
            names += task_names(yaml.safe_dump(task[section])) if section in task else []
    return [name for name in names if name]


def test_every_yaml_block_of_the_docs_is_collected():
    """The parsers miss nothing: as many snippets per file as the file has YAML blocks (EXAMPLES: at least one)."""
    counts = {}
    for snippet in SNIPPETS:
        counts[snippet.path] = counts.get(snippet.path, 0) + 1
    for path in MARKDOWN:
        assert counts.get(path, 0) == len(re.findall(r"^\s*```\s*ya?ml\s*$", (ROOT / path).read_text(), re.M)), path
    for path in GUIDES:
        blocks = re.findall(r"^\s*\.\. code-block::\s*yaml(?:\+jinja)?\s*$", (ROOT / path).read_text(), re.M)
        assert counts.get(path, 0) == len(blocks), path
    assert all(counts.get(path, 0) >= 1 for path in MODULES + MARKDOWN)
    assert len(RUNNABLE) >= 30


@pytest.mark.parametrize("snippet", FILES, ids=[s.id for s in FILES])
def test_each_file_snippet_is_named_by_a_snippet_of_its_document(snippet):
    users = [s.id for s in RUNNABLE if s.path == snippet.path and names_file(s.text, snippet.file_name)]
    assert users, "%s is marked as file %s, but no snippet of %s names it" % (
        snippet.id, snippet.file_name, snippet.path)
    assert task_names(snippet.text), "%s: a task file whose tasks have no names cannot be traced" % snippet.id


@pytest.mark.parametrize("snippet", NOT_RUN, ids=[s.id for s in NOT_RUN])
def test_a_snippet_that_cannot_run_here_still_parses(snippet):
    assert isinstance(yaml.safe_load(snippet.text), list), snippet.id


@pytest.mark.parametrize("snippet", VARIABLES, ids=[s.id for s in VARIABLES])
def test_a_variables_snippet_is_a_mapping(snippet):
    assert isinstance(yaml.safe_load(snippet.text), dict), snippet.id


@pytest.mark.parametrize("snippet", RUNNABLE, ids=[s.id for s in RUNNABLE])
def test_snippet_runs_as_written(snippet, vapi, h4, pki, run_playbook, tmp_path, simulators):
    if snippet.how == "playbook":
        plays = yaml.safe_load(snippet.text)
        assert all("hosts" in play or "ansible.builtin.import_playbook" in play for play in plays), (
            "%s runs as a playbook, but is not one: mark it as a task list (doc-test: tasks)" % snippet.id)
    vapi.saml_tokens = {SAML_ASSERTION}  # reset() after the test puts the shared server's own set back
    values = connection_values(vapi, h4, pki)
    if snippet.vcda_release:
        # An appliance of that release, with the credentials of the shared one.
        h4 = simulators(H4Simulator, release=snippet.vcda_release, saml_tokens=h4.saml_tokens,
                        vcd_tokens=h4.vcd_tokens, vcd_cookies=h4.vcd_cookies, vcd_api_tokens=h4.vcd_api_tokens)
        values["vcda_hostname"] = "127.0.0.1:%d" % h4.port
    files = [s for s in FILES if s.path == snippet.path]
    for file_snippet in files:
        (tmp_path / file_snippet.file_name).write_text(file_snippet.text)
    for role in snippet.stand_in_roles:
        (tmp_path / "roles" / role / "tasks").mkdir(parents=True)
        (tmp_path / "roles" / role / "tasks" / "main.yml").write_text(STAND_IN_ROLE)
    env = dict((name, str(values[variable])) for name, variable in snippet.environment.items())

    run = run_playbook(playbook_text(snippet), extra_vars=values, env=env, args=inventory_args(snippet, tmp_path))

    assert run.rc == 0, run.output[-4000:]
    assert DEPRECATION not in run.output, run.output[-4000:]
    # A task of a role, or of a file the role includes, is recorded as "<role> : <name>".
    ran = [r["task"].rpartition(" : ")[2] for r in run.records]
    for file_snippet in files:
        if names_file(snippet.text, file_snippet.file_name):
            assert set(task_names(file_snippet.text)) & set(ran), "%s did not run %s" % (
                snippet.id, file_snippet.file_name)
    for role in snippet.stand_in_roles:
        assert "List VMs with the session, as a role of yours would" in ran, role
    if snippet.logs_in_nowhere:
        assert (vapi.logins, h4.logins) == (0, 0), "%s says it logs in nowhere (%s), but logged in" % (
            snippet.id, snippet.logs_in_nowhere)
    else:
        assert vapi.logins + h4.logins > 0, "the snippet logged in nowhere: %s" % ran
    if snippet.logins is not None:
        assert vapi.logins + h4.logins == snippet.logins, "%s logged in %d times on vCenter and %d on VCDA" % (
            snippet.id, vapi.logins, h4.logins)
    assert (vapi.failed_logins, h4.failed_logins) == (0, 0)
    guard_dir = tmp_path / "guard"  # conftest's SESSIONKIT_GUARD_DIR
    if snippet.guarded:
        assert guard_dir.is_dir(), "%s is marked guarded, but its login wrote no record" % snippet.id
        # Its guard logs the session out once ansible-playbook has ended, then removes its record: wait for both.
        deadline = time.monotonic() + 30  # a bound for a loaded machine, not asserted
        while (vapi.open_sessions + h4.open_sessions or list(guard_dir.iterdir())) and time.monotonic() < deadline:
            time.sleep(0.05)
    if guard_dir.is_dir():
        assert list(guard_dir.iterdir()) == [], "%s left records of guarded sessions" % snippet.id
    left_open = vapi.open_sessions + h4.open_sessions
    if snippet.keeps_session:
        assert left_open > 0, "%s says it keeps a session (%s), but none is open" % (
            snippet.id, snippet.keeps_session)
    else:
        assert left_open == 0, "%s left %d vCenter and %d VCDA session(s) open" % (
            snippet.id, vapi.open_sessions, h4.open_sessions)


def test_the_troubleshooting_pattern_carries_on_after_a_refused_login(vapi, h4, pki, run_playbook):
    """The guide's ignore_errors pattern, with the password wrong: the play goes on, reports, and opens nothing."""
    snippet = next(s for s in RUNNABLE if s.path.endswith("troubleshooting.rst") and "login is failed" in s.text)
    values = dict(connection_values(vapi, h4, pki), vcenter_password="not-the-password")
    run = run_playbook(playbook_text(snippet), extra_vars=values)
    assert run.rc == 0, run.output[-4000:]
    advice = run.result("Say what to do about a refused password")
    assert "HTTP 401 UNAUTHENTICATED" in advice["msg"] and "not-the-password" not in run.output
    assert [r["status"] for r in run.records if r["task"] == "Log out after a login that worked"] == ["skipped"]
    assert (vapi.failed_logins, vapi.logins, vapi.open_sessions) == (1, 0, 0)


def test_a_snippet_for_several_hosts_gets_its_group(vapi, h4, pki, run_playbook, tmp_path):
    """The inventory option, which no snippet of today's docs needs yet: three local aliases, a session each."""
    snippet = parse_marker(Snippet("synthetic.md", 1, """\
- name: Show the session
  ansible.builtin.debug:
    msg: "{{ vcenter.session.url }}"
"""), "tasks in session vcenter; inventory: fleet=web-1,web-2,web-3")
    run = run_playbook(playbook_text(snippet, hosts="fleet"), extra_vars=connection_values(vapi, h4, pki),
                       args=inventory_args(snippet, tmp_path))
    assert run.rc == 0, run.output[-4000:]
    assert sorted(r["host"] for r in run.records if r["task"] == "Show the session") == ["web-1", "web-2", "web-3"]
    assert (vapi.logins, vapi.open_sessions) == (3, 0)
