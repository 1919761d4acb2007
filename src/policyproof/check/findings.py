"""What every check reports: a finding with a stable code, a severity and an exact location.

Shared by the parser, the schema layer, the rules, the engine's input validation and the site
hooks, so that pytest, the command line and the MkDocs build all speak about problems the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    """The severities IAM Access Analyzer uses, most serious first."""

    ERROR = "error"
    SECURITY_WARNING = "security-warning"
    WARNING = "warning"
    SUGGESTION = "suggestion"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in one file.

    ``line`` and ``column`` are 1-based and point at the JSON value (or token) concerned;
    ``message`` says what is wrong and what to change.
    """

    file: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    def format(self) -> str:
        """``file:line:column: severity CODE: message`` — the form editors and CI logs link."""
        return f"{self.file}:{self.line}:{self.column}: {self.severity.value} {self.code}: {self.message}"


class InputError(Exception):
    """Input that cannot be checked at all (unreadable, not JSON, wrong shape).

    Carries a location so callers print one clear line instead of a traceback.
    """

    def __init__(self, file: str, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(f"{file}:{line}:{column}: {message}")
        self.file = file
        self.line = line
        self.column = column
        self.message = message
