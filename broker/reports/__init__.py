"""Statistics of the orders the broker holds: Art. 28 figures and transparency reports.

What each order came to (facts.py) is worked out from its signed messages and clocks whenever an
operation changes it, and kept with its sums per day, month and year (models.py, operations.recount),
so a report adds up a few thousand tally rows however many orders it covers; every figure can still
be traced back to the orders and messages it counts, and `operations.rebuild` counts them all again.
"""
