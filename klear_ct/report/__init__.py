"""Reports: what happened in a run (`klearct report`) and how well test suites judge (`klearct evaluate`).

The run report:
    summarize(store, stage="validate") -> RunReport      summary.py: read-only; only what the run directory holds
    RunReport.to_dict() / RunReport.to_json()
    print_report(report, console, max_problems=50)       console.py: rich
    write_html(report, path)                             run_html.py: one self-contained file, plots as inline PNG

The evaluation report (evaluation.py; here summarize and write_html are the run report's, so they are
re-exported as summarize_evaluation and write_evaluation_html):
    summarize(outcomes, suites, wall_s, notes) -> dict   the --json document of `klearct evaluate`
    print_summary(summary, console)
    write_html(summary, path)
    misjudged_solutions(summary)

Shared: html.py (escaping, tables, inline PNG, style, page), plots.py (matplotlib), text.py (numbers as words).
The evaluation names are imported only when asked for: evaluation.py pulls in the evaluation engine, which
`klearct report` does not need.
"""

from __future__ import annotations

from klear_ct.report.console import print_report
from klear_ct.report.run_html import write_html
from klear_ct.report.summary import (
    BAD_ROW,
    Distribution,
    EventCount,
    GenerationStats,
    GeneratorFailure,
    IncorrectNotRun,
    IncorrectSurvivor,
    LLMUsage,
    ProblemSummary,
    RunReport,
    summarize,
)
from klear_ct.report.text import histogram_bins, text_histogram

__all__ = ["BAD_ROW", "Distribution", "EventCount", "GenerationStats", "GeneratorFailure", "IncorrectNotRun",
           "IncorrectSurvivor", "LLMUsage", "ProblemSummary", "RunReport", "histogram_bins", "print_report",
           "summarize", "text_histogram", "write_html",
           "misjudged_solutions", "print_summary", "summarize_evaluation", "write_evaluation_html"]

_EVALUATION = {"misjudged_solutions": "misjudged_solutions", "print_summary": "print_summary",
               "summarize_evaluation": "summarize", "write_evaluation_html": "write_html"}


def __getattr__(name: str):
    if name in _EVALUATION:
        from klear_ct.report import evaluation

        return getattr(evaluation, _EVALUATION[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
