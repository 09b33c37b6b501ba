"""The narrated demo: a demo network of parties and one complete, signed, checked, logged exchange."""
