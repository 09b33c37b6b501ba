"""Evidence delivery: produced data encrypted end to end to the issuing authority."""
