"""The static site: build pipeline, page contexts, charts, search index (SPEC section 9)."""
