"""Every witness is decided again by the concrete engine (src/policyproof/symbolic/solve.py,
Question.witness): if the two engines ever disagree, the answer is an error, never printed as a
finding."""

from __future__ import annotations

import json

import pytest

import policyproof.symbolic.solve as solve
from policyproof.cli import main
from policyproof.engine import NamedPolicy, evaluate
from policyproof.symbolic import WitnessMismatch, compare


def doc(action: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}


def lying_engine(request, policies):
    result = evaluate(request, policies)
    result.decision = "ImplicitDeny" if result.decision == "Allow" else "Allow"
    return result


def test_a_disagreeing_concrete_engine_raises(monkeypatch):
    monkeypatch.setattr(solve, "evaluate", lying_engine)
    with pytest.raises(WitnessMismatch, match="the symbolic form decides"):
        compare(NamedPolicy("b", doc("s3:GetObject")), NamedPolicy("a", doc("s3:Get*")), "identity")


def test_the_command_reports_the_disagreement_as_an_internal_error(monkeypatch, tmp_path, capsys):
    before = tmp_path / "b.identity-policy.json"
    after = tmp_path / "a.identity-policy.json"
    before.write_text(json.dumps(doc("s3:GetObject")), encoding="utf-8")
    after.write_text(json.dumps(doc("s3:Get*")), encoding="utf-8")
    monkeypatch.setattr(solve, "evaluate", lying_engine)
    assert main(["compare", str(before), str(after)]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "internal error, the two engines disagree" in captured.err
