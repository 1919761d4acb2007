"""The benchmarks measure what they say: distinct work per copy, unique policies per pass.

These check the inputs the bench scripts build (bench/ is not a package, so each script is loaded
from its file); the figures themselves are printed by the scripts, not asserted.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

from conftest import REPO


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_site_gives_every_copy_its_own_account_b(tmp_path: Path) -> None:
    bench_site = _load("bench_site")
    site = bench_site.generated_site(tmp_path / "site", 3)
    accounts = set()
    for number in range(3):
        account = bench_site.copy_account(number)
        assert re.fullmatch(r"\d{12}", account) and account not in ("111111111111", bench_site.ACCOUNT_B)
        accounts.add(account)
        folder = site / "snippets" / "generated" / f"copy-{number:03d}"
        texts = {path.name: path.read_text(encoding="utf-8") for path in folder.iterdir()}
        assert account in texts["claims.yaml"], folder / "claims.yaml"
        assert not [name for name, text in texts.items() if bench_site.ACCOUNT_B in text], folder
        for suffix in ("", ".en"):
            page = (site / "docs" / "generated" / f"copy-{number:03d}{suffix}.md").read_text(encoding="utf-8")
            assert f'"generated/copy-{number:03d}/' in page and bench_site.ACCOUNT_B not in page
    assert len(accounts) == 3


def test_generated_pages_link_only_to_pages_that_exist(tmp_path: Path) -> None:
    """bench/bench_site.py:generated_site: the copies live in docs/generated/, the note in
    docs/kms/; a relative link the note makes must still resolve from a copy (a broken link logs a
    warning on every copy, which is not the build an author runs)."""
    bench_site = _load("bench_site")
    site = bench_site.generated_site(tmp_path / "site", 1)
    links = 0
    for suffix in ("", ".en"):
        page = site / "docs" / "generated" / f"copy-000{suffix}.md"
        for target in re.findall(r"\]\((?![a-z]+:|#)([^)\s#]+)", page.read_text(encoding="utf-8")):
            links += 1
            assert (page.parent / target).resolve().is_file(), f"{page.name}: {target}"
    assert links >= 2  # the note links to its sibling page on KMS grants, in both languages


def test_the_edit_changes_the_document_but_not_its_permissions(tmp_path: Path) -> None:
    bench_site = _load("bench_site")
    site = bench_site.generated_site(tmp_path / "site", 1)
    path = site / "snippets" / "generated" / "copy-000" / bench_site.EDITED
    before = json.loads(path.read_text(encoding="utf-8"))
    bench_site.edit_one_snippet(site)
    after = json.loads(path.read_text(encoding="utf-8"))
    assert after != before
    assert sorted(after["Statement"][0]["Action"]) == sorted(before["Statement"][0]["Action"])


def test_engine_bench_marks_every_policy_of_a_case_for_each_pass() -> None:
    bench_engine = _load("bench_engine")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    raw = {
        "name": "x",
        "request": {},
        "identityPolicies": [policy, policy],
        "resourcePolicy": policy,
        "permissionBoundaries": [policy],
        "sessionPolicy": policy,
        "serviceControlPolicies": [{"orgIdentifier": "o", "policies": [policy]}],
        "resourceControlPolicies": [{"orgIdentifier": "o", "policies": [policy]}],
        "endpointPolicies": [policy],
    }
    text = bench_engine.template(raw, 7)
    assert text.count(bench_engine.PLACEHOLDER) == 8  # every document, none twice
    first = json.loads(text.replace(bench_engine.PLACEHOLDER, "1"))
    second = json.loads(text.replace(bench_engine.PLACEHOLDER, "2"))
    assert first != second and first["identityPolicies"][0]["Id"] != first["identityPolicies"][1]["Id"]
    assert "Id" not in policy  # the case itself is left alone
