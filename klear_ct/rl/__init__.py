"""Rewards over klearct's exported tests: the scorer, one thin adapter per trainer (verl, TRL,
OpenRLHF), a per-process sandbox pool, and `klearct serve` (own /score, SandboxFusion
/run_code, OpenRLHF /get_reward). The pipeline never imports this package."""

from klear_ct.rl.scorer import SCORE_KEYS, score, score_many

__all__ = ["SCORE_KEYS", "score", "score_many"]
