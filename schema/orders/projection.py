"""A selection set compiled into a function from an object to its response data.

GraphQL execution re-walks the document for every value it completes: for a subscription
event that costs far more than the event itself. When every selected field is a plain
attribute of a strawberry type (no resolver, no arguments, no directives, no fragments, no
lists), the response is a fixed projection of the object, and ``compile_projection`` returns
it; otherwise None, and the caller executes the document as usual. Leaves are serialized by
the schema's own scalar and enum types, so the data is the same as execution gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    SelectionSetNode,
    is_leaf_type,
    is_object_type,
)
from strawberry.types.field import StrawberryField

Projection = Callable[[Any], dict[str, Any]]
_Getter = Callable[[Any], Any]

STRAWBERRY_DEFINITION = "strawberry-definition"


def compile_projection(
    object_type: GraphQLObjectType, selection_set: SelectionSetNode | None
) -> Projection | None:
    """The projection of ``selection_set`` on values of ``object_type``, or None."""
    if selection_set is None:
        return None
    getters: dict[str, _Getter] = {}
    for selection in selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives or selection.arguments:
            return None
        key = (selection.alias or selection.name).value
        getter = _field_getter(object_type, selection)
        if getter is None or key in getters:  # a repeated key merges fields: execute instead
            return None
        getters[key] = getter
    items = tuple(getters.items())
    return lambda value: {key: get(value) for key, get in items}


def _field_getter(object_type: GraphQLObjectType, node: FieldNode) -> _Getter | None:
    name = node.name.value
    if name == "__typename":
        type_name = object_type.name
        return lambda _value: type_name
    field = object_type.fields.get(name)
    attribute = _plain_attribute(field)
    if field is None or attribute is None:
        return None
    return _value_getter(attribute, field.type, node.selection_set)


def _plain_attribute(field: GraphQLField | None) -> str | None:
    """The Python attribute a field reads, when reading it is all the field does."""
    if field is None:
        return None
    definition = (field.extensions or {}).get(STRAWBERRY_DEFINITION)
    if not isinstance(definition, StrawberryField):
        return None
    if definition.base_resolver is not None or definition.extensions or field.args:
        return None
    if definition.permission_classes or definition.directives:
        return None
    return definition.python_name


def _value_getter(
    attribute: str, field_type: GraphQLOutputType, selection_set: SelectionSetNode | None
) -> _Getter | None:
    named = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if is_leaf_type(named):
        if selection_set is not None:
            return None
        serialize = named.serialize
        return lambda value: _leaf(getattr(value, attribute), serialize)
    if is_object_type(named):
        inner = compile_projection(named, selection_set)
        if inner is None:
            return None
        return lambda value: _object(getattr(value, attribute), inner)
    return None  # lists, interfaces, unions: execution knows their rules


def _leaf(value: Any, serialize: Callable[[Any], Any]) -> Any:
    return None if value is None else serialize(value)


def _object(value: Any, project: Projection) -> dict[str, Any] | None:
    return None if value is None else project(value)
