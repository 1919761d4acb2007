"""Generates the rule reference pages (Vietnamese and English) from the rule registry.

``python -m policyproof.check.rules_reference --write`` rewrites ``docs/reference/rules.md`` and
``docs/reference/rules.en.md``; ``--check`` exits 1 when the committed pages differ from what
the registry says (a test runs the same comparison), so the pages cannot drift from the code.
Each rule is a heading whose id is its code: findings link to ``reference/rules/#<code>``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from policyproof.check.findings import Severity
from policyproof.check.kinds import KIND_DESCRIPTIONS, KIND_DESCRIPTIONS_VI, KIND_PAGES, KINDS, suffix_for
from policyproof.check.rules.registry import GROUPS, RULES

DOCS_DIR = Path(__file__).resolve().parents[3] / "docs"
PAGES = {"vi": Path("reference/rules.md"), "en": Path("reference/rules.en.md")}

_SEVERITY_WORDS = {
    "en": {
        Severity.ERROR: "error",
        Severity.SECURITY_WARNING: "security warning",
        Severity.WARNING: "warning",
        Severity.SUGGESTION: "suggestion",
    },
    "vi": {
        Severity.ERROR: "lỗi (error)",
        Severity.SECURITY_WARNING: "cảnh báo bảo mật (security-warning)",
        Severity.WARNING: "cảnh báo (warning)",
        Severity.SUGGESTION: "gợi ý (suggestion)",
    },
}

_TEXT = {
    "en": {
        "title": "Rule reference",
        "intro": (
            "Every finding of `policyproof check` has a stable code, listed here with its severity. "
            "A published snippet may carry no *error* and no *security warning* unless it is a declared "
            "counter-example. This page is generated from the rule registry "
            "(`python -m policyproof.check.rules_reference --write`); do not edit it by hand."
        ),
        "severity": "Severity",
        "kinds": "Policy kinds and file names",
        "kinds_intro": "The kind of a policy file comes from its name (or `--kind`):",
        "kind_col": "kind",
        "suffix_col": "file name",
        "what_col": "what it is",
        "aws_col": "AWS page",
        "aws_link": "AWS documentation",
        "source": "Source",
    },
    "vi": {
        "title": "Danh mục quy tắc kiểm tra",
        "intro": (
            "Mỗi kết quả (finding) của `policyproof check` có một mã cố định, được liệt kê ở đây cùng mức "
            "độ nghiêm trọng. Một snippet đã xuất bản không được có *lỗi* (error) hay *cảnh báo bảo mật* "
            "(security-warning), trừ khi nó là phản ví dụ đã được khai báo. Trang này được sinh từ danh mục "
            "quy tắc trong mã nguồn (`python -m policyproof.check.rules_reference --write`); đừng sửa tay."
        ),
        "severity": "Mức độ",
        "kinds": "Loại policy và tên tệp",
        "kinds_intro": "Loại của một tệp policy được lấy từ tên tệp (hoặc từ `--kind`):",
        "kind_col": "loại",
        "suffix_col": "tên tệp",
        "what_col": "là gì",
        "aws_col": "trang AWS",
        "aws_link": "tài liệu AWS",
        "source": "Nguồn",
    },
}


#: Spans shown as code: ARNs, file-name patterns, policy variables and quoted JSON values.
_CODE_SPAN = re.compile(r'arn:[^\s,;)"]+|\*\.[\w.-]+\.json|\$\{[^}]+\}|"\*"')


def to_markdown(text: str) -> str:
    """Registry text (plain, as SARIF shows it) as Markdown: code spans, and '*' or '<' kept literal."""
    pieces = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        pieces.append(_escape(text[position : match.start()]))
        pieces.append(f"`{match.group().rstrip('.')}`" + ("." if match.group().endswith(".") else ""))
        position = match.end()
    pieces.append(_escape(text[position:]))
    return "".join(pieces)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("<", "&lt;")


def render(lang: str) -> str:
    text = _TEXT[lang]
    lines = [
        "---",
        f'title: "{text["title"]}"',
        "weight: 10",
        "---",
        "",
        f"# {text['title']} {{ #rule-reference }}",
        "",
        text["intro"],
        "",
        f"## {text['kinds']} {{ #policy-kinds }}",
        "",
        text["kinds_intro"],
        "",
        f"| {text['kind_col']} | {text['suffix_col']} | {text['what_col']} | {text['aws_col']} |",
        "|---|---|---|---|",
    ]
    for kind in KINDS:
        what = KIND_DESCRIPTIONS[kind] if lang == "en" else KIND_DESCRIPTIONS_VI[kind]
        link = f"[{text['aws_link']}]({KIND_PAGES[kind]})"
        lines.append(f"| `{kind}` | `*{suffix_for(kind)}` | {_escape(what)} | {link} |")
    lines.append("")
    for group, (heading_en, heading_vi) in GROUPS.items():
        heading = heading_en if lang == "en" else heading_vi
        lines += [f"## {heading} {{ #group-{group} }}", ""]
        for rule in (rule for rule in RULES if rule.group == group):
            title = rule.title_en if lang == "en" else rule.title_vi
            description = rule.description_en if lang == "en" else rule.description_vi
            lines += [
                f"### `{rule.code}`: {to_markdown(title)} {{ #{rule.code} }}",
                "",
                f"**{text['severity']}:** {_SEVERITY_WORDS[lang][rule.severity]}",
                "",
                to_markdown(description),
                "",
                f"{text['source']}: [{text['aws_link']}]({rule.url})",
                "",
            ]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policyproof.check.rules_reference", description=__doc__)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="rewrite the pages under docs/")
    action.add_argument("--check", action="store_true", help="exit 1 if the pages differ from the registry")
    parser.add_argument("--docs-dir", type=Path, default=DOCS_DIR)
    args = parser.parse_args(argv)
    stale = []
    for lang, relative in PAGES.items():
        target = args.docs_dir / relative
        content = render(lang)
        if args.write:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        elif args.check:
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current != content:
                stale.append(str(target))
        else:
            sys.stdout.write(content)
    if stale:
        print(
            "out of date (run python -m policyproof.check.rules_reference --write): " + ", ".join(stale),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
