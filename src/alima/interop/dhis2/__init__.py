"""DHIS2: a country's monthly figures sent to its national DHIS2 (dataValueSets, ADX).

A thin mapping over figures alima already computes: the monthly CMAM report
(``alima.nutrition.service.monthly_report``) and every indicator of the registry
(``alima.indicators.registry``). Nothing here counts a record.

Glossary
--------
Mapping
    A country's correspondence with its DHIS2 (stored as data, edited by an administrator):
    the data set, the attribute option combo, the period type, each figure (and
    disaggregation) to a data element and category option combo, each place to an
    organisation unit.
Figure
    What alima can send: a line of the monthly report (``CMAM-EXITS`` by outcome...) or a
    registered indicator (``NUT-CHILDREN-TREATED``), by its code.
Option
    A figure's disaggregation (an admission criterion, an exit outcome); empty for the total.
Push
    One sending of a month to DHIS2 (or a dry run), kept with what DHIS2 answered.
"""
