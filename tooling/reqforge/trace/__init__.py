"""Traceability: markers in the source tree, test results, and coverage of the requirements.

`markers` scans the tree (`files` lists and reads it, `prefilter` skips most of it, `enclosing`
and its `readers` tie markers in tests to their test), `junit` reads the results, `coverage`
builds the report from them and the catalogue, and `report` gathers all of it for a command.
"""

from reqforge.trace.coverage import TraceItem, TraceReport, build_trace

__all__ = ["TraceItem", "TraceReport", "build_trace"]
