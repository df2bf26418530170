"""Minutes' background jobs, imported by `tongban worker` so it knows them by name."""

from tongban.minutes import transcribe

__all__ = ["transcribe"]
