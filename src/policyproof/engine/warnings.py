"""Warnings about a request the engine can still decide: an action or a context key that no AWS
service has (a typo decides nothing, so an ImplicitDeny for ``kms:Decrpyt`` says so), with the
closest real name from the catalog (the Service Authorization Reference data)."""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=4096)
def unknown_action(action: str) -> tuple[dict[str, Any], ...]:
    """A warning when ``action`` (service:Name) is not in the catalog, else nothing."""
    from policyproof.check.catalog import actions_of, service_names

    service, _, name = action.partition(":")
    services = service_names()
    if service.lower() not in services:
        close = difflib.get_close_matches(service.lower(), list(services), n=1)
        return (
            {
                "code": "unknown-service",
                "value": action,
                "suggestion": f"{close[0]}:{name}" if close else None,
            },
        )
    actions = actions_of(service)
    if name.lower() in actions:
        return ()
    spelled = {key: f"{service.lower()}:{record.name}" for key, record in actions.items()}
    close = difflib.get_close_matches(name.lower(), list(spelled), n=1, cutoff=0.75)
    return ({"code": "unknown-action", "value": action, "suggestion": spelled[close[0]] if close else None},)


@lru_cache(maxsize=4096)
def _unknown_key(key: str) -> dict[str, Any] | None:
    from policyproof.check.catalog import (
        condition_key_type,
        condition_keys_of,
        global_key_names,
        is_provider_key,
    )

    if condition_key_type(key) is not None or is_provider_key(key):
        return None
    prefix = key.partition(":")[0].lower()
    if prefix == "aws":
        candidates = {name.lower(): name for name in global_key_names()}
    else:
        candidates = {name: name for name in condition_keys_of(prefix) if "${" not in name}
    close = difflib.get_close_matches(key.lower(), list(candidates), n=1, cutoff=0.75)
    return {
        "code": "unknown-context-key",
        "value": key,
        "suggestion": candidates[close[0]] if close else None,
    }


@lru_cache(maxsize=4096)
def unknown_context_keys(keys: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    """Warnings for the request's context keys that no AWS service defines."""
    found = []
    for key in keys:
        if isinstance(key, str) and ":" in key:
            warning = _unknown_key(key)
            if warning is not None:
                found.append(warning)
    return tuple(found)
