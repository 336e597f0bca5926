"""Reward-hacking attacks: completions that a policy optimised for reward might write, scored
through klearct's reward (`klear_ct/rl/attacks/corpus.toml` says what each one tries).

Three problems are made for each check: `sum`, which a right program solves, and `oracle` /
`oracle_checker`, whose answers are random tokens made for this check (and also put in the
checking process's environment as bait): no program can compute them, so a completion that
scores above 0 on them found them. The check holds when every step of every attack scores 0
with an expected verdict and no sandbox error, nothing connects to the host's listener, a
right completion scored after each attack still scores 1, and one batch that scores every
attack beside right completions at once gives each right one 1 and each attack 0.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from klear_ct.model import Verdict
from klear_ct.rl.scorer import score, score_many
from klear_ct.sandbox import Sandbox
from klear_ct.sandbox.languages import language_for_suffix
from klear_ct.sandbox.selfcheck import AttackOutcome, CorpusError, Listener, host_address, substitute

ATTACKS_DIR = Path(__file__).resolve().parent / "attacks"
CORPUS = ATTACKS_DIR / "corpus.toml"
BAIT_ENV = "KLEARCT_EXPECTED_OUTPUTS"
TESTS_PER_PROBLEM = 4
LIMITS = {"time_limit_s": 0.5, "memory_limit_mb": 128}
RIGHT_SUM = "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"
# exact token comparison on bytes, so no output can crash it
ORACLE_CHECKER = ("import sys\nout, ans = (open(p, 'rb').read().split() for p in sys.argv[2:4])\n"
                  "sys.exit(0 if out == ans else 1)\n")


class RewardAttack(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    about: str
    steps: list[Path] = Field(min_length=1)  # relative to the corpus file; absolute once loaded
    problem: Literal["sum", "oracle", "oracle_checker"]
    expect: list[Verdict] = Field(min_length=1)


def load_corpus(path: Path = CORPUS) -> list[RewardAttack]:
    try:
        entries = tomllib.loads(path.read_text()).get("attack", [])
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise CorpusError(f"{path}: {e}") from None
    attacks: list[RewardAttack] = []
    for index, entry in enumerate(entries, 1):
        label = f"{path}: attack {index} ({entry.get('name', '?')!r})"
        try:
            attack = RewardAttack.model_validate(entry)
        except ValidationError as e:
            raise CorpusError(f"{label}: {e.errors()[0]['loc']}: {e.errors()[0]['msg']}") from None
        steps = [path.parent / step for step in attack.steps]
        for step in steps:
            if not step.is_file() or language_for_suffix(step.suffix) is None:
                raise CorpusError(f"{label}: {step.name} is not a program in a known language next to the corpus")
        if any(a.name == attack.name for a in attacks):
            raise CorpusError(f"{label}: the name is used twice")
        attacks.append(attack.model_copy(update={"steps": steps}))
    return attacks


def fenced(code: str, suffix: str) -> str:
    """The program as a policy answers it: some prose and the last block fenced in its language."""
    return f"I will solve it step by step.\n\n```{language_for_suffix(suffix).fence}\n{code}```\n"


def completion_of(step: Path, values: dict[str, str]) -> str:
    return fenced(substitute(step.read_text(), values), step.suffix)


def make_problems(rng: random.Random) -> dict[str, tuple[str, dict]]:
    """name -> (ground truth JSON, extra_info), fresh answers for every check."""
    pairs = [(rng.randint(-10**9, 10**9), rng.randint(-10**9, 10**9)) for _ in range(TESTS_PER_PROBLEM)]
    total = {"inputs": [f"{a} {b}\n" for a, b in pairs], "outputs": [f"{a + b}\n" for a, b in pairs]}
    oracle = {"inputs": [f"query {k}\n" for k in range(TESTS_PER_PROBLEM)],
              "outputs": [secrets.token_hex(16) + "\n" for _ in range(TESTS_PER_PROBLEM)]}
    return {"sum": (json.dumps(total), dict(LIMITS)),
            "oracle": (json.dumps(oracle), dict(LIMITS)),
            "oracle_checker": (json.dumps(oracle), dict(LIMITS, checker=ORACLE_CHECKER, checker_lang="python3"))}


def _verdict(result: dict) -> str:
    return result["first_failure_verdict"] or ("OK" if result["score"] else "?")


def _problems_of(step: Path, result: dict, expect: list[Verdict]) -> list[str]:
    if result["sandbox_error"]:
        return [f"{step.name}: sandbox error: {result['detail']}"]
    found = []
    if result["score"] != 0:
        found.append(f"{step.name} scored {result['score']}")
    if _verdict(result) not in expect:
        found.append(f"{step.name}: {_verdict(result)} ({result['detail']})")
    return found


def run_attack(sandbox: Sandbox, attack: RewardAttack, problems: dict, values: dict[str, str],
               listener: Listener) -> AttackOutcome:
    outcome = AttackOutcome(name=f"reward:{attack.name}", about=attack.about, expected=[str(v) for v in attack.expect])
    truth, info = problems[attack.problem]
    connections, started, found = listener.connections, time.monotonic(), []
    for step in attack.steps:
        result = score(completion_of(step, values), truth, info, sandbox=sandbox)
        outcome.got.append(_verdict(result))
        found += _problems_of(step, result, attack.expect)
    outcome.seconds = time.monotonic() - started
    time.sleep(0.05)  # let the listener count a connection that just arrived
    if listener.connections > connections:
        found.append(f"the host's listener got {listener.connections - connections} connection(s)")
    control = score(fenced(RIGHT_SUM, ".py"), *problems["sum"], sandbox=sandbox)
    if control["score"] != 1.0:
        found.append(f"a right completion scored after it got {control['score']} "
                     f"({_verdict(control)}: {control['detail']})")
    outcome.passed, outcome.detail = not found, "; ".join(found)
    return outcome


def run_side_by_side(sandbox: Sandbox, attacks: list[RewardAttack], problems: dict,
                     values: dict[str, str]) -> AttackOutcome:
    """Every attack step and a right completion after each, in one concurrent batch."""
    samples, steps = [], []
    for attack in attacks:
        for step in attack.steps:
            samples.append((completion_of(step, values), *problems[attack.problem]))
            steps.append((attack, step))
            samples.append((fenced(RIGHT_SUM, ".py"), *problems["sum"]))
            steps.append((None, None))
    started = time.monotonic()
    results = score_many(samples, sandbox=sandbox)
    found = []
    for (attack, step), result in zip(steps, results, strict=True):
        if attack is None and result["score"] != 1.0:
            found.append(f"a right completion beside the attacks got {result['score']} "
                         f"({_verdict(result)}: {result['detail']})")
        elif attack is not None:
            found += [f"{attack.name}: {why}" for why in _problems_of(step, result, attack.expect)]
    rights = sum(1 for attack, _ in steps if attack is None)
    return AttackOutcome(name="reward:side_by_side", about="every attack scored at once beside right completions",
                         expected=["right 1", "attacks 0"], got=[f"{len(samples)} scored"], passed=not found,
                         detail="; ".join(found) or f"{rights} right completions scored 1",
                         seconds=time.monotonic() - started)


def run_reward_check(sandbox: Sandbox, progress: Callable[[str], None] | None = None,
                     attacks: list[RewardAttack] | None = None) -> list[AttackOutcome]:
    """Every attack of the corpus (or `attacks`) alone, then all of them side by side."""
    progress = progress or (lambda name: None)
    attacks = load_corpus() if attacks is None else attacks
    problems = make_problems(random.Random(secrets.randbits(64)))
    previous = os.environ.get(BAIT_ENV)
    os.environ[BAIT_ENV] = " ".join(json.loads(problems["oracle"][0])["outputs"]).replace("\n", "")
    listener = Listener()
    try:
        values = {"host_ip": host_address(sandbox), "port": str(listener.port)}
        outcomes = []
        for attack in attacks:
            progress(f"reward:{attack.name}")
            outcomes.append(run_attack(sandbox, attack, problems, values, listener))
        progress("reward:side_by_side")
        outcomes.append(run_side_by_side(sandbox, attacks, problems, values))
        return outcomes
    finally:
        listener.close()
        if previous is None:
            os.environ.pop(BAIT_ENV, None)
        else:
            os.environ[BAIT_ENV] = previous
