"""What the symbolic layer answers besides yes and no."""

from __future__ import annotations


class Unknown(Exception):  # noqa: N818 - the answer is "unknown", not an error of the caller
    """The question cannot be answered exactly: a construct the symbolic form does not model
    (policy variables, BinaryEquals, a key compared both as a number and as a string ...) or a
    solver that gave up. Never turned into "proved"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WitnessMismatch(AssertionError):
    """The concrete engine decided a witness request differently from the symbolic form: a bug in
    one of them, never hidden."""
