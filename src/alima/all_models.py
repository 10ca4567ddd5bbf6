"""Import every domain's models so ``Base.metadata`` is complete (Alembic, tests)."""

from alima.core import models as core_models
from alima.core.db import Base

__all__ = ["Base", "core_models"]
