"""RUTF stock per site: receipts, what visits dispensed, losses, adjustments and counts.

Glossary: RUTF (ready-to-use therapeutic food) comes in sachets, shipped in cartons; a
*batch* (lot) has a number and an expiry date; FEFO (first expiry, first out) is the order in
which batches are used; a *physical count* is the number of sachets found on the shelf.

Movements are append-only rows owned by their site (``place_id``): a correction is a new row
pointing at the one it corrects, and a movement is only ever soft-deleted. What the CMAM
visits dispensed is never typed: it is read from the rations recorded at each visit
(``alima.nutrition``). Everything that depends on the day (expired batches, weeks of stock
left, the stock-out alert) is computed when it is read (``rules``).
"""
