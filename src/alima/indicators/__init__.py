"""Indicators: definitions with stable codes, their computation, and the public impact page.

Scope: the registry of activity indicators (``registry.py``), the definitions of the "Treat"
indicators (``treat.py``), the context figures an administrator enters with their source
(population, food insecurity, children with SAM), and the impact page of a country, which
shows every registered public indicator computed from the data: aggregates only, never a
patient.

Glossary
--------
Activity indicator
    A number computed from the records over a period and a set of place subtrees, with a
    monthly series: ``count(session, *, paths, start, end) -> int`` and
    ``monthly(session, *, paths, start, end) -> {first day of month: int}``.
Context figure
    A number about a country that alima does not compute (World Bank population, UN OCHA
    food insecurity, UNICEF children with SAM), stored with its year and source.
Code
    An indicator's stable identifier (``TREAT-CONSULTATIONS``): never changes after release.
"""
