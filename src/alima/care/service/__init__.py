"""Care use cases; each public function is one transaction.

Split by activity: ``consultations``, ``maternal`` (antenatal, delivery, postnatal),
``surgery``, ``mobile`` (mobile clinics and displacement sites) and ``records`` (a patient's
care records, soft deletion). ``common`` holds the access and place checks they share.
"""
