"""What an import did and what it could not do, collected while it runs and printed at the end."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_LEFT_UNCONVERTED = 1
EXIT_BAD_INPUT = 2


@dataclass(frozen=True, order=True)
class Message:
    """One thing to tell the user, pointing at the Hugo source line it is about."""

    file: str
    line: int
    text: str

    def format(self) -> str:
        return f"{self.file}:{self.line}: {self.text}"


@dataclass
class ImportReport:
    """Counts and messages of one import.

    ``problems`` are things left unconverted in the output (they make the exit status non-zero);
    ``site_problems`` are the site's own rules (both languages, same snippets and heading ids, no
    inline JSON, no unused snippet) broken by the pages written: left unconverted as well;
    ``errors`` are pages that could not be imported at all (malformed input); ``notes`` are
    conversions that were made but deserve a look (kept unknown front matter, approximations).
    """

    pages: Counter[str] = field(default_factory=Counter)  # language -> pages imported
    shortcodes: Counter[str] = field(default_factory=Counter)  # shortcode name -> converted
    snippets: int = 0
    heading_ids: int = 0
    images: int = 0
    files_written: int = 0
    files_unchanged: int = 0
    dry_run: bool = False
    checker_available: bool = True
    findings: list[str] = field(default_factory=list)
    problems: list[Message] = field(default_factory=list)
    site_problems: list[Message] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)

    def problem(self, file: str, line: int, text: str) -> None:
        self.problems.append(Message(file, line, text))

    def error(self, file: str, line: int, text: str) -> None:
        self.errors.append(Message(file, line, text))

    def note(self, file: str, line: int, text: str) -> None:
        self.notes.append(Message(file, line, text))

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_BAD_INPUT
        if self.problems or self.site_problems:
            return EXIT_LEFT_UNCONVERTED
        return EXIT_OK

    def summary(self) -> str:
        """The closing summary: figures first, then every message with its file and line."""
        languages = ", ".join(f"{lang} {count}" for lang, count in sorted(self.pages.items())) or "none"
        converted = ", ".join(f"{name} {count}" for name, count in sorted(self.shortcodes.items()))
        verb = "would write" if self.dry_run else "wrote"
        lines = [
            "",
            "import-hugo summary" + (" (dry run: nothing written)" if self.dry_run else ""),
            f"  pages imported:       {sum(self.pages.values())} ({languages})",
            f"  snippets extracted:   {self.snippets}",
            f"  shortcodes converted: {sum(self.shortcodes.values())}"
            + (f" ({converted})" if converted else ""),
            f"  heading ids added:    {self.heading_ids}",
            f"  images copied:        {self.images}",
            f"  files: {verb} {self.files_written}, unchanged {self.files_unchanged}",
        ]
        if not self.checker_available:
            lines.append("  checker: policyproof.check.checker is not available; snippets were not checked")
        else:
            lines.append(f"  checker findings:     {len(self.findings)}")
        for title, messages in (
            ("malformed input (page not imported)", self.errors),
            ("left unconverted", self.problems),
            (
                f"left unconverted: site rules on the pages {'to write' if self.dry_run else 'written'}",
                self.site_problems,
            ),
            ("notes", self.notes),
        ):
            if messages:
                lines.append(f"  {title} ({len(messages)}):")
                lines.extend(f"    {message.format()}" for message in sorted(messages))
        if self.exit_code == EXIT_OK:
            lines.append("  everything converted")
        return "\n".join(lines)
