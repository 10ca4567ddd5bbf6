"""Seasonal malaria chemoprevention (SMC): campaigns, door-to-door cycles, doses, coverage.

Glossary: **SMC** seasonal malaria chemoprevention; **SPAQ** sulfadoxine-pyrimethamine (SP)
with amodiaquine (AQ); a **campaign** covers districts and health areas of a country for one
rainy season in 4 or 5 monthly **cycles**; a **team** of distributors goes door to door in its
villages; an **administration** is one child's day 1 of a cycle (given and watched, or
excluded with a reason), with days 2 and 3 given by the caregiver and reported at the next
contact. Rules and sources: ``docs/clinical-rules.md §7`` and ``§14``.
"""
