"""Use cases of co-management, one transaction each.

``projects`` (agreements, funding, dashboards), ``trainings``, ``periods`` (monthly approval
and locking), ``oversight`` (break-the-glass and the read audit).
"""
