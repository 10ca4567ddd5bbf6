"""Together: projects co-managed with national NGOs, data governance and health-worker trainings.

Scope: partner agreements (what each partner organisation's users may see, capture, approve
and export in a project, with effective dates), monthly data approval and period locking,
break-the-glass emergency access, the read audit, funding (grants, allocations, the share that
goes directly to national NGOs) and trainings of health workers.

Glossary:
- *Agreement*: the terms a partner organisation signed for a project, per role or for every
  role; it narrows what the role gives, never widens it.
- *Aggregates only*: counts and rates, never a patient's record, name or identifier.
- *Period* (site's month): the data of one place for one calendar month; a data manager
  submits it, the coordinators of the lead and co-lead organisations approve it; approved
  means locked until a coordinator unlocks it with a reason.
- *Break-the-glass*: a clinician's time-limited, audited access to a patient outside their
  scope, with a written reason.
- *National NGO share*: the part of a project's or a country's funding allocated directly to
  national NGOs (ALIMA's "Together" indicator).
- *IPC*: infection prevention and control; *MUAC*: mid-upper arm circumference; *CMAM*:
  community management of acute malnutrition; *IMCI*: integrated management of childhood
  illness.

Importing this package registers its access policies and period guard with the core
(``alima.core.policy``), so agreements and locks apply wherever actors are built.
"""

from alima.alliance import governance

governance.register()
