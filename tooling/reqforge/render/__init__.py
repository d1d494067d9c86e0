"""Every human-facing text: tables, show, log, stats, trace, diff markdown, finding formats."""
