"""Forms' background jobs, imported by `tongban worker` so it knows them by name."""

from tongban.forms import tasks

__all__ = ["tasks"]
