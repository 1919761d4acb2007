"""Input that cannot be checked gets one clear line naming the file (exit 2), never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from policyproof.check.checker import check_path, check_text
from policyproof.check.findings import InputError

PYTHON = sys.executable


def _run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "policyproof.cli", "check", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, tuple[str, ...], str]]:
    """name -> (path, extra CLI args, words the error must contain)"""
    binary = tmp_path / "binary.identity-policy.json"
    binary.write_bytes(bytes(range(256)) * 4)
    empty = tmp_path / "empty.identity-policy.json"
    empty.write_bytes(b"")
    huge = tmp_path / "huge.identity-policy.json"
    huge.write_text('{"Version": "2012-10-17", "Statement": [' + '{"Effect": "Allow"},' * 260_000 + "{}]}")
    deep = tmp_path / "deep.identity-policy.json"
    deep.write_text("[" * 5000 + "]" * 5000)
    latin1 = tmp_path / "latin1.identity-policy.json"
    latin1.write_bytes('{"Sid": "caf\xe9"}'.encode("latin-1"))
    unknown_suffix = tmp_path / "policy.json"
    unknown_suffix.write_text('{"Version": "2012-10-17", "Statement": []}')
    dangling = tmp_path / "gone.identity-policy.json"
    dangling.symlink_to(tmp_path / "does-not-exist")
    directory = tmp_path / "dir.identity-policy.json"
    directory.mkdir()
    return {
        "binary": (binary, (), "binary file"),
        "empty": (empty, (), "the file is empty"),
        "huge": (huge, (), "larger than"),
        "deep": (deep, (), "nested more than"),
        "latin1": (latin1, (), "not UTF-8"),
        "unknown suffix": (unknown_suffix, (), "cannot tell the policy kind"),
        "wrong kind": (unknown_suffix, ("--kind", "lambda"), "unknown --kind 'lambda'"),
        "missing path": (tmp_path / "missing.identity-policy.json", (), "no such file"),
        "dangling symlink": (dangling, (), "no such file"),
        "directory as file": (directory, (), "directory holds no policy files"),
    }


def test_bad_inputs_give_one_line_and_exit_2(tmp_path: Path) -> None:
    for name, (path, extra, words) in _bad_inputs(tmp_path).items():
        result = _run_cli(*extra, path)
        where = f"{name} ({path}): stdout={result.stdout!r} stderr={result.stderr!r}"
        assert result.returncode == 2, where
        assert "Traceback" not in result.stderr, where
        error_lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(error_lines) == 1, where
        assert words in result.stderr, where
        if name != "wrong kind":
            assert str(path) in error_lines[0], where


def test_library_raises_input_error_for_unreadable_and_undecidable_input(tmp_path: Path) -> None:
    inputs = _bad_inputs(tmp_path)
    for name in (
        "binary",
        "empty",
        "huge",
        "deep",
        "latin1",
        "unknown suffix",
        "missing path",
        "dangling symlink",
    ):
        path, _, words = inputs[name]
        with pytest.raises(InputError) as caught:
            check_path(path)
        assert words in caught.value.message, f"{name}: {caught.value}"
        assert caught.value.file == str(path)
    with pytest.raises(InputError, match="unknown policy kind"):
        check_text("{}", file="x.json", kind="lambda")


def test_a_good_file_next_to_a_bad_one_is_still_checked(tmp_path: Path) -> None:
    good = tmp_path / "good.identity-policy.json"
    good.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", '
        '"Resource": "*"}]}'
    )
    result = _run_cli(good, tmp_path / "missing.identity-policy.json")
    assert result.returncode == 2
    assert "unknown-action" in result.stdout and "no such file" in result.stderr
