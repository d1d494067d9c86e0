"""The checks of SPEC section 6: one module per family, one registry of codes (registry.py);
`run.py` runs them all."""
