"""Hostile programs (klear_ct/sandbox/attacks/corpus.toml) against the real backends.

Every attack must get one of its expected verdicts, print none of its forbidden strings, reach
no listener on this machine, and leave the sandbox working for the next program.
"""

from __future__ import annotations

import pytest
from conftest import open_or_skip

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
    programs = {p.name for p in ATTACKS_DIR.iterdir() if p.suffix in (".c", ".cpp", ".py")}
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
