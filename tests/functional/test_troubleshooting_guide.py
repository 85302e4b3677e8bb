# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every message the collection can show a user is explained in docs/docsite/rst/troubleshooting.rst.

The message templates are read from the code itself (``ast`` for plugins/module_utils, YAML for the role's tasks),
so a new message fails this test until the guide lists it. A template's placeholders (``%s``, ``%d``, values from
variables) are cut out and each fixed piece between them must appear in the guide, which writes placeholders as
``<host>``, ``<value>`` and the like.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "docsite" / "rst" / "troubleshooting.rst"
MODULE_UTILS = ROOT / "plugins" / "module_utils"
ROLE_TASKS = ROOT / "roles" / "session" / "tasks"

# Calls whose first argument and ``hint`` keyword are messages.
ERROR_CLASSES = {"OptionError", "SessionApiError"}
# Functions whose returned strings become part of a message (reasons, hints, body descriptions, login subjects).
MESSAGE_FUNCTIONS = {"_tls_reason", "_transport_error", "describe_body", "login_subject", "http_error", "message"}
# Assignment targets that hold message parts: ``action = ...``, ``error.reason = ...``, ``error.hint = ...``.
MESSAGE_TARGETS = {"action", "reason", "hint", "text"}

PLACEHOLDER = "\x00"
_FORMAT_SPEC = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifr]|\x00")
MAX_VARIANTS = 64
# A Jinja expression in a role message is a value, like %s in Python.
_JINJA = re.compile(r"\{\{.*?\}\}", re.DOTALL)


def normalise(text):
    return " ".join(text.split())


class Templates(object):
    """String templates of the expressions in one module, with names resolved through simple assignments."""

    def __init__(self, tree):
        self.module_names = self._assignments(tree.body)

    @staticmethod
    def _assignments(statements):
        names = {}
        for node in statements:
            for child in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else ():
                if isinstance(child, ast.Assign):
                    for target in child.targets:
                        if isinstance(target, ast.Name):
                            names.setdefault(target.id, []).append(child.value)
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        names.setdefault(target.id, []).append(node.value)
        return names

    def of(self, node, local=None, depth=0):
        """Every template ``node`` can evaluate to, with PLACEHOLDER where a value is not known statically."""
        local = local or {}
        if depth > 8:
            return [PLACEHOLDER]
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.JoinedStr):
            parts = [self.of(value, local, depth + 1) if isinstance(value, ast.Constant) else [PLACEHOLDER]
                     for value in node.values]
            return self._product(parts)
        if isinstance(node, ast.FormattedValue):
            return [PLACEHOLDER]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            return self._formatted(node, local, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._product([self.of(node.left, local, depth + 1), self.of(node.right, local, depth + 1)])
        if isinstance(node, ast.IfExp):
            return self.of(node.body, local, depth + 1) + self.of(node.orelse, local, depth + 1)
        if isinstance(node, ast.BoolOp):
            return [t for value in node.values for t in self.of(value, local, depth + 1)]
        if isinstance(node, ast.Name):
            values = local.get(node.id) or self.module_names.get(node.id)
            if values:
                found = [t for value in values for t in self.of(value, local, depth + 1)]
                return found or [PLACEHOLDER]
            return [PLACEHOLDER]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            # ``_ENV_HINT.get(option, "")``: every value of a module-level dict of strings.
            owner = node.func.value
            if isinstance(owner, ast.Name):
                for value in self.module_names.get(owner.id, []):
                    if isinstance(value, ast.Dict):
                        return [t for v in value.values for t in self.of(v, local, depth + 1)] + [""]
        if isinstance(node, ast.Dict):
            return [t for v in node.values for t in self.of(v, local, depth + 1)]
        if isinstance(node, ast.Subscript):
            return self.of(node.value, local, depth + 1)
        if isinstance(node, ast.Tuple):
            return [t for element in node.elts for t in self.of(element, local, depth + 1)]
        return [PLACEHOLDER]

    def _formatted(self, node, local, depth):
        """``template % args``: each ``%s`` whose argument is fixed text (such as a dict of hints) is filled in."""
        args = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        results = []
        for template in self.of(node.left, local, depth + 1):
            specs = _FORMAT_SPEC.findall(template)
            pieces = _FORMAT_SPEC.split(template)
            if PLACEHOLDER in specs or len(specs) != len(args):
                results.append(template)
                continue
            parts = [[pieces[0]]]
            for spec, arg, piece in zip(specs, args, pieces[1:]):
                filled = self.of(arg, local, depth + 1) if spec == "%s" else []
                fixed = filled and not any(PLACEHOLDER in value for value in filled)
                parts.append(filled if fixed else [spec])
                parts.append([piece])
            results.extend(self._product(parts))
        return results

    @staticmethod
    def _product(parts):
        return ["".join(combination) for combination in itertools.islice(itertools.product(*parts), MAX_VARIANTS)]


def _local_assignments(function):
    names = {}
    for node in ast.walk(function):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names.setdefault(target.id, []).append(node.value)
    return names


def module_utils_templates():
    """(where, template) for every message template in plugins/module_utils/*.py."""
    found = []
    for path in sorted(MODULE_UTILS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        templates = Templates(tree)
        functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.Lambda))]
        seen_lines = set()
        for function in functions:
            if isinstance(function, ast.Lambda):
                continue
            local = _local_assignments(function)
            for node in ast.walk(function):
                where = "%s:%s" % (path.relative_to(ROOT), getattr(node, "lineno", "?"))
                expressions = []
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if name in ERROR_CLASSES:
                        expressions.extend(node.args[:1])
                        expressions.extend(kw.value for kw in node.keywords if kw.arg in ("hint", "reason"))
                if isinstance(node, ast.Return) and function.name in MESSAGE_FUNCTIONS and node.value is not None:
                    expressions.append(node.value)
                if isinstance(node, (ast.Assign, ast.AugAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        name = getattr(target, "id", None) or getattr(target, "attr", None)
                        if name in MESSAGE_TARGETS:
                            expressions.append(node.value)
                for expression in expressions:
                    key = (where, ast.dump(expression))
                    if key in seen_lines:
                        continue
                    seen_lines.add(key)
                    for template in templates.of(expression, local):
                        found.append((where, template))
    return found


def _role_strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "fail_msg" and isinstance(value, str):
                yield value
            elif key == "msg" and isinstance(value, str):
                # ``{{ result.msg | default('the fallback text') }}``: the quoted fallbacks are messages.
                yield from re.findall(r"default\('([^']*)'\)", value)
            else:
                yield from _role_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _role_strings(item)


def role_templates():
    found = []
    for path in sorted(ROLE_TASKS.glob("*.yml")):
        for text in _role_strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            found.append((str(path.relative_to(ROOT)), text))
    return found


def fragments(template):
    """The fixed pieces of a template: its text between placeholders, each worth checking."""
    pieces = [normalise(piece) for piece in _FORMAT_SPEC.split(_JINJA.sub(PLACEHOLDER, template))]
    return [piece for piece in pieces if sum(c.isalpha() for c in piece) >= 2]


def all_templates():
    return module_utils_templates() + role_templates()


def test_the_extraction_finds_the_messages():
    """Guards the test itself: if parsing stopped finding messages, the main test would pass vacuously."""
    templates = [template for where, template in all_templates() if where]
    assert len(templates) >= 50
    text = "\n".join(templates)
    for known in ("hostname is empty", "the TLS handshake failed", "gave up after", "auth_type=vcd needs username",
                  "the token is no longer valid", "needs session_vapi", "a Cloud Director cookie"):
        assert known in text, known


@pytest.mark.parametrize("where,template", sorted(set(all_templates())), ids=lambda value: str(value)[:60])
def test_message_is_in_the_troubleshooting_guide(where, template):
    guide = normalise(GUIDE.read_text(encoding="utf-8"))
    missing = [piece for piece in fragments(template) if piece not in guide]
    assert not missing, (
        "%s can produce the message %r, but docs/docsite/rst/troubleshooting.rst does not contain %r. "
        "Add the message there, with its cause and what to do." % (where, template.replace(PLACEHOLDER, "<...>"),
                                                                   missing))
