"""Pure rules of outbreak surveillance: epidemiological weeks and alert thresholds.

No database, no HTTP: ``epiweeks`` places a day in its (epi year, epi week) under a country's
calendar, ``thresholds`` says whether a place's weekly figures cross a threshold rule
(``docs/clinical-rules.md §13``).
"""
