"""AWS managed KMS keys (``aws/s3``, ``aws/ebs``, ...) as data: their fixed key policies.

An AWS managed key lives in the customer's account, but AWS writes its key policy and nobody can
change it. That policy lets *any* principal use the key, but only through the owning service and
only when the caller is in the owner account (``kms:ViaService`` and ``kms:CallerAccount``). Keeping
the policies as data means "aws/s3 cannot be used from another account" is decided by the engine
evaluating that policy, like any other key policy, with no special case anywhere.

The templates live in ``policyproof/data/managed-keys.json``; its ``$comment`` names the AWS pages
they come from.
"""

from __future__ import annotations

import json
import re
import uuid
from functools import cache
from importlib import resources
from typing import Any

from policyproof.engine.errors import EngineInputError

_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


@cache
def _templates() -> dict[str, dict[str, Any]]:
    text = resources.files("policyproof").joinpath("data/managed-keys.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return {alias: entry for alias, entry in data.items() if not alias.startswith("$")}


def managed_key_aliases() -> tuple[str, ...]:
    """The aliases this module knows, such as ``aws/s3``."""
    return tuple(sorted(_templates()))


def via_service(alias: str, region: str) -> str:
    """The ``kms:ViaService`` value the managed key ``alias`` accepts in ``region``."""
    return f"{_template(alias)['via_service']}.{region}.amazonaws.com"


def _template(alias: str) -> dict[str, Any]:
    templates = _templates()
    if alias not in templates:
        known = ", ".join(sorted(templates))
        raise EngineInputError(f"unknown AWS managed key {alias!r}; known: {known}")
    return templates[alias]


def managed_key_policy(alias: str, account: str, region: str) -> dict[str, Any]:
    """The key policy AWS attaches to the managed key ``alias`` of ``account`` in ``region``.

    >>> policy = managed_key_policy("aws/s3", "111111111111", "us-east-1")
    >>> policy["Statement"][0]["Condition"]["StringEquals"]["kms:ViaService"]
    's3.us-east-1.amazonaws.com'
    """
    template = _template(alias)
    if not _ACCOUNT.match(account):
        raise EngineInputError(f"managed key {alias}: account {account!r} is not a 12-digit account id")
    if not _REGION.match(region):
        raise EngineInputError(f"managed key {alias}: {region!r} is not a Region name such as us-east-1")
    service = template["service"]
    return {
        "Version": "2012-10-17",
        "Id": template["id"],
        "Statement": [
            {
                "Sid": f"Allow access through {service} for all principals in the account "
                f"that are authorized to use {service}",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": list(template["use_actions"]),
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:CallerAccount": account,
                        "kms:ViaService": via_service(alias, region),
                    }
                },
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": list(template["metadata_actions"]),
                "Resource": "*",
            },
        ],
    }


def managed_key_arn(alias: str, account: str, region: str) -> str:
    """An ARN for the managed key ``alias`` of ``account``, for worlds that do not declare one.

    AWS gives every managed key a random key id that only the account can look up, so the id here
    is a stable stand-in (a name-based UUID), shaped like a real one so the ARN parses as a key ARN.
    """
    _template(alias)  # an unknown alias fails here, with the known ones
    key_id = uuid.uuid5(uuid.NAMESPACE_URL, f"policyproof:managed-key:{alias}:{account}:{region}")
    return f"arn:aws:kms:{region}:{account}:key/{key_id}"
