"""A broken example can never be published: in a copy of the real site, a broken snippet or claim
makes ``mkdocs build`` fail with a message naming the page, the file and the claim."""

from __future__ import annotations

import re
from pathlib import Path

from proof_helpers import build, copy_site

PAGE = "docs/kms/cross-account-encryption.md"
FOLDER = "snippets/kms/cross-account-encryption"
KEY_POLICY = f"{FOLDER}/key-a-shared-with-b.key-policy.json"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: the test expected to find {old!r} to break"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_snippet_with_an_unknown_action_fails_the_build_naming_page_and_snippet(tmp_path: Path) -> None:
    folder = copy_site(
        tmp_path, lambda dest: _edit(dest / KEY_POLICY, '"kms:DescribeKey"', '"kms:DescribeKee"')
    )
    result = build(folder, tmp_path / "site")
    assert result.returncode != 0, "a snippet with an unknown action was published"
    lines = [line for line in result.stderr.splitlines() if "key-a-shared-with-b.key-policy.json:" in line]
    assert lines, f"no failure names the snippet:\n{result.stderr}"
    assert any(PAGE in line and "error" in line and "kms:DescribeKee" in line for line in lines), (
        result.stderr
    )
    assert re.search(r"key-a-shared-with-b\.key-policy\.json:\d+:\d+: error ", result.stderr), result.stderr


def test_a_snippet_that_is_not_strict_json_fails_the_build_with_its_position(tmp_path: Path) -> None:
    def trailing_comma(dest: Path) -> None:
        _edit(dest / KEY_POLICY, '"Resource": "*"\n    }\n  ]', '"Resource": "*",\n    }\n  ]')

    folder = copy_site(tmp_path, trailing_comma)
    result = build(folder, tmp_path / "site")
    assert result.returncode != 0, "a snippet with a trailing comma was published"
    assert re.search(
        r"key-a-shared-with-b\.key-policy\.json:\d+:\d+: .*comma", result.stderr, re.IGNORECASE
    ), result.stderr


def test_a_claim_the_engine_does_not_prove_fails_the_build_naming_the_claim_and_its_line(
    tmp_path: Path,
) -> None:
    claims_file = tmp_path / FOLDER / "claims.yaml"

    def flip_first_allow(dest: Path) -> None:
        text = (dest / FOLDER / "claims.yaml").read_text(encoding="utf-8")
        match = re.search(r"^(\s*)expect: Allow\s*$", text, re.MULTILINE)
        assert match, "claims.yaml has no `expect: Allow` line to flip"
        before = text[: match.start()]
        claim_id = re.findall(r"^\s*- id: (\S+)", before, re.MULTILINE)[-1]
        (dest / FOLDER / "claims.yaml").write_text(
            before + f"{match.group(1)}expect: ExplicitDeny" + text[match.end() :], encoding="utf-8"
        )
        (dest / "flipped").write_text(claim_id, encoding="utf-8")

    folder = copy_site(tmp_path, flip_first_allow)
    claim_id = (folder / "flipped").read_text(encoding="utf-8")
    result = build(folder, tmp_path / "site")
    assert result.returncode != 0, f"claim {claim_id} was flipped to ExplicitDeny and the site still built"
    failure = next((line for line in result.stderr.splitlines() if f"claim '{claim_id}'" in line), "")
    assert failure, f"no failure names claim {claim_id}:\n{result.stderr}"
    assert PAGE in failure and "claims.yaml:" in failure, failure
    assert "expected ExplicitDeny, the engine decided Allow" in failure, failure
    assert claims_file.is_file()


def test_a_claims_marker_naming_no_claim_fails_the_build(tmp_path: Path) -> None:
    def bad_marker(dest: Path) -> None:
        page = dest / "docs" / "kms" / "cross-account-encryption.en.md"
        page.write_text(
            page.read_text(encoding="utf-8") + "\n\n<!-- flow: no-such-claim -->\n", encoding="utf-8"
        )

    folder = copy_site(tmp_path, bad_marker)
    result = build(folder, tmp_path / "site")
    assert result.returncode != 0
    assert (
        "docs/kms/cross-account-encryption.en.md: <!-- flow: no-such-claim -->: no such claim"
        in result.stderr
    )


def test_turning_the_proofs_off_cannot_pass_a_strict_build(tmp_path: Path) -> None:
    folder = copy_site(tmp_path)
    result = build(folder, tmp_path / "site", env={"POLICYPROOF_PROOFS": "off"})
    assert result.returncode != 0, "a --strict build with the proofs off succeeded"
    assert "POLICYPROOF_PROOFS=off" in result.stderr and "NOT proved" in result.stderr
