"""Benchmark: universal questions on the KMS note's policies (snippets/kms/cross-account-encryption).

Each question is asked ``--rounds`` times in this process; the script prints the answer, the first
(cold) time and the median of the warm runs, plus the one-off cost of loading the action list of
the Service Authorization Reference. Proofs ("no request ...") are the figures that matter for
claims; counterexamples also include finding a readable witness and deciding it again with the
concrete engine.

    .venv/bin/python bench/bench_symbolic.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from policyproof.claims.loader import load_claims
from policyproof.engine import NamedPolicy
from policyproof.symbolic import Filters, compare, who_can
from policyproof.symbolic.actions import documented_actions
from policyproof.symbolic.claims import ForAllSpec, prove_for_all

REPO = Path(__file__).resolve().parents[1]
NOTE = REPO / "snippets" / "kms" / "cross-account-encryption"
ROUNDS = [3]  # --rounds
KEY_A = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def policy(name: str) -> NamedPolicy:
    return NamedPolicy(name, json.loads((NOTE / name).read_text(encoding="utf-8")))


def questions() -> list[tuple[str, Callable[[], str]]]:
    key = policy("key-a-shared-with-b.key-policy.json")
    snapshot_key = policy("snapshot-key-a-shared-with-b.key-policy.json")
    reader = policy("app-reader-uses-key-a.identity-policy.json")
    reader_s3 = policy("app-reader-s3-sse-kms.identity-policy.json")
    bucket = policy("bucket-a-shared-with-b.bucket-policy.json")

    def claim(spec: ForAllSpec) -> Callable[[], str]:
        # Each round proves the claim of a freshly loaded claims.yaml (read before the clock
        # starts): claims of one file share formulas, so asking the same loaded file again would
        # time a reuse no build makes.
        fresh = [load_claims(NOTE / "claims.yaml") for _ in range(ROUNDS[0])]
        return lambda: "proved" if prove_for_all(fresh.pop(), spec).proved else "counterexample"

    def compared(before: NamedPolicy, after: NamedPolicy, kind: str) -> Callable[[], str]:
        return lambda: "new access" if compare(before, after, kind).adds_access else "no new access (proved)"

    return [
        (
            "for_all: nobody outside A, B can kms:Decrypt key-a",
            claim(ForAllSpec("a", resource="key-a", actions=("kms:Decrypt",), accounts_outside=("A", "B"))),
        ),
        (
            "for_all: app-reader-b grants nothing beyond its 3 KMS actions",
            claim(
                ForAllSpec(
                    "b",
                    principal="app-reader-b",
                    actions_outside=("kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"),
                )
            ),
        ),
        (
            "for_all: aws/s3 key of A serves no other account",
            claim(ForAllSpec("c", resource="aws-s3-key-a", accounts_outside=("A",))),
        ),
        (
            "for_all: no account but A can ScheduleKeyDeletion on key-a",
            claim(
                ForAllSpec(
                    "d", resource="key-a", actions=("kms:ScheduleKeyDeletion",), accounts_outside=("A",)
                )
            ),
        ),
        ("compare: key-a policy against itself", compared(key, key, "key")),
        ("compare: snapshot key policy -> key-a policy", compared(snapshot_key, key, "key")),
        ("compare: bucket policy against itself", compared(bucket, bucket, "bucket")),
        ("compare: KMS-only reader policy -> S3+KMS reader policy", compared(reader, reader_s3, "identity")),
        (
            "who-can: kms:Decrypt on key-a",
            lambda: f"{len(who_can([('key', key)], Filters('kms:Decrypt', KEY_A)).findings)} findings",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ROUNDS[0] = max(1, args.rounds)
    start = time.perf_counter()
    count = len(documented_actions())
    elapsed = time.perf_counter() - start
    print(f"load the action list ({count} documented actions), once per process: {elapsed:.2f} s")
    print(f"{'question':62} {'answer':24} {'cold s':>7} {'warm s':>7}")
    for name, ask in questions():
        times = []
        answer = ""
        for _ in range(max(1, args.rounds)):
            start = time.perf_counter()
            answer = ask()
            times.append(time.perf_counter() - start)
        warm = statistics.median(times[1:]) if len(times) > 1 else times[0]
        print(f"{name:62} {answer:24} {times[0]:7.2f} {warm:7.2f}")


if __name__ == "__main__":
    main()
