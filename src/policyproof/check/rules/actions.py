"""Actions exist: known service prefix, known action, wildcards that match something."""

from __future__ import annotations

from functools import lru_cache

from policyproof.check import catalog
from policyproof.check.rules.base import Context


def check(context: Context) -> None:
    for statement in context.statements():
        for element in ("Action", "NotAction"):
            for path, action in statement.strings(element):
                problem = action_problem(action)
                if problem is not None:
                    context.report(problem[0], path, problem[1])


@lru_cache(maxsize=32768)
def action_problem(action: str) -> tuple[str, str] | None:
    """(code, message) for what is wrong with one action string, or ``None``.

    Depends only on the string, so it is cached: a corpus repeats the same actions thousands of times.
    """
    if action == "*":
        return None
    service, colon, name = action.partition(":")
    if not colon or not service or not name or ":" in name:
        return (
            "malformed-action",
            f'{action!r} is not an action: write service:ActionName, e.g. "s3:GetObject" (or "*")',
        )
    if "*" in service or "?" in service:
        return None  # a wildcard service prefix; nothing precise to check
    if catalog.service_exists(service) and catalog.has_matching_action(service, name):
        return None
    unlisted_in = catalog.unlisted_action_source(action)
    if unlisted_in:
        return (
            "unlisted-action",
            f"{action!r} is missing from the AWS Service Authorization Reference although AWS uses it (in "
            f"{unlisted_in}): keep it only if you know the service still evaluates it",
        )
    if service.lower() in catalog.RETIRED_SERVICES:
        return (
            "retired-service-action",
            f"{action!r} belongs to {catalog.RETIRED_SERVICES[service.lower()]}, which the AWS catalog no "
            "longer lists: the statement grants nothing today; remove the action",
        )
    if not catalog.service_exists(service):
        suggestion = catalog.suggest_service(service)
        hint = f' (did you mean "{suggestion}:{name}"?)' if suggestion else ""
        return (
            "unknown-service",
            f"{service!r} is not an AWS service prefix{hint}: use the prefix from the Service "
            "Authorization Reference",
        )
    if "*" in name or "?" in name:
        return (
            "wildcard-matches-nothing",
            f"{action!r} matches no action of {catalog.service_names()[service.lower()]}: "
            "fix the pattern or remove it",
        )
    suggestion = catalog.suggest_action(service, name)
    hint = (
        f': did you mean "{suggestion}"?'
        if suggestion
        else ": check the name in the Service Authorization Reference"
    )
    return ("unknown-action", f"{action!r} is not an action of {service}{hint}")


@lru_cache(maxsize=16384)
def concrete_actions(patterns: tuple[str, ...]) -> tuple[catalog.Action, ...] | None:
    """The catalog actions that ``patterns`` (an Action list) name; ``None`` if that is unbounded
    (``*``, ``svc:*``, a wildcard service) or includes actions the catalog does not know."""
    result: list[catalog.Action] = []
    for pattern in patterns:
        service, colon, name = pattern.partition(":")
        if pattern == "*" or not colon or "*" in service or "?" in service or name in ("*", ""):
            return None
        matched = catalog.match_actions(service, name)
        if not matched:
            return None
        result.extend(matched)
    return tuple(dict.fromkeys(result))
