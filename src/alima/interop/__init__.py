"""Formats of the field: OpenRosa (ODK), DHIS2, FHIR."""
