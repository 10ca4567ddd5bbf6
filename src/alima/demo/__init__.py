"""Deterministic demo data: Mali with four regions, a co-managed project, one user per role.

The same seed gives the same places, people and identifiers on every load, so a screenshot,
a test and a training session all see the same clinic.
"""
