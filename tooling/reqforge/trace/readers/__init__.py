"""One reader per source language family: where a marker's enclosing test is, and its id.

Each module has `SUFFIXES` and `enclosing_tests(text, path, offsets)`; `reqforge.trace.enclosing`
registers them. The brace languages share their walk (`braces`).
"""
