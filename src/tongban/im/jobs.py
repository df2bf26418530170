"""Messaging's background jobs, imported by `tongban worker` so it knows them by name."""

from tongban.im import bots, ding

__all__ = ["bots", "ding"]
