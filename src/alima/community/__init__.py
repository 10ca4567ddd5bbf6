"""MUAC for mothers: trainings, household screenings, referrals and their completion.

Scope: the Family MUAC approach (docs/clinical-rules.md §6): mothers and caregivers are trained to
measure their children's arm with a colour-banded MUAC bracelet and to check for oedema;
community health workers and staff screen too. A screening with a red MUAC or oedema (and,
by default, a yellow one) issues a referral to a health centre, where staff record that the
child arrived, measure the arm again and say whether the child was admitted. The re-measured
MUAC gives the agreement between community and facility measurements (Alé et al. 2016: 75.4 %
for mothers against 40.1 % for community health workers in Mirriah, Niger).

A screened child may not be registered yet: the screening stores the child's names, age and
village, and links the patient when known.

Glossary
--------
MUAC
    Mid-upper arm circumference, stored in whole millimetres; the colour band (red, yellow,
    green) is derived from configured cut-offs (``alima.growth.muac``).
Screener
    Who measured: a mother or caregiver, a community health worker (CHW), or a health worker.
Referral completed
    The referred child arrived at the health centre and was measured again by staff.
Agreement
    A completed referral whose community colour band equals the band of the staff's MUAC.
"""
