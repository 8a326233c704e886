"""The store app's static files, served at ``/store`` by the API process itself."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

import storeapp

STATIC_DIR = Path(storeapp.__file__).resolve().parent / "web"


def store_app_mount() -> Mount:
    # `/store` redirects to `/store/` (the router's slash redirect), so relative URLs resolve.
    return Mount("/store", app=StaticFiles(directory=STATIC_DIR, html=True), name="store")
