"""The reports' plots, each as base64 PNG (matplotlib is imported only when a plot is drawn)."""

from __future__ import annotations

from klear_ct.report.html import png
from klear_ct.report.summary import RunReport
from klear_ct.report.text import histogram_bins


def _label(text: str, limit: int = 28) -> str:
    """Data text as a matplotlib label: shortened, and `$` not taken for mathtext."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("$", r"\$")


def _integer_axis(axis) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


# -- `klearct report` --------------------------------------------------------------------------
def plot_tests_histogram(report: RunReport) -> str | None:
    from matplotlib.figure import Figure

    values = [p.tests for p in report.real_problems if p.outcome == "ok"]
    if not values:
        return None
    bins = histogram_bins(values, bins=min(20, max(values) - min(values) + 1))
    fig = Figure(figsize=(7, 3.2))
    ax = fig.add_subplot()
    ax.bar([(a + b) / 2 for a, b, _ in bins], [c for _, _, c in bins], width=[b - a + 1 for a, b, _ in bins],
           color="#4c78a8", edgecolor="white")
    _integer_axis(ax.xaxis)
    _integer_axis(ax.yaxis)
    ax.set_xlabel("tests kept")
    ax.set_ylabel("problems")
    ax.set_title(f"Tests per ok problem (n={len(values)})")
    return png(fig)


def plot_failures(report: RunReport) -> str | None:
    from matplotlib.figure import Figure

    if not report.failures_by_cause:
        return None
    causes = list(report.failures_by_cause.items())[::-1]
    fig = Figure(figsize=(7, 0.6 + 0.35 * len(causes)))
    ax = fig.add_subplot()
    ax.barh([_label(c, 40) for c, _ in causes], [n for _, n in causes], color="#e45756")
    _integer_axis(ax.xaxis)
    ax.set_xlabel("problems")
    ax.set_title("Failures by cause")
    for y, (_, n) in enumerate(causes):
        ax.text(n, y, f" {n}", va="center", fontsize=8)
    return png(fig)


def plot_incorrect(report: RunReport, limit: int = 60) -> str | None:
    from matplotlib.figure import Figure

    with_incorrect = [p for p in report.problems if p.incorrect_total]
    if not with_incorrect:
        return None
    shown = sorted(with_incorrect, key=lambda p: (-(p.incorrect_total - p.incorrect_killed), -p.incorrect_total,
                                                   p.problem_id))[:limit]
    labels = [_label(p.problem_id) for p in shown]
    killed = [p.incorrect_killed for p in shown]
    survived = [p.incorrect_total - p.incorrect_killed for p in shown]
    fig = Figure(figsize=(max(6.0, 0.3 * len(shown) + 2), 4))
    ax = fig.add_subplot()
    xs = range(len(shown))
    ax.bar(xs, killed, color="#54a24b", label="killed")
    ax.bar(xs, survived, bottom=killed, color="#e45756", label="survived")
    ax.set_xticks(list(xs), labels, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("incorrect solutions")
    _integer_axis(ax.yaxis)
    title = "Incorrect solutions killed vs survived"
    if len(shown) < len(with_incorrect):
        title += f" ({len(shown)} of {len(with_incorrect)} problems, most survivors first)"
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return png(fig)


# -- `klearct evaluate` ------------------------------------------------------------------------
def plot_rates(summary: dict) -> str:
    from matplotlib.figure import Figure

    suites = summary["suites"]
    fig = Figure(figsize=(max(5.0, 1.6 * len(suites) + 2), 3.5))
    ax = fig.add_subplot()
    width = 0.38
    xs = range(len(suites))
    for offset, key, colour in ((-width / 2, "tpr", "#4c78a8"), (width / 2, "tnr", "#f58518")):
        values = [100 * (s["overall"][key] or 0.0) for s in suites]
        bars = ax.bar([x + offset for x in xs], values, width, label=key.upper(), color=colour)
        ax.bar_label(bars, fmt="%.0f%%", fontsize=8)
    ax.set_xticks(list(xs), [s["name"] for s in suites])
    ax.set_ylim(0, 110)
    ax.set_ylabel("%")
    ax.set_title("TPR and TNR per suite")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return png(fig)


def plot_classes(summary: dict) -> str | None:
    from matplotlib.figure import Figure

    suites = summary["suites"]
    classes = sorted({c for s in suites for c in s["by_class"]})
    if not classes:
        return None
    fig = Figure(figsize=(max(5.0, 1.2 * len(classes) * len(suites) / 2 + 2), 3.5))
    ax = fig.add_subplot()
    width = 0.8 / len(suites)
    for k, s in enumerate(suites):
        values = [100 * (s["by_class"].get(c, {}).get("tnr") or 0.0) for c in classes]
        ax.bar([x + (k - (len(suites) - 1) / 2) * width for x in range(len(classes))], values, width, label=s["name"])
    ax.set_xticks(list(range(len(classes))), classes)
    ax.set_ylim(0, 110)
    ax.set_ylabel("TNR %")
    ax.set_title("TNR by the incorrect solution's verdict class")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return png(fig)
