import time

import jwt
import pytest

from domain.access.tokens import TokenCodec
from domain.errors import Unauthenticated
from domain.principal import Principal, Role

SECRET = "a-secret-key-long-enough-for-hs256!"


def test_a_token_carries_its_principal():
    codec = TokenCodec(SECRET, 60)
    principal = Principal(Role.CLERK, 7, 3)
    assert codec.read(codec.issue(principal)) == principal


def test_an_expired_token_is_refused():
    codec = TokenCodec(SECRET, 60)
    token = codec.issue(Principal(Role.MEMBER, 1), now=time.time() - 120)
    with pytest.raises(Unauthenticated, match="expired"):
        codec.read(token)


def test_a_token_read_before_still_expires():
    now = [time.time()]
    codec = TokenCodec(SECRET, 60, clock=lambda: now[0])
    principal = Principal(Role.CLERK, 7, 3)
    token = codec.issue(principal, now=now[0])
    assert codec.read(token) == principal
    now[0] += 59
    assert codec.read(token) == principal  # the verified token, not verified again
    now[0] += 1
    with pytest.raises(Unauthenticated, match="expired"):
        codec.read(token)
    with pytest.raises(Unauthenticated, match="expired"):
        codec.read(token)


def test_a_forged_token_is_refused_every_time():
    forged = TokenCodec("another-key-that-is-long-enough!!!", 60).issue(Principal(Role.ADMIN, 1))
    codec = TokenCodec(SECRET, 60)
    for _ in range(2):
        with pytest.raises(Unauthenticated, match="not valid"):
            codec.read(forged)


def test_a_token_signed_with_another_key_is_refused():
    forged = TokenCodec("another-key-that-is-long-enough!!!", 60).issue(Principal(Role.ADMIN, 1))
    with pytest.raises(Unauthenticated, match="not valid"):
        TokenCodec(SECRET, 60).read(forged)


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        jwt.encode({"sub": "ADMIN:1", "role": "ADMIN"}, SECRET, algorithm="HS256"),
        jwt.encode(
            {"iss": "o2o", "sub": "x", "role": "KING", "iat": 1, "exp": 2**40}, SECRET, "HS256"
        ),
        jwt.encode(
            {"iss": "o2o", "sub": "ADMIN:1", "role": "ADMIN", "iat": 1, "exp": 2**40},
            None,
            algorithm="none",
        ),
    ],
)
def test_malformed_tokens_are_refused(token):
    with pytest.raises(Unauthenticated):
        TokenCodec(SECRET, 60).read(token)
