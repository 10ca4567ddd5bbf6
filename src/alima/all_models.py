"""Import every domain's models so ``Base.metadata`` is complete (Alembic, tests)."""

from alima.alliance import models as alliance_models
from alima.care import models as care_models
from alima.community import models as community_models
from alima.core import models as core_models
from alima.core.db import Base
from alima.indicators import models as indicators_models
from alima.interop.dhis2 import models as dhis2_models
from alima.interop.openrosa import models as openrosa_models
from alima.nutrition import models as nutrition_models
from alima.outbreaks import models as outbreaks_models
from alima.research import models as research_models
from alima.smc import models as smc_models
from alima.stock import models as stock_models
from alima.sync import models as sync_models

__all__ = [
    "Base",
    "alliance_models",
    "care_models",
    "community_models",
    "core_models",
    "dhis2_models",
    "indicators_models",
    "nutrition_models",
    "openrosa_models",
    "outbreaks_models",
    "research_models",
    "smc_models",
    "stock_models",
    "sync_models",
]
