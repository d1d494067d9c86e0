"""The whole traceability answer for a catalogue, as `reqforge trace` and `reqforge show` give it.

Gathers the inputs `coverage.build_trace` is pure over: the markers of the configured source
tree (through the scan cache), the results of the configured JUnit XML files and the suspect
links from git history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reqforge.trace.coverage import TraceReport, build_trace
from reqforge.trace.junit import ResultProblem, read_results
from reqforge.trace.markers import configured_markers

if TYPE_CHECKING:
    from reqforge.catalog import Catalog


# implements: REQ-401
# implements: REQ-402
# implements: REQ-404
def trace_report(catalog: Catalog) -> tuple[TraceReport, list[ResultProblem]]:
    """The traceability report of `catalog` as its `[trace]` configures it, and the result
    files that were refused (their results are left out of the report)."""
    # Imported here: the suspect links bring in the history walk, which nothing else here needs.
    from reqforge.checks.suspect import suspect_links

    config = catalog.config
    markers = configured_markers(config)
    results, problems = read_results(config.root, config.trace.results)
    links = suspect_links(catalog.repository.requirements, config.root, config.reqs_dir)
    suspects = {rid: [(t, since) for _, _, t, since in found] for rid, found in links.items()}
    return build_trace(catalog, markers, results, suspects), problems
