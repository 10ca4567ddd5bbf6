"""FHIR R4 read API over alima's records: patients, CMAM episodes, visits and what they measured.

A thin mapping (``mapping``) of the rows the services already read, scoped and audited as the
pages are (``service``), served under ``/fhir`` (``routes``). ``docs/interop-fhir.md`` says what
each resource carries.
"""
