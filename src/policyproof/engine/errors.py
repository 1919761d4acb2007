"""Input errors the engine raises: one clear message, never a traceback."""

from __future__ import annotations

from policyproof.check.findings import InputError


class EngineInputError(InputError):
    """A request or policy the engine cannot evaluate (bad action shape, malformed ARN, missing
    owner account, a value that is not a policy document, a context value of the wrong type).

    ``file`` defaults to a description of the input; the CLI passes the case file's name.
    ``path`` is the JSON path of the offending value inside that file when known, so the command
    line can turn it into a line and column.
    """

    def __init__(
        self,
        message: str,
        file: str = "<engine input>",
        line: int = 1,
        column: int = 1,
        path: tuple[str | int, ...] = (),
        policy: str | None = None,
    ) -> None:
        super().__init__(file, message, line, column)
        self.path = path
        # For a malformed policy: the policy's name, and ``path`` is relative to its document.
        self.policy = policy
