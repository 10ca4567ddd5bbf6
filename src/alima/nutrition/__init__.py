"""Acute malnutrition care (CMAM) for children of 6 to 59 months.

Scope: admission, follow-up visits, therapeutic-food dosing, alerts and exits of outpatient
nutrition episodes under three protocol families (``docs/clinical-rules.md`` §1-4):

* the **standard** WHO 2013 / national protocol (SAM in an OTP on RUTF by a weight-band table,
  MAM in a TSFP on RUSF, discharge on the admission indicator);
* **OptiMA** (ALIMA / Inserm: one admission criterion, one product, RUTF dose falling with
  MUAC band and weight);
* **ComPAS** (IRC / ACF: one product, 2 or 1 sachets a day by MUAC band).

Every threshold, dose and outcome rule is versioned data (``protocols/*.toml``, loaded and
validated by ``alima.nutrition.protocol``), overridable per country; ``alima.nutrition.rules``
holds the pure functions that apply them (no database, no HTTP). Each admission records the
protocol code, version and fingerprint that governed it.

Glossary
--------
MUAC
    Mid-upper arm circumference, stored in whole millimetres; the colour of a tape is derived
    from configured cut-offs, never stored alone.
SAM / MAM
    Severe / moderate acute malnutrition. SAM: MUAC < 115 mm, WHZ < -3 or bilateral pitting
    oedema. MAM: MUAC 115-124 mm or WHZ -3 to < -2, no oedema (WHO 2013).
WHZ
    Weight-for-height (or -length) z-score of the WHO 2006 standards, computed by
    ``alima.growth`` and passed in; used for admission and discharge by the standard protocol
    only.
Oedema grades
    Bilateral pitting oedema: ``+`` (feet), ``++`` (feet and legs, hands or arms), ``+++``
    (generalised, including the face). Any grade is SAM; ``+++`` is referred to inpatient care.
OTP / TSFP
    Outpatient therapeutic programme (SAM, RUTF, weekly visits) / targeted supplementary
    feeding programme (MAM, RUSF, visits every 14 days) of the standard model.
RUTF / RUSF
    Ready-to-use therapeutic / supplementary food, in 92 g sachets of 500 kcal.
OptiMA
    "Optimising treatment for acute MAlnutrition": admits MUAC < 125 mm and/or oedema and
    gives RUTF at 170 / 125 / 75 kcal/kg/day by MUAC band (< 115 or oedema / 115-119 /
    120-124 mm); cured at MUAC >= 125 mm twice in a row without oedema.
ComPAS
    "Combined Protocol for Acute Malnutrition Study": admits MUAC < 125 mm and/or oedema and
    gives 2 sachets of RUTF a day below 115 mm or with oedema, 1 from 115 to 124 mm.
Band
    The dose band of a protocol (``severe``; ``moderate`` or ``moderate_low`` /
    ``moderate_high``): it fixes the product, the dose and the visit interval. It is
    recomputed at every visit.
Default
    Exit for a child absent at a configured number of consecutive scheduled visits.
Non-responder
    Exit for a child who has not met the cure criteria after a configured number of weeks.
Relapse
    A new admission of a child discharged cured within a configured window (60 days).
"""
