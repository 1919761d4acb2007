"""Reading policy files for the symbolic commands: one clear line for every bad input."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from policyproof.check.document import Locator, load_json
from policyproof.check.findings import InputError
from policyproof.check.kinds import kind_from_filename
from policyproof.engine.errors import EngineInputError
from policyproof.engine.model import NamedPolicy
from policyproof.symbolic.errors import Unknown
from policyproof.symbolic.questions import KIND_SLOTS, SLOT_ENGINE_KIND
from policyproof.symbolic.translate import compile_checked


def kind_of(path: Path) -> str | None:
    """The kind a file's name declares: the checker's own table (one place decides it)."""
    return kind_from_filename(path.name)


@dataclass
class PolicyFile:
    path: Path
    kind: str
    policy: NamedPolicy
    locator: Locator

    def statement_position(self, index: int) -> tuple[int, int]:
        statements = self.policy.document.get("Statement")
        path: tuple = ("Statement",) if isinstance(statements, dict) else ("Statement", index)
        return self.locator.value_position(path)


def read_policy(path: Path, kind: str | None) -> PolicyFile:
    """The policy in ``path`` as the engine reads it; raises ``InputError`` (file:line:column)."""
    file = str(path)
    kind = kind or kind_of(path)
    if kind is None:
        raise InputError(
            file,
            "cannot tell the policy kind from the file name: name it *.identity-policy.json, "
            "*.key-policy.json, *.bucket-policy.json ... or give --kind",
        )
    if kind not in KIND_SLOTS:
        raise InputError(file, f"unknown policy kind {kind!r}: use one of {', '.join(KIND_SLOTS)}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            file, f"cannot read the policy file: {getattr(error, 'strerror', None) or error}"
        ) from None
    data, locator = load_json(text, file)
    policy = NamedPolicy(path.name, data)  # type: ignore[arg-type]
    try:
        compile_checked_strict(policy, SLOT_ENGINE_KIND[KIND_SLOTS[kind]])
    except EngineInputError as error:
        line, column = locator.value_position(error.path)
        raise InputError(file, error.message, line, column) from None
    return PolicyFile(path, kind, policy, locator)


def compile_checked_strict(policy: NamedPolicy, engine_kind: str) -> None:
    """Shape errors only (``Unknown`` is the caller's to report)."""
    with contextlib.suppress(Unknown):
        compile_checked(policy, engine_kind)
