"""Care at the point of care: consultations, maternal health, surgery and mobile clinics.

Scope: general and paediatric consultations with IMCI triage of children under five, malaria
rapid test and treatment, main diagnoses from a configurable ICD-10 list, MUAC screening of
every child aged 6 to 59 months (with its link to a nutrition admission) and referral;
antenatal visits, deliveries (place, attendant, mode, outcome for the mother and each newborn)
and postnatal visits; the emergency surgery log of hospitals; mobile-clinic sessions at sites
of displaced people and the displaced population counted at each site over time.

Every patient-level record hangs off ``core_patient`` and a place, is audited (reads and
writes), soft-deleted with a reason and scoped by the actor's place subtrees. The clinical
rules are pure functions in ``alima.care.rules`` (no database, no HTTP).

Glossary
--------
IMCI
    Integrated Management of Childhood Illness (WHO): triage of sick children of 2 months to
    5 years by general danger signs, then by main symptoms (cough, fever, ...).
General danger signs
    Not able to drink or breastfeed, vomits everything, convulsions during this illness,
    lethargic or unconscious, convulsing now: any one means urgent referral (docs/clinical-rules.md §9).
Fast breathing
    A respiratory rate at or above 60/min under 2 months, 50/min from 2 to 11 months, 40/min
    from 12 to 59 months (IMCI uses "at or above").
RDT
    Malaria rapid diagnostic test. ACT: artemisinin-based combination therapy (uncomplicated
    malaria); artesunate: pre-referral treatment of severe malaria.
ANC / PNC
    Antenatal care visit / postnatal care visit. IPTp: intermittent preventive treatment of
    malaria in pregnancy with sulfadoxine-pyrimethamine.
Skilled attendant
    A doctor, midwife or nurse assisting a delivery (not a traditional birth attendant).
Mobile clinic
    A team (a place of kind ``mobile_clinic``) that holds sessions at displacement sites.
"""
