"""The run report in the terminal (rich)."""

from __future__ import annotations

from klear_ct.report.summary import RunReport
from klear_ct.report.text import (
    LLM_COLUMNS,
    generation_line,
    human_bytes,
    incorrect_cell,
    llm_line,
    llm_rows,
    ms,
    num,
    share,
    text_histogram,
)


def print_report(report: RunReport, console, max_problems: int | None = 50) -> None:
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    e = escape
    ok_colour = "green" if not report.problems_failed else "yellow"
    headline = [
        f"[bold]{report.problems_total}[/] problems: [{ok_colour}]{report.problems_ok} ok[/], "
        f"[red]{report.problems_failed} failed[/]" + (f" ({report.bad_rows} bad input rows)" if report.bad_rows else "")
        + (f", {report.problems_skipped} skipped (unsupported)" if report.problems_skipped else ""),
        f"[bold]{report.tests_total}[/] tests kept, {human_bytes(report.input_bytes_total)} of input"
        + (" (" + ", ".join(f"{k} {v}" for k, v in report.tests_by_kind.items()) + ")" if report.tests_by_kind else ""),
        f"incorrect solutions killed: [bold]{report.incorrect_killed}/{report.incorrect_total}[/]"
        + (f", [red]{len(report.incorrect_not_killed)} not killed[/]" if report.incorrect_not_killed else ""),
        f"generators: {report.generators_total}"
        + (" (" + ", ".join(f"{k} {v}" for k, v in report.generators_by_status.items()) + ")"
           if report.generators_by_status else ""),
    ]
    if report.llm.requests:
        headline.append(e(llm_line(report.llm)))
    if report.unfinished:
        headline.append(f"[yellow]{len(report.unfinished)} problems unfinished[/] (redone on resume)")
    meta = " · ".join(x for x in (f"klearct {report.klearct_version}" if report.klearct_version else "",
                                  f"created {report.created}" if report.created else "", f"stage {report.stage}")
                      if x)
    headline.append(f"[dim]{e(meta)}[/]")
    console.print(Panel("\n".join(headline), title=f"[bold]run {e(report.run)}[/]", expand=False))

    if report.failures_by_cause:
        table = Table(title="Failures by cause", title_justify="left")
        table.add_column("cause")
        table.add_column("problems", justify="right")
        table.add_column("share", justify="right")
        for cause, count in report.failures_by_cause.items():
            table.add_row(f"[red]{e(cause)}[/]", str(count), share(count, report.problems_total))
        console.print(table)
    else:
        console.print("[green]no failed problems[/]")

    if report.events:
        table = Table(title="Events by stage and cause", title_justify="left")
        for name, justify in (("stage", "left"), ("cause", "left"), ("count", "right"), ("outcomes", "left")):
            table.add_column(name, justify=justify)
        for event in report.events:
            table.add_row(e(event.stage), e(event.cause), str(event.count),
                          e(", ".join(f"{k} {v}" for k, v in event.outcomes.items())))
        console.print(table)

    d = report.tests_distribution
    table = Table(title="Tests per ok problem", title_justify="left")
    for name in ("problems", "min", "median", "mean", "max", "total tests"):
        table.add_column(name, justify="right")
    table.add_row(str(d.count), num(d.min), num(d.median), num(d.mean), num(d.max), str(report.tests_total))
    console.print(table)
    ok_counts = [p.tests for p in report.real_problems if p.outcome == "ok"]
    for line in text_histogram(ok_counts):
        console.print(f"  {line}", highlight=False)
    if report.failed_problems_with_tests:
        console.print(f"[yellow]{len(report.failed_problems_with_tests)} failed problems still hold tests:[/] "
                      + e(", ".join(report.failed_problems_with_tests[:10]))
                      + (" …" if len(report.failed_problems_with_tests) > 10 else ""))

    timed = sorted((p for p in report.problems if p.gold_max_cpu_ms is not None),
                   key=lambda p: -(p.gold_max_cpu_ms or 0.0))
    if timed:
        console.print(f"gold runtime (CPU): slowest run {ms(report.gold_max_cpu_ms)} in "
                      f"{e(report.gold_max_cpu_problem or '')}, all gold runs {ms(report.gold_total_cpu_ms)}")
        table = Table(title="Slowest golds", title_justify="left")
        for name, justify in (("problem", "left"), ("slowest gold run", "right"), ("time limit", "right"),
                              ("of limit", "right"), ("all gold runs", "right")):
            table.add_column(name, justify=justify)
        for p in timed[:10]:
            limit_ms = p.time_limit_s * 1000 if p.time_limit_s else None
            frac = (p.gold_max_cpu_ms or 0.0) / limit_ms if limit_ms else None
            colour = "red" if frac is not None and frac > 0.5 else ""
            table.add_row(e(p.problem_id), ms(p.gold_max_cpu_ms), ms(limit_ms),
                          f"[{colour}]{frac:.0%}[/]" if frac is not None and colour else
                          (f"{frac:.0%}" if frac is not None else "–"), ms(p.gold_total_cpu_ms))
        console.print(table)

    if report.incorrect_total:
        verdicts = ", ".join(f"{k} {v}" for k, v in report.killed_by_verdict.items()) or "none"
        console.print(f"incorrect solutions killed {report.incorrect_killed}/{report.incorrect_total}; "
                      f"first failing verdict: {e(verdicts)}")
    if report.incorrect_not_killed:
        table = Table(title="Incorrect solutions not killed", title_justify="left", title_style="bold red")
        for name, justify in (("problem", "left"), ("solution", "left"), ("expected", "left"), ("lang", "left"),
                              ("verdicts", "left"), ("tests", "right")):
            table.add_column(name, justify=justify)
        for s in report.incorrect_not_killed:
            tests = str(s.problem_tests) + ("" if s.problem_outcome == "ok" else f" ({s.problem_outcome})")
            table.add_row(e(s.problem_id), f"[red]{e(s.solution_id)}[/]", e(s.expected_verdict or "–"),
                          e(s.lang or "–"), e(", ".join(f"{k} {v}" for k, v in s.verdicts.items()) or "–"), e(tests))
        console.print(table)
    elif report.incorrect_total:
        console.print("[green]all incorrect solutions were killed[/]")
    if report.incorrect_not_run:
        console.print(f"[yellow]{len(report.incorrect_not_run)} incorrect solutions not run:[/] "
                      + e(", ".join(f"{x.solution_id} ({x.cause})" for x in report.incorrect_not_run[:10]))
                      + (" …" if len(report.incorrect_not_run) > 10 else ""))

    if report.generator_failures_by_cause:
        table = Table(title="Generator failures by cause", title_justify="left")
        table.add_column("cause")
        table.add_column("generators", justify="right")
        for cause, count in report.generator_failures_by_cause.items():
            table.add_row(e(cause), str(count))
        console.print(table)

    g = report.generation
    if g.attempts or g.problems_ok or g.problems_failed:
        console.print(f"generation: {generation_line(g)}")
        table = Table(title="Generation", title_justify="left")
        for name, justify in (("kind", "left"), ("programs", "right"), ("kept", "right")):
            table.add_column(name, justify=justify)
        for kind, entry in sorted(g.by_kind.items()):
            table.add_row(e(kind), str(entry["candidates"]), str(entry["kept"]))
        console.print(table)
        for title, counts in (("generate failures by cause (problems)", g.failures_by_cause),
                              ("failed attempts by cause", g.attempt_failures_by_cause)):
            if counts:
                console.print(f"{title}: " + e(", ".join(f"{k} {v}" for k, v in counts.items())))

    for title, counts in (("LLM per prompt kind", report.llm.by_prompt),
                          ("LLM per problem (most tokens first)", report.llm.by_problem)):
        if not counts:
            continue
        table = Table(title=title, title_justify="left")
        table.add_column("prompt kind" if "kind" in title else "problem", justify="left")
        for name in LLM_COLUMNS:
            table.add_column(name, justify="right")
        for row in llm_rows(counts, 10):
            table.add_row(e(row[0]), *row[1:])
        console.print(table)

    if report.problems:
        shown = report.problems if max_problems is None else report.problems[:max_problems]
        table = Table(title="Problems", title_justify="left")
        for name, justify in (("problem", "left"), ("outcome", "left"), ("cause", "left"), ("tests", "right"),
                              ("incorrect killed", "right")):
            table.add_column(name, justify=justify)
        for p in shown:
            colour = "green" if p.outcome == "ok" else "red"
            killed = incorrect_cell(p)
            if p.incorrect_killed < p.incorrect_total:
                killed = f"[red]{killed}[/]"
            table.add_row(e(p.problem_id), f"[{colour}]{e(p.outcome)}[/]", e(p.cause or ""), str(p.tests), killed)
        console.print(table)
        if len(shown) < len(report.problems):
            console.print(f"… {len(report.problems) - len(shown)} more problems (all in --json and --html)")
    if report.unfinished:
        console.print(f"[yellow]unfinished:[/] {e(', '.join(report.unfinished[:20]))}"
                      + (" …" if len(report.unfinished) > 20 else ""))
