"""Community screening use cases: trainings, screenings, referrals and their completion.

A screening names a child who may not be registered: it is patient-level data, scoped by the
place of the screening (and, for a referral, by the place the child was sent to), audited on
every read and write, and reported as absent (404) outside the reader's scope.

Split by use case: ``screenings`` (trainings, screenings), ``referrals`` (arrival at the
site), ``statistics`` (the community page, aggregates); ``common`` holds what they share.
"""

from alima.community.service.referrals import (
    ARRIVAL_FIELDS,
    admit_referred_child,
    arrival_form,
    close_not_arrived,
    get_referral,
    link_patient,
    pending_referrals,
    record_arrival,
    register_form_values,
    register_referred_child,
)
from alima.community.service.screenings import (
    SCREENING_FIELDS,
    TRAINING_PLACES,
    delete_screening,
    form_places,
    get_screening,
    record_screening,
    record_training,
    training_places,
)
from alima.community.service.statistics import (
    STATISTICS_DAYS,
    overview,
    statistics,
    statistics_paths,
)

__all__ = [
    "ARRIVAL_FIELDS",
    "SCREENING_FIELDS",
    "STATISTICS_DAYS",
    "TRAINING_PLACES",
    "admit_referred_child",
    "arrival_form",
    "close_not_arrived",
    "delete_screening",
    "form_places",
    "get_referral",
    "get_screening",
    "link_patient",
    "overview",
    "pending_referrals",
    "record_arrival",
    "record_screening",
    "record_training",
    "register_form_values",
    "register_referred_child",
    "statistics",
    "statistics_paths",
    "training_places",
]
