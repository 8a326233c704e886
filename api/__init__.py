"""Composition root: settings, the Starlette app, auth on the wire, the `o2o` CLI."""
