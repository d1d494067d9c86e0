"""The click command line: thin commands over the core (see main.py)."""
