"""Use cases of the DHIS2 exchange: the mapping, exports, pushes and their record."""

from alima.interop.dhis2.service.exchange import (
    Format,
    build_export,
    list_pushes,
    overview,
    push,
    render,
)
from alima.interop.dhis2.service.mapping import export_mapping, import_mapping

__all__ = [
    "Format",
    "build_export",
    "export_mapping",
    "import_mapping",
    "list_pushes",
    "overview",
    "push",
    "render",
]
