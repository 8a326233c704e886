"""Our top-level package names are generic; no installed distribution may shadow them."""

from importlib.metadata import packages_distributions

import api

OURS = {"api", "schema", "domain", "realtime", "storeapp"}


def test_no_other_distribution_provides_our_top_level_packages():
    provided = packages_distributions()
    clashes = {n: others for n in OURS if (others := set(provided.get(n, [])) - {"o2o"})}
    assert clashes == {}, f"installed distributions shadow our packages: {clashes}"


def test_our_packages_come_from_this_checkout():
    assert "site-packages" not in (api.__file__ or "")
