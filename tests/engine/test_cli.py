"""``policyproof evaluate``: output formats, exit codes, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyproof.cli import main

A = "111111111111"
B = "222222222222"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234"


def case(name: str = "b-decrypts", principal: str = f"arn:aws:iam::{B}:user/bob", **extra: object) -> dict:
    data = {
        "name": name,
        "request": {
            "principal": principal,
            "action": "kms:Decrypt",
            "resource": {"resource": KEY, "accountId": A},
        },
        "identityPolicies": [
            {
                "Version": "2012-10-17",
                "Statement": [{"Sid": "UseKey", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY}],
            }
        ],
        "resourcePolicy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowB",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                }
            ],
        },
    }
    data.update(extra)
    return data


def run(tmp_path: Path, content: object, *options: str, raw: str | None = None) -> tuple[int, str, str, Path]:
    path = tmp_path / "case.json"
    path.write_text(raw if raw is not None else json.dumps(content, indent=2), encoding="utf-8")
    return main(["evaluate", str(path), *options]), "", "", path


def test_single_case_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, *_ = run(tmp_path, case(), "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["decision"] == "Allow"
    assert out["trace"]["decidedBy"]["code"] == "allow-cross-account"


def test_array_of_cases_json_keeps_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    denied = case("no-identity", identityPolicies=[])
    code, *_ = run(tmp_path, [case(), denied], "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(item["name"], item["decision"]) for item in out] == [
        ("b-decrypts", "Allow"),
        ("no-identity", "ImplicitDeny"),
    ]
    assert all("trace" in item for item in out)


def test_text_explains_in_plain_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, *_ = run(tmp_path, [case(), case("no-identity", identityPolicies=[])])
    text = capsys.readouterr().out
    assert code == 0
    assert "== b-decrypts ==" in text and "== no-identity ==" in text
    assert 'statement "AllowB" of key policy "resourcePolicy"' in text
    assert "no identity policy of the principal" in text


def test_text_in_vietnamese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, *_ = run(tmp_path, case(identityPolicies=[]), "--lang", "vi")
    text = capsys.readouterr().out
    assert code == 0
    assert "Kết quả: ImplicitDeny (bị từ chối ngầm định)" in text
    assert "request cross-account" in text and "chéo account" not in text


def test_exit_status_does_not_depend_on_the_decision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deny_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    code, *_ = run(tmp_path, case(identityPolicies=[deny_all]), "--format", "json")
    assert code == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "ExplicitDeny"


BAD_INPUTS = [
    # (what is wrong, the case or raw text, fragment of the message, line:column or None)
    ("trailing comma", None, "", None),
    ("not a case", ["just", "strings"], "case[0]: must be a JSON object", (2, 3)),
    (
        "unknown key",
        case(resourcePolicies=[]),
        "unknown key 'resourcePolicies' (did you mean 'resourcePolicy'?)",
        '"resourcePolicies": ',
    ),
    (
        "bad action",
        case(
            request={
                "principal": f"arn:aws:iam::{B}:user/bob",
                "action": "Decrypt",
                "resource": {"resource": KEY, "accountId": A},
            }
        ),
        "service:Action",
        None,
    ),
    (
        "malformed ARN",
        case(
            request={
                "principal": f"arn:aws:iam::{B}:user/bob",
                "action": "kms:Decrypt",
                "resource": {"resource": "key/1234", "accountId": A},
            }
        ),
        "not an ARN",
        None,
    ),
    (
        "missing owner account",
        case(
            request={
                "principal": f"arn:aws:iam::{B}:user/bob",
                "action": "s3:GetObject",
                "resource": {"resource": "arn:aws:s3:::bucket/k"},
            }
        ),
        "carries no owner account",
        None,
    ),
    (
        "context type",
        case(
            request={
                "principal": f"arn:aws:iam::{B}:user/bob",
                "action": "kms:Decrypt",
                "resource": {"resource": KEY, "accountId": A},
                "context": {"aws:SecureTransport": True},
            }
        ),
        "of type bool",
        None,
    ),
    (
        "policy of the wrong kind",
        case(identityPolicies=[["s3:GetObject"]]),
        "identityPolicies[0]: must be a policy document",
        None,
    ),
    (
        "bad effect",
        case(identityPolicies=[{"Statement": [{"Effect": "Permit", "Action": "*", "Resource": "*"}]}]),
        '"Allow" or "Deny"',
        None,
    ),
    ("bad principal", case(principal="bob"), "principal 'bob' is not understood", None),
]


@pytest.mark.parametrize(
    ("what", "content", "fragment", "position"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_is_one_line_with_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    what: str,
    content: object,
    fragment: str,
    position: tuple[int, int] | str | None,
) -> None:
    raw = '{"name": "x", "request": {},}' if content is None else None
    code, _, _, path = run(tmp_path, content, raw=raw)
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert code == 2, f"{what}: exit {code}, stderr {err!r}"
    assert captured.out == ""
    assert "\n" not in err and "Traceback" not in err, err
    assert err.startswith(f"policyproof evaluate: {path}:"), err
    assert fragment in err, err
    if isinstance(position, str):  # the value after this key: find its line and column
        lines = path.read_text(encoding="utf-8").splitlines()
        number = next(i for i, line in enumerate(lines, 1) if position in line)
        position = (number, lines[number - 1].index(position) + len(position) + 1)
    if position is not None:
        assert f"{path}:{position[0]}:{position[1]}:" in err, err


def test_bad_policy_error_points_at_the_statement(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = case(identityPolicies=[{"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}])
    code, _, _, path = run(tmp_path, [case(), bad])
    err = capsys.readouterr().err
    assert code == 2
    text = path.read_text(encoding="utf-8").splitlines()
    line = int(err.split(f"{path}:")[1].split(":")[0])
    assert '"Effect": "allow"' in "\n".join(text[line - 1 : line + 2]), (line, err)
    assert "case[1] (b-decrypts)" in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["evaluate", str(tmp_path / "nope.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert "nope.json" in err and "cannot read" in err
