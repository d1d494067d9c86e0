"""Moving requirements in and out of reqforge: one module per format (issue 14)."""
