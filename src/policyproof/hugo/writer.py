"""Write the import's output idempotently: same input, same files; nothing changed by a dry run.

A file that already exists with other content (a page edited by hand since, or one of the site's
own pages) is not overwritten unless asked (``--force``): it is reported instead.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

from policyproof.hugo.report import ImportReport


class Writer:
    def __init__(self, report: ImportReport, *, dry_run: bool, force: bool) -> None:
        self.report = report
        self.dry_run = dry_run
        self.force = force
        # Files that hold (or, in a dry run, would hold) exactly what the import produced.
        self.settled: set[Path] = set()
        self._folders: set[Path] = set()

    def _folder(self, folder: Path) -> None:
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def text(self, destination: Path, text: str) -> None:
        self.bytes(destination, text.encode("utf-8"))

    def copy(self, destination: Path, source: Path, display: str) -> None:
        """Copy a file (an image) unless the destination already holds the same bytes.

        A new file is a hard link to the Hugo source when both are on one file system (ten times
        faster than a copy for a workshop's thousand screenshots; git stores it as a file like any
        other), else a copy.
        """
        if destination.is_file():
            try:
                same = filecmp.cmp(destination, source, shallow=False)
            except OSError as error:
                self.report.error(display, 1, f"cannot read {source}: {error.strerror}")
                return
            if same:
                self.report.files_unchanged += 1
                self.settled.add(destination)
                return
            if not self.force:
                self.report.problem(
                    str(destination),
                    1,
                    "already exists with other content; not overwritten (use --force to replace it)",
                )
                return
        self.report.files_written += 1
        self.settled.add(destination)
        if self.dry_run:
            return
        try:
            self._folder(destination.parent)
            # A copy, not a hard link: the imported site and the Hugo tree must not share a file,
            # or an in-place edit of an image under docs/ would change the Hugo source too.
            shutil.copyfile(source, destination)
        except OSError as error:
            self.settled.discard(destination)
            self.report.error(str(destination), 1, f"cannot write: {error.strerror}")

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
            self._folder(destination.parent)
            destination.write_bytes(data)
        except OSError as error:
            self.report.error(str(destination), 1, f"cannot write: {error.strerror}")
            return
        self.settled.add(destination)
