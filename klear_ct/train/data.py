"""An export's rows as training examples: the chat prompt, the ground truth, the problem id.

Reads klearct's verl parquet (`prompt`, `reward_model.ground_truth`, `extra_info.problem_id`)
and its trl parquet (`prompt`, `ground_truth`, `problem_id`); anything else is a usage error
naming the file and the columns it lacks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from klear_ct.errors import UsageError


@dataclass(frozen=True)
class Example:
    problem_id: str
    prompt: list[dict]  # chat messages, [{"role", "content"}]
    ground_truth: str  # klearct's JSON: inputs, outputs, holdout_*, judging

    @property
    def prompt_text(self) -> str:
        return "\n\n".join(m["content"] for m in self.prompt)


def _example(row: dict, path: Path, k: int) -> Example:
    if "reward_model" in row:  # verl
        truth, problem_id = (row["reward_model"] or {}).get("ground_truth"), (row.get("extra_info") or {}).get(
            "problem_id")
    else:  # trl
        truth, problem_id = row.get("ground_truth"), row.get("problem_id")
    prompt = row.get("prompt")
    if not isinstance(truth, str) or not isinstance(prompt, list) or not prompt or not problem_id:
        raise UsageError(f"{path}: row {k} has no prompt, ground truth or problem id of a klearct verl/trl export")
    return Example(problem_id=str(problem_id), prompt=[{"role": m["role"], "content": m["content"]} for m in prompt],
                   ground_truth=truth)


def read_examples(paths: Iterable[Path | str]) -> list[Example]:
    """Every row of the export files, in file order."""
    paths = [Path(p) for p in paths]
    examples: list[Example] = []
    for path in paths:
        try:
            table = pq.read_table(path)
        except (OSError, ValueError) as e:
            raise UsageError(f"{path}: not a readable parquet file: {e}") from None
        columns = set(table.column_names)
        if "prompt" not in columns or not ({"reward_model", "extra_info"} <= columns
                                           or {"ground_truth", "problem_id"} <= columns):
            raise UsageError(f"{path}: not a klearct verl or trl export (columns: {', '.join(sorted(columns))}); "
                             "write one with `klearct export RUN --format verl -o OUT`")
        examples.extend(_example(row, path, k) for k, row in enumerate(table.to_pylist()))
    if not examples:
        raise UsageError(f"no rows in {', '.join(map(str, paths))}")
    return examples
