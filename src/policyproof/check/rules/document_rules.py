"""Whole-document rules: Version, Sids."""

from __future__ import annotations

import re

from policyproof.check.rules.base import Context

_SID_CHARACTERS = re.compile(r"[A-Za-z0-9]*\Z")


def check(context: Context) -> None:
    data = context.data
    if not isinstance(data, dict):
        return
    if "Version" not in data and "Statement" in data:
        context.report(
            "missing-version",
            (),
            'the policy has no Version: add "Version": "2012-10-17" as its first member',
        )
    elif data.get("Version") == "2008-10-17":
        context.report(
            "old-version",
            ("Version",),
            'Version 2008-10-17 treats policy variables as plain text: use "2012-10-17"',
        )
    seen: dict[str, tuple] = {}
    for statement in context.statements():
        sid = statement.data.get("Sid")
        if not isinstance(sid, str):
            continue
        path = statement.path + ("Sid",)
        if sid in seen:
            line, column = context.locator.value_position(seen[sid])
            context.report(
                "duplicate-sid",
                path,
                f"Sid {sid!r} is already used at line {line}, column {column}: give each statement its "
                "own Sid",
            )
        else:
            seen[sid] = path
        if context.kind in ("identity", "scp", "boundary", "session") and not _SID_CHARACTERS.match(sid):
            context.report(
                "invalid-sid",
                path,
                f"Sid {sid!r} has characters other than letters and digits, which IAM rejects in this policy "
                "kind: write it in CamelCase without spaces or punctuation",
            )
