"""Revocations of access tokens: the durable copy of what Redis checks on every request."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class TokenRevocation(Model):
    # The Redis key it mirrors: one token signed out, or every token of a subject until then.
    key = fields.CharField(max_length=200, primary_key=True)
    value = fields.BigIntField()
    # Epoch seconds after which every token it could refuse has expired anyway.
    expires_at = fields.BigIntField(db_index=True)

    class Meta:
        table = "token_revocation"


__models__ = [TokenRevocation]
