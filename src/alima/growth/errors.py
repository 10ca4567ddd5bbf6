"""Error catalogue of the growth domain (messages are English source strings, translated)."""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class GrowthError(ErrorCode):
    """Errors raised by :mod:`alima.growth`."""

    GRO_001 = Detail(
        "missing columns",
        N_("Missing column(s): {columns}. The input needs the WHO Anthro columns {expected}."),
    )
    GRO_002 = Detail("output is input", N_("The output file must not be the input file: {path}."))
    GRO_003 = Detail("file error", N_("Cannot use the file {path}: {reason}."))


#: What a file error means, said in the reader's language (by ``errno`` name).
FILE_REASONS = {
    "ENOENT": N_("no such file or folder"),
    "EISDIR": N_("it is a folder"),
    "ENOTDIR": N_("a part of the path is not a folder"),
    "EACCES": N_("permission denied"),
    "EPERM": N_("permission denied"),
    "ENOSPC": N_("the disk is full"),
    "EROFS": N_("the disk is read-only"),
}
