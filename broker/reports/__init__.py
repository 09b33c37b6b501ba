"""Statistics computed from the orders the broker holds: Art. 28 figures and transparency reports.

Nothing here is stored: every report is computed on request from the signed messages and clocks,
so a figure can always be traced back to the orders and messages it counts.
"""
