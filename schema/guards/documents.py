"""Documents parsed, measured and validated off the event loop, each once.

graphql-core parses and validates in pure Python: a document within the token limit takes
tens of milliseconds to parse and as long again to validate, and a few clients sending new
ones at once would hold the event loop (health checks, the deadline worker and every
subscription with it) for the sum. So a document not seen before is prepared in one worker
thread: the loop only waits for it, and the interpreter hands the loop the GIL within its
switch interval (5 ms) however long the thread works. One thread, so that the loop competes
with one busy thread at most; the limits keep each document's turn short.

A document seen before (store apps send the same few over and over) is answered from the
cache on the loop, without the thread; a short one is parsed and measured on the loop.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from schema.guards.limits import Limits, measure, unnamed_operation

T = TypeVar("T")
Rules = tuple[type[ASTValidationRule], ...]

# Shared by every schema of the process: one thread competing with the event loop.
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="o2o-documents")


async def off_the_loop(work: Callable[[], T]) -> T:
    """``work()`` run in the documents' worker thread."""
    return await asyncio.get_running_loop().run_in_executor(_WORKER, work)


@dataclass(frozen=True)
class Prepared:
    """A document and its refusals: over the limits or invalid (none: it may run)."""

    document: DocumentNode
    errors: list[GraphQLError]


# Parsing costs some 15 µs a token: a document this short is parsed and measured on the loop
# (a millisecond or two), so that the few hundred bytes of a fragment bomb are refused at once
# rather than after whatever the worker is busy with.
INLINE_CHARS = 1000


def measured(query: str, limits: Limits) -> Prepared:
    """Parsed (raising ``GraphQLSyntaxError``) and measured: the refusal, if any, in errors."""
    document = parse(query, max_tokens=limits.max_tokens)
    refusal = measure(document, limits)
    return Prepared(document, [refusal] if refusal is not None else [])


def prepare(
    schema: GraphQLSchema,
    query: str,
    rules: Rules,
    limits: Limits,
    first: Prepared | None = None,
) -> Prepared:
    """Parsed and measured (unless ``first`` was), then validated if within the limits."""
    first = first or measured(query, limits)
    if first.errors:
        return first
    return Prepared(first.document, validate_document(schema, first.document, rules))


class Documents:
    """The prepared documents of one schema, the most recently used ``maxsize`` of them."""

    def __init__(self, limits: Limits, maxsize: int = 256) -> None:
        self.limits = limits
        self.maxsize = maxsize
        self.hits = 0
        self._cache: OrderedDict[tuple[str, Rules], Prepared] = OrderedDict()
        # Requests for a document being prepared wait for that one preparation.
        self._pending: dict[tuple[str, Rules], asyncio.Future[Prepared]] = {}

    async def get(
        self, schema: GraphQLSchema, query: str, rules: Sequence[type[ASTValidationRule]]
    ) -> Prepared:
        key = (query, tuple(rules))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.hits += 1
            return cached
        pending = self._pending.get(key)
        if pending is None:
            first = measured(query, self.limits) if len(query) <= INLINE_CHARS else None
            if first is not None and first.errors:
                self._keep(key, first)
                return first
            pending = asyncio.get_running_loop().run_in_executor(
                _WORKER, prepare, schema, query, key[1], self.limits, first
            )
            self._pending[key] = pending
            pending.add_done_callback(lambda done: self._settle(key, done))
        # Shielded: one caller going away does not cancel the others' preparation.
        return await asyncio.shield(pending)

    def _settle(self, key: tuple[str, Rules], done: asyncio.Future[Prepared]) -> None:
        del self._pending[key]
        if done.cancelled() or done.exception() is not None:
            return  # a syntax error is not kept: each request gets its own, re-raised
        self._keep(key, done.result())

    def _keep(self, key: tuple[str, Rules], prepared: Prepared) -> None:
        self._cache[key] = prepared
        if len(self._cache) > self.maxsize:
            self._cache.popitem(last=False)


class PreparedDocuments(SchemaExtension):
    """Parsing and validation from ``Documents``: strawberry's own steps then find them done.

    Replaces strawberry's ParserCache and ValidationCache, which do the same work on the loop.
    A document of several operations without ``operationName`` is refused here too, once it
    is valid (so that validation's own errors, such as an anonymous operation among others,
    are the ones reported).
    """

    def __init__(self, documents: Documents) -> None:
        super().__init__()
        self.documents = documents
        self.prepared: Prepared | None = None

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        assert context.query is not None  # strawberry refuses a missing query before parsing
        # A syntax error (or the token limit) is raised as ParserCache raises it.
        self.prepared = await self.documents.get(
            context.schema._schema, context.query, context.validation_rules
        )
        context.graphql_document = self.prepared.document
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        assert self.prepared is not None
        errors = self.prepared.errors
        if not errors:
            # strawberry keeps the operationName the client sent only here.
            unnamed = unnamed_operation(self.prepared.document, context._provided_operation_name)
            errors = [unnamed] if unnamed is not None else []
        context.pre_execution_errors = list(errors)
        yield
