"""The geo index's searches, on whichever Redis the run uses (in-process or real)."""

import pytest

from realtime.geo import GeoIndex

# Points on a line east of (23.10, 113.30), ~1.02 km per 0.01 degree of longitude.
ORIGIN = (23.10, 113.30)
EAST_KM = {1: 0.5, 2: 2.0, 3: 4.0, 4: 30.0}


@pytest.fixture
async def index(redis):
    geo = GeoIndex(redis, "test:geo", "test:geo:building")
    await geo.replace((i, ORIGIN[0], ORIGIN[1] + km / 102.3) for i, km in EAST_KM.items())
    return geo


async def test_many_points_are_searched_as_each_alone(index):
    points = [ORIGIN, (ORIGIN[0], ORIGIN[1] + 4.0 / 102.3), (0.0, 0.0)]
    for count in (None, 2):
        many = await index.nearest_many(points, 10.0, count)
        alone = [await index.nearest(lat, lng, 10.0, count) for lat, lng in points]
        assert many == alone
    assert [[i for i, _ in near] for near in many] == [[1, 2], [3, 2], []]


async def test_results_are_nearest_first_with_their_distance(index):
    (near,) = await index.nearest_many([ORIGIN], 100.0)
    assert [i for i, _ in near] == [1, 2, 3, 4]
    assert [round(km, 1) for _, km in near] == [0.5, 2.0, 4.0, 30.0]


async def test_no_points_no_searches(index):
    assert await index.nearest_many([], 10.0, 3) == []


async def test_an_empty_index_finds_nothing(redis):
    geo = GeoIndex(redis, "test:geo:none", "test:geo:none:building")
    assert await geo.nearest_many([ORIGIN, ORIGIN], 10.0, 8) == [[], []]
