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
    return (f"LLM: {usage.requests} requests ({usage.cached} cache hits), {usage.prompt_tokens} prompt + "
            f"{usage.completion_tokens} completion tokens{cost}" + budget_text(usage.budget)
            + (f" ({', '.join(usage.models)})" if usage.models else ""))


def budget_text(budget: dict | None) -> str:
    if not budget:
        return ""
    caps = " and ".join(c for c in (f"{budget['max_tokens']} tokens" if budget.get("max_tokens") else "",
                                     f"${budget['max_cost_usd']:g}" if budget.get("max_cost_usd") else "") if c)
    used = f"{budget['share']:.0%} of" if budget.get("share") is not None else "cap:"
    return f"; {used} the spend cap ({caps})"


LLM_COLUMNS = ["requests", "cache hits", "prompt tokens", "completion tokens", "cost USD"]


def llm_rows(table: dict[str, dict], limit: int | None = None) -> list[list[str]]:
    """[name, requests, cache hits, prompt, completion, cost] per problem or prompt kind, most tokens first."""
    ranked = sorted(table.items(), key=lambda kv: (-(kv[1]["prompt_tokens"] + kv[1]["completion_tokens"]), kv[0]))
    return [[name, str(row["requests"]), str(row.get("cached", 0)), str(row["prompt_tokens"]),
             str(row["completion_tokens"]), f"{row['cost_usd']:.4f}" if row.get("cost_usd") is not None else "–"]
            for name, row in ranked[:limit]]


def generation_line(g: GenerationStats) -> str:
    return (f"{g.problems_ok} problems ok, {g.problems_failed} failed; {g.kept}/{g.candidates} programs kept after "
            f"{g.attempts} attempts ({g.repairs} repairs); {g.inputs_rejected_by_validator} inputs rejected by input "
            "validators")


def incorrect_cell(p: ProblemSummary) -> str:
    return f"{p.incorrect_killed}/{p.incorrect_total}" if p.incorrect_total else "–"


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"
