"""The terminal store app's pieces that need no server."""

from datetime import UTC, datetime

import pytest

from api.cli import main
from storeapp.terminal import Backoff, Endpoint, describe_deadline


@pytest.mark.parametrize(
    ("url", "http", "ws"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/graphql", "ws://127.0.0.1:8000/graphql"),
        ("http://h:1/graphql/", "http://h:1/graphql", "ws://h:1/graphql"),
        (
            "https://shop.example/o2o",
            "https://shop.example/o2o/graphql",
            "wss://shop.example/o2o/graphql",
        ),
    ],
)
def test_the_url_gives_both_graphql_addresses(url, http, ws):
    assert Endpoint.from_url(url) == Endpoint(http=http, ws=ws)


def test_a_url_that_is_not_http_is_a_clear_error(capsys):
    code = main(["storeapp", "listen", "--url", "ftp://x", "--phone", "1", "--password", "p"])
    assert code == 2
    assert capsys.readouterr().err == (
        "o2o storeapp: --url must be http://host:port or https://host, got 'ftp://x'\n"
    )


def test_the_deadline_shows_the_time_left():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert describe_deadline("2026-01-01T12:05:09+00:00", now).endswith("(5:09 left)")
    assert describe_deadline("2026-01-01T11:59:00+00:00", now).endswith("(0:00 left)")


def test_the_back_off_grows_to_its_ceiling_and_starts_over_after_a_reset():
    backoff = Backoff(first=1.0, longest=8.0)
    delays = [backoff.next_delay() for _ in range(6)]
    for delay, ceiling in zip(delays, [1, 2, 4, 8, 8, 8], strict=True):
        assert ceiling / 2 <= delay <= ceiling
    backoff.reset()
    assert backoff.next_delay() <= 1.0
