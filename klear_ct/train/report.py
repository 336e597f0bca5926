"""`klearct train-report OUTPUT`: the training log (train_log.jsonl) as one HTML page with plots,
built from the reports' HTML helpers."""

from __future__ import annotations

from pathlib import Path

from klear_ct.report.html import escape, img, page, png, table, write_page
from klear_ct.train.metrics import read_log


def _plot_scores(records: list[dict]) -> str:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7, 3.2))
    ax = fig.add_subplot()
    steps = [r["step"] for r in records]
    for key, label in (("reward_mean", "mean reward"), ("format_ok", "usable code"),
                       ("visible_score", "visible tests"), ("holdout_score", "held-out tests")):
        values = [r.get(key) for r in records]
        if any(v is not None for v in values):
            ax.plot(steps, [float("nan") if v is None else v for v in values], marker="o", label=label)
    ax.set_ylim(-0.05, 1.05)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("step")
    ax.set_title("Reward per step")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return png(fig)


def _plot_time(records: list[dict]) -> str:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7, 3.2))
    ax = fig.add_subplot()
    steps = [r["step"] for r in records]
    reward, model = [r.get("reward_s", 0.0) for r in records], [r.get("model_s", 0.0) for r in records]
    ax.bar(steps, model, color="#4c78a8", label="model (generation, loss, update)")
    ax.bar(steps, reward, bottom=model, color="#f58518", label="reward (sandbox)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("step")
    ax.set_ylabel("seconds")
    ax.set_title("Time per step")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return png(fig)


def _fmt(value) -> str:
    return "" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def write_train_report(output_dir: Path, html_path: Path) -> Path:
    records = read_log(output_dir)
    parts = [f"<h1>Training: {escape(Path(output_dir).name)}</h1>"]
    if not records:
        parts.append("<p>No step logged yet.</p>")
    else:
        parts += ["<h2>Reward</h2>", img(_plot_scores(records), "reward per step"),
                  "<h2>Time</h2>", img(_plot_time(records), "time per step"), "<h2>Steps</h2>"]
        verdicts = sorted({v for r in records for v in r.get("verdicts", {})})
        headers = ["step", "reward", "usable code", "visible", "held-out", "reward s", "model s", *verdicts]
        rows = [[r["step"], *(_fmt(r.get(k)) for k in ("reward_mean", "format_ok", "visible_score", "holdout_score",
                                                      "reward_s", "model_s")),
                 *(r.get("verdicts", {}).get(v, 0) for v in verdicts)] for r in records]
        parts.append(table(headers, rows, numeric=set(range(len(headers)))))
    return write_page(html_path, page(f"klearct training: {Path(output_dir).name}", parts))
