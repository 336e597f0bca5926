"""The run report as one HTML page."""

from __future__ import annotations

from pathlib import Path

from klear_ct.report import text as fmt
from klear_ct.report.html import escape, img, page, table, write_page
from klear_ct.report.plots import plot_failures, plot_incorrect, plot_tests_histogram
from klear_ct.report.summary import RunReport


def write_html(report: RunReport, path: Path | str) -> Path:
    r = report
    parts: list[str] = []
    add = parts.append
    add(f"<h1>klearct run report: {escape(r.run)}</h1>")
    meta = " · ".join(escape(x) for x in (f"klearct {r.klearct_version}" if r.klearct_version else None, r.created,
                                          f"stage {r.stage}",
                                          ("commands: " + ", ".join(r.commands)) if r.commands else None)
                      if x)
    add(f'<p class="meta">{meta}</p>')
    cards = [("problems", r.problems_total), ("ok", r.problems_ok), ("failed", r.problems_failed),
             ("bad input rows", r.bad_rows), ("tests kept", r.tests_total),
             ("input bytes", fmt.human_bytes(r.input_bytes_total)),
             ("incorrect killed", f"{r.incorrect_killed}/{r.incorrect_total}"),
             ("generators ok", f"{r.generators_by_status.get('ok', 0)}/{r.generators_total}")]
    add('<div class="cards">' + "".join(f'<div class="card"><b>{escape(v)}</b>{escape(k)}</div>' for k, v in cards)
        + "</div>")
    if r.unfinished:
        add(f'<p class="warn">{len(r.unfinished)} problems unfinished (redone on resume): '
            f"{escape(', '.join(r.unfinished))}</p>")

    add("<h2>Failures by cause</h2>")
    if r.failures_by_cause:
        add(table(["cause", "problems", "share"],
                  [[c, n, fmt.share(n, r.problems_total)] for c, n in r.failures_by_cause.items()], numeric={1, 2}))
        if (png := plot_failures(r)) is not None:
            add(img(png, "failures by cause"))
    else:
        add('<p class="ok">no failed problems</p>')

    if r.events:
        add("<h2>Events by stage and cause</h2>")
        add(table(["stage", "cause", "count", "outcomes"],
                  [[ev.stage, ev.cause, ev.count, ", ".join(f"{k} {v}" for k, v in ev.outcomes.items())]
                   for ev in r.events], numeric={2}))

    add("<h2>Tests</h2>")
    d = r.tests_distribution
    add(table(["ok problems", "min", "median", "mean", "max", "total tests", "input bytes", "by kind"],
              [[d.count, fmt.num(d.min), fmt.num(d.median), fmt.num(d.mean), fmt.num(d.max), r.tests_total,
                fmt.human_bytes(r.input_bytes_total), ", ".join(f"{k} {v}" for k, v in r.tests_by_kind.items())]],
              numeric={0, 1, 2, 3, 4, 5, 6}))
    if (png := plot_tests_histogram(r)) is not None:
        add(img(png, "tests per problem"))
    if r.failed_problems_with_tests:
        add(f'<p class="warn">failed problems that still hold tests: {escape(", ".join(r.failed_problems_with_tests))}</p>')

    add("<h2>Gold runtime (CPU)</h2>")
    timed = sorted((p for p in r.problems if p.gold_max_cpu_ms is not None), key=lambda p: -(p.gold_max_cpu_ms or 0))
    if timed:
        add(f"<p>slowest gold run {escape(fmt.ms(r.gold_max_cpu_ms))} in <code>{escape(r.gold_max_cpu_problem)}</code>; "
            f"all gold runs together {escape(fmt.ms(r.gold_total_cpu_ms))}</p>")
        rows = []
        for p in timed:
            limit_ms = p.time_limit_s * 1000 if p.time_limit_s else None
            frac = f"{(p.gold_max_cpu_ms or 0) / limit_ms:.0%}" if limit_ms else "–"
            rows.append([p.problem_id, fmt.ms(p.gold_max_cpu_ms), fmt.ms(limit_ms), frac, fmt.ms(p.gold_total_cpu_ms)])
        add(table(["problem", "slowest gold run", "time limit", "of limit", "all gold runs"], rows,
                  numeric={1, 2, 3, 4}))
    else:
        add("<p>no gold runs recorded</p>")

    add("<h2>Incorrect solutions</h2>")
    verdicts = ", ".join(f"{k} {v}" for k, v in r.killed_by_verdict.items()) or "none"
    add(f"<p>killed {r.incorrect_killed}/{r.incorrect_total}; first failing verdict: {escape(verdicts)}</p>")
    if r.incorrect_not_killed:
        add('<h3 class="bad">Incorrect solutions not killed</h3>')
        add(table(["problem", "solution", "expected verdict", "lang", "verdicts", "tests", "problem outcome"],
                  [[s.problem_id, s.solution_id, s.expected_verdict or "–", s.lang or "–",
                    ", ".join(f"{k} {v}" for k, v in s.verdicts.items()), s.problem_tests, s.problem_outcome]
                   for s in r.incorrect_not_killed], numeric={5}))
    elif r.incorrect_total:
        add('<p class="ok">all incorrect solutions were killed</p>')
    if r.incorrect_not_run:
        add("<h3>Incorrect solutions not run</h3>")
        add(table(["problem", "solution", "cause"],
                  [[x.problem_id, x.solution_id or "–", x.cause] for x in r.incorrect_not_run]))
    if (png := plot_incorrect(r)) is not None:
        add(img(png, "incorrect solutions killed vs survived per problem"))

    add("<h2>Generators</h2>")
    add(table(["generators", "by status", "inputs (ok generators)", "kept as tests", "ok but no test kept"],
              [[r.generators_total, ", ".join(f"{k} {v}" for k, v in r.generators_by_status.items()) or "–",
                r.generator_inputs, r.generator_kept, r.generators_ok_without_tests]], numeric={0, 2, 3, 4}))
    if r.generator_failures:
        add(table(["cause", "generators"], list(r.generator_failures_by_cause.items()), numeric={1}))
        add(table(["problem", "generator", "status", "cause", "error"],
                  [[g.problem_id, g.generator_id, g.status, g.cause, (g.error or "")[:300]]
                   for g in r.generator_failures]))

    g = r.generation
    if g.attempts or g.problems_ok or g.problems_failed:
        add("<h2>Generation</h2>")
        add(f"<p>{escape(fmt.generation_line(g))}</p>")
        add(table(["kind", "programs", "kept"], [[k, v["candidates"], v["kept"]] for k, v in sorted(g.by_kind.items())],
                  numeric={1, 2}))
        if g.attempt_failures_by_cause:
            add(table(["failed attempts: cause", "attempts"], list(g.attempt_failures_by_cause.items()), numeric={1}))

    if r.llm.requests:
        add("<h2>LLM tokens</h2>")
        add(f"<p>{escape(fmt.llm_line(r.llm))}</p>")
        for name, counts in (("prompt kind", r.llm.by_prompt), ("problem", r.llm.by_problem)):
            add(table([name, *fmt.LLM_COLUMNS], fmt.llm_rows(counts), numeric={1, 2, 3, 4, 5}))

    add("<h2>Problems</h2>")
    rows = []
    for p in r.problems:
        cls = "ok" if p.outcome == "ok" else "bad"
        killed_cls = ' class="bad"' if p.incorrect_killed < p.incorrect_total else ""
        rows.append([p.problem_id, f'<span class="{cls}">{escape(p.outcome)}</span>', p.cause or "", p.tests,
                     p.public_tests, p.generated_tests, fmt.human_bytes(p.input_bytes), fmt.ms(p.gold_max_cpu_ms),
                     f"<span{killed_cls}>{escape(fmt.incorrect_cell(p))}</span>", p.error or ""])
    add(table(["problem", "outcome", "cause", "tests", "public", "generated", "input", "slowest gold",
               "incorrect killed", "error"], rows, numeric={3, 4, 5, 6, 7, 8}, raw={1, 8}))

    return write_page(path, page(f"klearct report: {r.run}", parts))
