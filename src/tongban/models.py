"""Every capability's tables on one metadata, for Alembic and the tests."""

from tongban.auth import models as auth_models
from tongban.core.db import Base
from tongban.core.events import models as event_models
from tongban.org import models as org_models

metadata = Base.metadata

__all__ = ["auth_models", "event_models", "metadata", "org_models"]
