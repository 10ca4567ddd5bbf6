"""Import every domain's models so ``Base.metadata`` is complete (Alembic, tests)."""

from alima.core import models as core_models
from alima.core.db import Base
from alima.nutrition import models as nutrition_models

__all__ = ["Base", "core_models", "nutrition_models"]
