"""Every capability's tables on one metadata, for Alembic and the tests."""

from tongban.approvals import models as approval_models
from tongban.auth import models as auth_models
from tongban.calendar import models as calendar_models
from tongban.core.db import Base
from tongban.core.events import models as event_models
from tongban.docs import models as docs_models
from tongban.files import models as file_models
from tongban.forms import models as form_models
from tongban.im import models as im_models
from tongban.im import models_bots as im_bot_models
from tongban.meetings import models as meeting_models
from tongban.minutes import models as minutes_models
from tongban.notify import models as notify_models
from tongban.org import models as org_models

metadata = Base.metadata

__all__ = [
    "approval_models",
    "auth_models",
    "calendar_models",
    "docs_models",
    "event_models",
    "file_models",
    "form_models",
    "im_bot_models",
    "im_models",
    "meeting_models",
    "metadata",
    "minutes_models",
    "notify_models",
    "org_models",
]
