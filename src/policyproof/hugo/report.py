"""What an import did and what it could not do, collected while it runs and printed at the end.

Four kinds of message, by what the maintainer must do:

- ``errors``: the import could not run on this input (no content folder, unreadable configuration);
  exit status 2;
- ``problems``: the result is wrong or incomplete and the import says so with exit status 1 —
  checker errors on an extracted policy, a site rule the pages written break, a file not
  overwritten;
- ``defects``: defects of the Hugo source (a missing image, a link to nothing, broken front matter,
  a shortcode this site has no equivalent for). Each is shown to the reader where it matters and
  listed with file:line and a fix; they never fail the import unless ``--strict-source``;
- ``translation``: pages whose two languages differ (headings that do not pair): published as
  they are, listed as translation work;
- ``notes``: conversions made that deserve a look (placeholders replaced, kept front matter).
"""

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
    fix: str = ""

    def format(self) -> str:
        return f"{self.file}:{self.line}: {self.text}" + (f" (fix: {self.fix})" if self.fix else "")


def _add_once(messages: list[Message], message: Message) -> None:
    """A page copied into its missing language is converted twice: say each thing once."""
    if message not in messages:
        messages.append(message)


@dataclass
class ImportReport:
    """Counts and messages of one import (see the module docstring for the kinds of message)."""

    pages: Counter[str] = field(default_factory=Counter)  # language -> pages imported
    shortcodes: Counter[str] = field(default_factory=Counter)  # shortcode name -> converted
    snippets: int = 0
    snippets_removed: int = 0
    heading_ids: int = 0
    images: int = 0
    redirects: int = 0
    files_written: int = 0
    files_unchanged: int = 0
    dry_run: bool = False
    strict_source: bool = False
    checker_available: bool = True
    checker_errors: int = 0
    findings: list[str] = field(default_factory=list)
    problems: list[Message] = field(default_factory=list)
    site_problems: list[Message] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)
    defects: list[Message] = field(default_factory=list)
    translation: list[Message] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)

    def problem(self, file: str, line: int, text: str) -> None:
        self.problems.append(Message(file, line, text))

    def error(self, file: str, line: int, text: str) -> None:
        self.errors.append(Message(file, line, text))

    def defect(self, file: str, line: int, text: str, fix: str) -> None:
        _add_once(self.defects, Message(file, line, text, fix))

    def translation_work(self, file: str, line: int, text: str) -> None:
        _add_once(self.translation, Message(file, line, text))

    def note(self, file: str, line: int, text: str) -> None:
        _add_once(self.notes, Message(file, line, text))

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_BAD_INPUT
        if self.problems or self.site_problems or self.checker_errors:
            return EXIT_LEFT_UNCONVERTED
        if self.strict_source and self.defects:
            return EXIT_LEFT_UNCONVERTED
        return EXIT_OK

    def _sections(self) -> list[tuple[str, list[Message]]]:
        return [
            ("malformed input (nothing imported)", self.errors),
            ("left unconverted (exit status 1)", self.problems),
            (
                f"site rules on the pages {'to write' if self.dry_run else 'written'} (exit status 1)",
                self.site_problems,
            ),
            (
                "source defects, shown to readers as they are"
                + (" (exit status 1: --strict-source)" if self.strict_source else ""),
                self.defects,
            ),
            ("translation work (published as they are)", self.translation),
            ("notes", self.notes),
        ]

    def todo(self) -> list[str]:
        """The maintainer's short to-do list, most urgent first."""
        items: list[str] = []
        if self.errors:
            items.append(f"fix the input: {len(self.errors)} error(s) stopped the import (listed above)")
        if self.checker_errors:
            items.append(
                f"fix {self.checker_errors} checker error(s) in the extracted policies (listed above)"
            )
        if self.problems or self.site_problems:
            items.append(f"resolve {len(self.problems) + len(self.site_problems)} unconverted item(s)")
        if self.defects:
            files = len({message.file for message in self.defects})
            items.append(f"fix {len(self.defects)} source defect(s) in {files} file(s), each with its fix")
        if self.translation:
            items.append(
                f"translation work: {len(self.translation)} item(s) (pages to translate, headings to align)"
            )
        placeholders = [note for note in self.notes if "placeholder" in note.text]
        if placeholders:
            items.append(f"check {len(placeholders)} policy placeholder replacement(s) (AWS example values)")
        return items

    def summary(self) -> str:
        """The closing summary: figures, every message with its file and line, then the to-do list."""
        languages = ", ".join(f"{lang} {count}" for lang, count in sorted(self.pages.items())) or "none"
        converted = ", ".join(f"{name} {count}" for name, count in sorted(self.shortcodes.items()))
        verb = "would write" if self.dry_run else "wrote"
        lines = [
            "",
            "import-hugo summary" + (" (dry run: nothing written)" if self.dry_run else ""),
            f"  pages imported:       {sum(self.pages.values())} ({languages})",
            f"  snippets extracted:   {self.snippets}"
            + (f" ({self.snippets_removed} stale removed)" if self.snippets_removed else ""),
            f"  shortcodes converted: {sum(self.shortcodes.values())}"
            + (f" ({converted})" if converted else ""),
            f"  heading ids added:    {self.heading_ids}",
            f"  images copied:        {self.images}",
            f"  redirects:            {self.redirects}",
            f"  files: {verb} {self.files_written}, unchanged {self.files_unchanged}",
        ]
        if not self.checker_available:
            lines.append("  checker: policyproof.check.checker is not available; snippets were not checked")
        else:
            lines.append(f"  checker findings:     {len(self.findings)} ({self.checker_errors} errors)")
        for title, messages in self._sections():
            if messages:
                lines.append(f"  {title} ({len(messages)}):")
                lines.extend(f"    {message.format()}" for message in sorted(messages))
        todo = self.todo()
        if todo:
            lines.append("  to do:")
            lines.extend(f"    - {item}" for item in todo)
        else:
            lines.append("  everything converted; nothing to do")
        return "\n".join(lines)

    def markdown(self) -> str:
        """The same report as a Markdown document (``--report FILE``)."""
        out = ["# import-hugo report", ""]
        out.append("## To do")
        out.append("")
        out.extend(f"- [ ] {item}" for item in self.todo() or ["nothing: everything converted"])
        out.append("")
        out.append("## Figures")
        out.append("")
        languages = ", ".join(f"{lang} {count}" for lang, count in sorted(self.pages.items())) or "none"
        out.extend(
            [
                f"- pages imported: {sum(self.pages.values())} ({languages})",
                f"- snippets extracted: {self.snippets}",
                f"- images copied: {self.images}",
                f"- checker findings: {len(self.findings)} ({self.checker_errors} errors)",
                "",
            ]
        )
        if self.findings:
            out.extend(["## Checker findings", ""])
            out.extend(f"- `{finding}`" for finding in self.findings)
            out.append("")
        for title, messages in self._sections():
            if not messages:
                continue
            out.extend([f"## {title[0].upper()}{title[1:]}", ""])
            for message in sorted(messages):
                text = f"- `{message.file}:{message.line}`: {message.text}"
                out.append(text + (f" — **fix:** {message.fix}" if message.fix else ""))
            out.append("")
        return "\n".join(out)
