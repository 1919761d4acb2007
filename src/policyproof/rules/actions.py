"""Actions exist: known service prefix, known action, wildcards that match something."""

from __future__ import annotations

from policyproof import catalog
from policyproof.rules.base import Context


def check(context: Context) -> None:
    for statement in context.statements():
        for element in ("Action", "NotAction"):
            for path, action in statement.strings(element):
                _check_action(context, path, action)


def _check_action(context: Context, path: tuple, action: str) -> None:
    if action == "*":
        return
    service, colon, name = action.partition(":")
    if not colon or not service or not name or ":" in name:
        context.report(
            "malformed-action", path,
            f"{action!r} is not an action: write service:ActionName, e.g. \"s3:GetObject\" (or \"*\")",
        )
        return
    if "*" in service or "?" in service:
        return  # a wildcard service prefix; nothing precise to check
    unlisted_in = catalog.unlisted_action_source(action)
    if unlisted_in and not catalog.match_actions(service, name):
        context.report(
            "unlisted-action", path,
            f"{action!r} is missing from the AWS Service Authorization Reference although AWS uses it (in "
            f"{unlisted_in}): keep it only if you know the service still evaluates it",
        )
        return
    if not catalog.service_exists(service):
        if service.lower() in catalog.RETIRED_SERVICES:
            _retired(context, path, action, service)
            return
        suggestion = catalog.suggest_service(service)
        hint = f" (did you mean \"{suggestion}:{name}\"?)" if suggestion else ""
        context.report(
            "unknown-service", path,
            f"{service!r} is not an AWS service prefix{hint}: use the prefix from the Service Authorization Reference",
        )
        return
    if catalog.match_actions(service, name):
        return
    if service.lower() in catalog.RETIRED_SERVICES:
        _retired(context, path, action, service)
    elif "*" in name or "?" in name:
        context.report(
            "wildcard-matches-nothing", path,
            f"{action!r} matches no action of {catalog.service_names()[service.lower()]}: "
            "fix the pattern or remove it",
        )
    else:
        suggestion = catalog.suggest_action(service, name)
        hint = f": did you mean \"{suggestion}\"?" if suggestion else ": check the name in the Service Authorization Reference"
        context.report("unknown-action", path, f"{action!r} is not an action of {service}{hint}")


def _retired(context: Context, path: tuple, action: str, service: str) -> None:
    context.report(
        "retired-service-action", path,
        f"{action!r} belongs to {catalog.RETIRED_SERVICES[service.lower()]}, which the AWS catalog no longer "
        "lists: the statement grants nothing today; remove the action",
    )


def concrete_actions(patterns: tuple[str, ...]) -> tuple[catalog.Action, ...] | None:
    """The catalog actions that ``patterns`` (an Action list) name; ``None`` if that is unbounded
    (``*``, a wildcard service) or includes actions the catalog does not know."""
    return _concrete_actions(patterns)


def _concrete_actions(patterns: tuple[str, ...]) -> tuple[catalog.Action, ...] | None:
    result: list[catalog.Action] = []
    for pattern in patterns:
        service, colon, name = pattern.partition(":")
        if pattern == "*" or not colon or "*" in service or "?" in service or name in ("*", ""):
            return None
        matched = catalog.match_actions(service, name)
        if not matched:
            return None
        result.extend(matched)
    return tuple(result)
