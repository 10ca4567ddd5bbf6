"""Research inside routine care: studies, eligibility, consent, randomisation (issue 15).

A study is a layer over the care record: the child is admitted, measured and treated through
the same pages, and the study reads those records. Glossary:

- *screening log*: one row per child and study, from the moment care records a child the
  study could take (screened), whether the eligibility rules hold (eligible), whether the
  caregiver was asked (approached), consented, and whether the child was randomised
  (included), with the reason a child was not included (the CONSORT flow);
- *allocation sequence*: the arms drawn in advance by the statistician for each stratum
  (site x declared factor, such as the MUAC band), in permuted blocks of varied size, kept
  concealed until a consented, eligible child is randomised; the seed never reaches a site;
- *allocation*: the arm revealed once for one child, audited, never changed.
"""
