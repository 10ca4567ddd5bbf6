"""Error catalogue of research (``RES_001`` ...)."""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class ResearchError(ErrorCode):
    """Errors of studies, consent and randomisation."""

    RES_001 = Detail("not eligible", N_("This child is not eligible for {study}."))
    RES_002 = Detail(
        "no consent", N_("Record the caregiver's consent before randomising this child.")
    )
    RES_003 = Detail(
        "already randomised",
        N_("This child was already randomised in {study}: the arm cannot change."),
    )
    RES_004 = Detail(
        "no sequence",
        N_(
            "The allocation sequence of {study} has no arm left for this stratum: "
            "ask the study's statistician."
        ),
    )
    RES_005 = Detail(
        "witness", N_("A thumbprint consent needs the name of a witness who can read.")
    )
    RES_006 = Detail("form version", N_("Choose a consent form version approved for this study."))
    RES_007 = Detail("withdrawn", N_("Consent was withdrawn: the child takes no further part."))
    RES_008 = Detail("not screened", N_("This child was not screened for {study}."))
    RES_009 = Detail(
        "sequence exists",
        N_("The allocation sequence of {study} is already generated: it is fixed at set-up."),
    )
    RES_010 = Detail("arms", N_("A study needs at least two arms, each with a positive ratio."))
    RES_011 = Detail(
        "episode visited",
        N_(
            "The arm's protocol can only be applied before the first follow-up visit "
            "of the episode."
        ),
    )
    RES_012 = Detail("not recruiting", N_("{study} is not recruiting."))
    RES_013 = Detail("date in future", N_("The date cannot be in the future."))
    RES_014 = Detail("no open episode", N_("This child has no open nutrition episode."))
    RES_015 = Detail("sequence size", N_("Give a sequence size between 1 and 100000 per stratum."))
    RES_016 = Detail(
        "consent given",
        N_("The caregiver consented: record a withdrawal of consent instead."),
    )
    # --- exports for analysis (RES_030-049) ---
    RES_030 = Detail(
        "export not allowed",
        N_(
            "You may not export the data of {study}: it needs the right to export its "
            "pseudonymised data at one of its sites (researchers and coordinators, when their "
            "organisation's agreement allows patient-level exports)."
        ),
    )
    RES_031 = Detail("export format", N_("Choose an export format: CSV files or CDISC ODM XML."))
    # --- follow-up: the schedule, study visits, serious adverse events (RES_050-069) ---
    RES_050 = Detail(
        "not included",
        N_("This child is not randomised in {study}: the study does not follow the child."),
    )
    RES_051 = Detail(
        "outside window",
        N_("The date must lie inside the window of this event: from {opens} to {closes}."),
    )
    RES_052 = Detail(
        "routine data",
        N_(
            "A nutrition visit recorded weight and MUAC inside this window: routine care "
            "already fills the event, no study visit is needed."
        ),
    )
    RES_053 = Detail("visit recorded", N_("A study visit is already recorded for this event."))
    RES_054 = Detail(
        "awareness before onset",
        N_("The site cannot have learnt of the event before its onset."),
    )
    RES_055 = Detail(
        "already reported",
        N_("This serious adverse event was already reported to the sponsor."),
    )
    RES_056 = Detail("death outcome", N_("A death's outcome is fatal."))
    RES_057 = Detail(
        "schedule",
        N_(
            "Each scheduled event needs its own code and a window that opens after inclusion "
            "(fewer days before than its day after inclusion)."
        ),
    )
    RES_058 = Detail(
        "death reported",
        N_("This death is already recorded as a serious adverse event."),
    )
    RES_070 = Detail(
        "randomise on the hub",
        N_(
            "Randomisation for {study} is done online, on the country server: the upcoming "
            "arms never leave it. Synchronise this computer, then randomise on the server."
        ),
    )
    RES_071 = Detail("not blinded", N_("{study} is not blinded: the child's arm is already shown."))
    RES_072 = Detail(
        "not randomised", N_("This child is not randomised in {study}: there is no arm to reveal.")
    )
    RES_073 = Detail("query closed", N_("This query is closed: it cannot be answered any more."))
    RES_074 = Detail(
        "query not answered", N_("The site has not answered this query yet: it cannot be closed.")
    )
    RES_075 = Detail(
        "form version exists",
        N_("This version of the form is already recorded for this language: give a new version."),
    )
    RES_076 = Detail("approval dates", N_("The approval cannot expire before it was given."))
    RES_077 = Detail("study code taken", N_("A study already has this code: choose another."))
