"""Write the import's output idempotently: same input, same files; nothing changed by a dry run.

A file that already exists with other content (a page edited by hand since, or one of the site's
own pages) is not overwritten unless asked (``--force``): it is reported instead.
"""

from __future__ import annotations

from pathlib import Path

from policyproof.hugo.report import ImportReport


class Writer:
    def __init__(self, report: ImportReport, *, dry_run: bool, force: bool) -> None:
        self.report = report
        self.dry_run = dry_run
        self.force = force
        # Files that hold (or, in a dry run, would hold) exactly what the import produced.
        self.settled: set[Path] = set()

    def text(self, destination: Path, text: str) -> None:
        self.bytes(destination, text.encode("utf-8"))

    def copy(self, destination: Path, source: Path, display: str) -> None:
        try:
            data = source.read_bytes()
        except OSError as error:
            self.report.error(display, 1, f"cannot read {source}: {error.strerror}")
            return
        self.bytes(destination, data)

    def bytes(self, destination: Path, data: bytes) -> None:
        if destination.is_file():
            try:
                if destination.read_bytes() == data:
                    self.report.files_unchanged += 1
                    self.settled.add(destination)
                    return
            except OSError:
                pass
            if not self.force:
                self.report.problem(
                    str(destination),
                    1,
                    "already exists with other content; not overwritten (use --force to replace it)",
                )
                return
        self.report.files_written += 1
        if self.dry_run:
            self.settled.add(destination)
            return
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        except OSError as error:
            self.report.error(str(destination), 1, f"cannot write: {error.strerror}")
            return
        self.settled.add(destination)
