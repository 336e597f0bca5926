"""The words and numbers both views of a run report print: sizes, times, histograms, one-line summaries."""

from __future__ import annotations

from collections import Counter

from klear_ct.report.summary import GenerationStats, LLMUsage, ProblemSummary


def human_bytes(n: int | float) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"  # pragma: no cover


def ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.2f} s" if value >= 10_000 else f"{value:.0f} ms"


def num(value: float | int | None) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def histogram_bins(values: list[int], bins: int = 8) -> list[tuple[int, int, int]]:
    """(low, high, count) with integer bounds, both inclusive; equal widths covering min..max."""
    if not values:
        return []
    low, high = min(values), max(values)
    width = max(1, -(-(high - low + 1) // bins))
    edges = list(range(low, high + 1, width))
    counts = Counter((v - low) // width for v in values)
    return [(start, start + width - 1, counts.get(k, 0)) for k, start in enumerate(edges)]


def text_histogram(values: list[int], bins: int = 8, width: int = 30) -> list[str]:
    rows = histogram_bins(values, bins)
    if not rows:
        return []
    top = max(c for _, _, c in rows) or 1
    label_width = max(len(f"{a}–{b}" if a != b else str(a)) for a, b, _ in rows)
    lines = []
    for a, b, count in rows:
        label = f"{a}–{b}" if a != b else str(a)
        bar = "█" * round(width * count / top) if count else ""
        lines.append(f"{label:>{label_width}} │{bar} {count}")
    return lines


def llm_line(usage: LLMUsage) -> str:
    cost = f", cost ${usage.cost_usd:.4f}" if usage.cost_usd is not None else ""
    return (f"LLM: {usage.requests} requests, {usage.prompt_tokens} prompt + {usage.completion_tokens} "
            f"completion tokens{cost}" + (f" ({', '.join(usage.models)})" if usage.models else ""))


def generation_line(g: GenerationStats) -> str:
    return (f"{g.problems_ok} problems ok, {g.problems_failed} failed; {g.kept}/{g.candidates} programs kept after "
            f"{g.attempts} attempts ({g.repairs} repairs); {g.inputs_rejected_by_validator} inputs rejected by input "
            "validators")


def incorrect_cell(p: ProblemSummary) -> str:
    return f"{p.incorrect_killed}/{p.incorrect_total}" if p.incorrect_total else "–"


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"
