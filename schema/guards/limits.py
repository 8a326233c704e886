"""What one document may ask: depth, aliases, tokens, selections and repeats, each refusal coded.

Selections and repeats are measured before graphql-core validates the document: a few hundred
bytes of fragments spreading fragments expand exponentially, and validation (this module's
depth and alias rules, graphql-core's OverlappingFieldsCanBeMerged) walks them expanded, or
compares every pair of fields that merge. One such document held the event loop for minutes.

The validation rule classes are built once per schema, not per request: the cache of validated
documents (``schema.documents``) keys on the rule classes, so a class made afresh for every
request (as the stock limiter extensions do when given as factories) would never hit it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
)
from strawberry.extensions import AddValidationRules, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator


class LimitCode(StrEnum):
    """``extensions.code`` of a document refused for its size or shape."""

    DEPTH_LIMIT = "DEPTH_LIMIT"
    ALIAS_LIMIT = "ALIAS_LIMIT"
    TOKEN_LIMIT = "TOKEN_LIMIT"
    COMPLEXITY_LIMIT = "COMPLEXITY_LIMIT"
    REPEAT_LIMIT = "REPEAT_LIMIT"


# Not a limit: a document of several operations names the one to run.
OPERATION_NAME_REQUIRED = "OPERATION_NAME_REQUIRED"


@dataclass(frozen=True)
class Limits:
    max_depth: int = 12
    max_aliases: int = 15
    max_tokens: int = 2000
    # Selections (fields and fragments) once every fragment is expanded where it is spread.
    max_selections: int = 1000
    # Fields with one response key merged at one place: graphql-core compares every pair.
    max_repeats: int = 20


# The stock rules' messages, matched to name the limit (their texts are covered by tests).
_MESSAGES: tuple[tuple[str, LimitCode], ...] = (
    ("exceeds maximum operation depth", LimitCode.DEPTH_LIMIT),
    ("aliases found. Allowed:", LimitCode.ALIAS_LIMIT),
    ("Document contains more than", LimitCode.TOKEN_LIMIT),
)


def limit_code(error: GraphQLError) -> LimitCode | None:
    return next((code for text, code in _MESSAGES if text in error.message), None)


class CodeLimitErrors(SchemaExtension):
    """Put the limit's code in ``extensions.code`` of every refusal of a document."""

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as refused:
            # Documents are parsed in an extension's hook, so a document over the token limit
            # is refused by an exception passing through here rather than as a result error.
            _tag(refused)
            raise
        for error in self.execution_context.pre_execution_errors or ():
            _tag(error)


def _tag(error: GraphQLError) -> None:
    code = limit_code(error)
    if code is not None:
        error.extensions = {**(error.extensions or {}), "code": code.value}


def measure(document: DocumentNode, limits: Limits) -> GraphQLError | None:
    """The refusal of a document too big once expanded, in time linear in its size.

    First the selections of the document expanded, from each fragment's count computed once:
    every operation's, and every fragment's that no operation spreads (graphql-core validates
    those too). Only a document within that budget is then walked expanded, to count the
    fields that merge (one response key at one place, through any fragment), since
    graphql-core compares each pair of them.
    """
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    operations = [
        definition.selection_set
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    local = {name: _local(fragment.selection_set) for name, fragment in fragments.items()}
    reached = _reached(operations, local)
    unreached = [
        fragment.selection_set for name, fragment in fragments.items() if name not in reached
    ]
    counts = _expanded_counts(local, cap=limits.max_selections + 1)
    total = sum(_expanded(root, counts) for root in [*operations, *unreached])
    if total > limits.max_selections:
        return _too_many(limits)
    walk = _Expansion(fragments, limits)
    for root in [*operations, *unreached]:
        if refusal := walk.root(root):
            return refusal
    return None


def _too_many(limits: Limits) -> GraphQLError:
    return _refusal(
        f"This document makes more than {limits.max_selections:,} selections once its "
        "fragments are expanded (each fragment counts wherever it is spread); ask for less "
        "in one request.",
        LimitCode.COMPLEXITY_LIMIT,
    )


def _local(selection_set: SelectionSetNode) -> tuple[int, list[str]]:
    """The selections within ``selection_set`` itself, and the fragments it spreads."""
    count, spreads = 0, []
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            count += 1
            if isinstance(selection, FragmentSpreadNode):
                spreads.append(selection.name.value)
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                stack.append(selection.selection_set)
    return count, spreads


def _reached(
    operations: list[SelectionSetNode], local: dict[str, tuple[int, list[str]]]
) -> set[str]:
    """The fragments the operations spread, directly or through other fragments."""
    pending = [name for root in operations for name in _local(root)[1]]
    reached: set[str] = set()
    while pending:
        name = pending.pop()
        if name in local and name not in reached:
            reached.add(name)
            pending.extend(local[name][1])
    return reached


def _expanded_counts(local: dict[str, tuple[int, list[str]]], cap: int) -> dict[str, int]:
    """Each fragment's selections with the fragments it spreads expanded, up to ``cap``.

    Computed once per fragment, depth first without recursion; a spread closing a cycle
    counts as one selection (validation reports the cycle).
    """
    counts: dict[str, int] = {}
    for start in local:
        if start in counts:
            continue
        path = [(start, iter(local[start][1]))]
        on_path = {start}
        while path:
            name, pending = path[-1]
            for spread in pending:
                if spread in local and spread not in counts and spread not in on_path:
                    path.append((spread, iter(local[spread][1])))
                    on_path.add(spread)
                    break
            else:
                path.pop()
                on_path.discard(name)
                own, spread_names = local[name]
                total = own + sum(counts.get(spread, 0) for spread in spread_names)
                counts[name] = min(total, cap)
    return counts


def _expanded(root: SelectionSetNode, counts: dict[str, int]) -> int:
    own, spread_names = _local(root)
    return own + sum(counts.get(name, 0) for name in spread_names)


class _Expansion:
    """Walks selection sets with their fragments expanded, counting against ``limits``."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode], limits: Limits) -> None:
        self.fragments = fragments
        self.limits = limits
        self.selections = 0

    def root(self, selection_set: SelectionSetNode) -> GraphQLError | None:
        # A place is a response key under a parent place (0 is the root): (parent, key) -> id.
        places: dict[tuple[int, str], int] = {}
        keys: list[tuple[int, str]] = [(0, "")]
        counts = [0]
        expanding: set[str] = set()
        # Iterative, as fragments may nest deeper than Python recurses. A fragment's name on
        # the stack marks the end of its selections: it is being expanded until then.
        stack: list[tuple[SelectionNode, int] | str] = [
            (selection, 0) for selection in reversed(selection_set.selections)
        ]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                expanding.discard(item)
                continue
            node, parent = item
            self.selections += 1
            if self.selections > self.limits.max_selections:
                # Only where a fragment cycle made the counts above differ: a safety net.
                return _too_many(self.limits)
            if isinstance(node, FieldNode):
                key = (node.alias or node.name).value
                place = places.setdefault((parent, key), len(counts))
                if place == len(counts):
                    keys.append((parent, key))
                    counts.append(0)
                counts[place] += 1
                if counts[place] > self.limits.max_repeats:
                    return _refusal(
                        f"The field '{key}' is selected more than {self.limits.max_repeats} "
                        f"times at {_path(keys, place)}, counting fragments where they are "
                        "spread; select it once.",
                        LimitCode.REPEAT_LIMIT,
                        node,
                    )
                if node.selection_set is not None:
                    stack.extend(
                        (child, place) for child in reversed(node.selection_set.selections)
                    )
            elif isinstance(node, InlineFragmentNode):
                stack.extend((child, parent) for child in reversed(node.selection_set.selections))
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                # An unknown fragment, or one spread within itself: validation reports both.
                if fragment is None or name in expanding:
                    continue
                expanding.add(name)
                stack.append(name)
                stack.extend(
                    (child, parent) for child in reversed(fragment.selection_set.selections)
                )
        return None


def _path(keys: list[tuple[int, str]], place: int) -> str:
    parts: list[str] = []
    while place:
        place, key = keys[place]
        parts.append(key)
    return ".".join(reversed(parts))


def _refusal(message: str, code: LimitCode, node: FieldNode | None = None) -> GraphQLError:
    return GraphQLError(message, nodes=node, extensions={"code": code.value})


def unnamed_operation(document: DocumentNode, operation_name: str | None) -> GraphQLError | None:
    """The refusal of a document of several operations that does not say which to run.

    strawberry would run the first; graphql-core's rule is to refuse (the spec's
    GetOperation: "If operationName is null: if document contains exactly one operation
    return it, otherwise produce a query error").
    """
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    if operation_name is not None or len(operations) < 2:
        return None
    names = ", ".join(op.name.value if op.name else "(anonymous)" for op in operations)
    return GraphQLError(
        f"This document holds {len(operations)} operations ({names}): "
        "name the one to run in operationName.",
        extensions={"code": OPERATION_NAME_REQUIRED},
    )


def validation_rules(limits: Limits) -> list[type[ASTValidationRule]]:
    """The rules refusing a document too deep or with too many aliases."""
    return [depth_validator(limits.max_depth, None), aliases_validator(limits.max_aliases)]


def limit_extensions(
    limits: Limits, rules: list[type[ASTValidationRule]]
) -> list[Callable[[], SchemaExtension]]:
    """Extension factories enforcing ``limits`` with ``validation_rules(limits)``, made once.

    The token limit is the parser's (``schema.documents.prepare``), the others are measured
    or validated there too.
    """
    return [lambda: AddValidationRules(rules), CodeLimitErrors]
