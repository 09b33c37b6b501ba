"""The catalogue's rules, one module per instrument family and theme."""
