"""Hostile programs (klear_ct/sandbox/attacks/corpus.toml) against the real backends.

Every attack must get one of its expected verdicts, print none of its forbidden strings, reach
no listener on this machine, and leave the sandbox working for the next program.
"""

from __future__ import annotations

import pytest
from conftest import open_or_skip

from klear_ct.rl.selfcheck import ATTACKS_DIR as REWARD_ATTACKS
from klear_ct.rl.selfcheck import RIGHT_SUM, run_reward_check
from klear_ct.rl.selfcheck import load_corpus as load_reward_corpus
from klear_ct.sandbox.selfcheck import ATTACKS_DIR, CorpusError, load_corpus, run_selfcheck


def failures(outcomes) -> str:
    failed = [o for o in outcomes if not o.passed]
    lines = [f"{len(failed)} of {len(outcomes)} checks failed:"]
    lines += [f"  {o.name}: expected {'/'.join(o.expected)}, got {' '.join(o.got) or '-'}: {o.detail}" for o in failed]
    return "\n".join(lines)


def test_corpus_loads_and_names_its_files():
    attacks = load_corpus()
    assert len(attacks) >= 25
    names = [a.name for a in attacks]
    assert len(names) == len(set(names))
    for attack in attacks:
        assert (ATTACKS_DIR / attack.file).is_file(), attack.name
        assert attack.program.code.strip(), attack.name
    used = {a.file for a in attacks} | {"corpus.toml"}
    programs = {p.name for p in ATTACKS_DIR.iterdir() if p.suffix in (".c", ".cpp", ".py", ".java")}
    assert programs == used - {"corpus.toml"}  # no program lies around unused


def test_a_bad_entry_is_named(tmp_path):
    corpus = tmp_path / "corpus.toml"
    corpus.write_text('[[attack]]\nname = "broken"\nabout = "x"\nfile = "cpu_spin.c"\nlang = "c11"\n'
                      'expect = ["SLOW"]\n')
    with pytest.raises(CorpusError, match="'broken'.*SLOW"):
        load_corpus(corpus)
    corpus.write_text('[[attack]]\nname = "typo"\nabout = "x"\nfile = "cpu_spin.c"\nlang = "c11"\n'
                      'expect = ["TLE"]\ntime_limit = 1\n')
    with pytest.raises(CorpusError, match="'typo'.*time_limit"):
        load_corpus(corpus)


@pytest.mark.docker
def test_docker_sandbox_holds_against_every_attack():
    import docker

    from klear_ct.sandbox.docker_backend import LABEL, OWNER_LABEL, owner_id

    client = docker.from_env()
    ours = {"label": [LABEL, f"{OWNER_LABEL}={owner_id()}"]}
    before = {c.id for c in client.containers.list(all=True, filters=ours)}  # a session fixture's, if any
    sandbox = open_or_skip("docker", slots=1)
    try:
        outcomes = run_selfcheck(sandbox)
    finally:
        sandbox.close()
    left = {c.id for c in client.containers.list(all=True, filters=ours)} - before
    assert all(o.passed for o in outcomes), failures(outcomes)
    assert len(outcomes) >= 25 + 4  # hello-worlds and the last sanity run included
    assert not left, f"containers left after close: {left}"


@pytest.mark.local
def test_local_sandbox_holds_against_every_attack():
    sandbox = open_or_skip("local", slots=1)
    try:
        outcomes = run_selfcheck(sandbox)
    finally:
        sandbox.close()
    assert all(o.passed for o in outcomes), failures(outcomes)
    assert len(outcomes) >= 25


# -- reward hacking: completions scored through the reward (klear_ct/rl/attacks) --------------------

def test_reward_corpus_loads_and_uses_every_program():
    attacks = load_reward_corpus()
    assert len(attacks) >= 12 and len({a.name for a in attacks}) == len(attacks)
    used = {step.name for a in attacks for step in a.steps}
    assert used == {p.name for p in REWARD_ATTACKS.iterdir() if p.suffix in (".c", ".cpp", ".py")}


def test_a_bad_reward_attack_is_named(tmp_path):
    corpus = tmp_path / "corpus.toml"
    corpus.write_text('[[attack]]\nname = "lost"\nabout = "x"\nsteps = ["gone.py"]\nproblem = "sum"\nexpect = ["WA"]\n')
    with pytest.raises(CorpusError, match="'lost'.*gone.py"):
        load_reward_corpus(corpus)
    (tmp_path / "gone.py").write_text("pass\n")
    corpus.write_text(corpus.read_text().replace('"sum"', '"maze"'))
    with pytest.raises(CorpusError, match="'lost'.*problem"):
        load_reward_corpus(corpus)


@pytest.mark.docker
def test_reward_hacking_completions_score_zero_and_touch_no_other_score(tmp_path):
    """Each attack scores 0 with the verdict it deserves and a right completion after it still scores 1;
    all of them at once beside right completions change none of those. A planted honest program (it
    computes the sums) must be reported as a breach: the check can fail."""
    (tmp_path / "honest.py").write_text(RIGHT_SUM)
    (tmp_path / "corpus.toml").write_text('[[attack]]\nname = "honest"\nabout = "a right program"\n'
                                          'steps = ["honest.py"]\nproblem = "sum"\nexpect = ["WA"]\n')
    attacks = load_reward_corpus() + load_reward_corpus(tmp_path / "corpus.toml")
    sandbox = open_or_skip("docker", slots=2)
    try:
        outcomes = {o.name: o for o in run_reward_check(sandbox, attacks=attacks)}
    finally:
        sandbox.close()
    planted, together = outcomes.pop("reward:honest"), outcomes.pop("reward:side_by_side")
    assert all(o.passed for o in outcomes.values()), failures(list(outcomes.values()))
    assert not planted.passed and "honest.py scored 1.0" in planted.detail
    assert not together.passed and together.detail == "honest: honest.py scored 1.0; honest: honest.py: OK ()"
    assert outcomes["reward:spin"].got == ["TLE"] and outcomes["reward:flood_stdout"].got == ["OLE"]
