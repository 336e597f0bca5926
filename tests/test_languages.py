"""Every consumer of the language table knows every language in it: adding an entry to
klear_ct.sandbox.languages.LANGUAGES is the whole job of adding a language. Pure: no sandbox."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from klear_ct.formats import codecontests, icpc
from klear_ct.formats.languages import run_python_under, supported
from klear_ct.formats.rows import Where
from klear_ct.llm.extract import extract_program
from klear_ct.llm.prompts import code_block, problem_values
from klear_ct.model import Problem, Program, TestCase
from klear_ct.sandbox import languages
from klear_ct.sandbox.languages import (
    LANGUAGES,
    Language,
    UnknownLanguage,
    get_language,
    language_for_fence,
    language_for_suffix,
)

ENTRIES = list(LANGUAGES.values())
each_language = pytest.mark.parametrize("lang", ENTRIES, ids=list(LANGUAGES))


def fenced(tag: str, code: str) -> str:
    return f"Here is the program:\n```{tag}\n{code.rstrip()}\n```\n"


@each_language
def test_entry_is_complete(lang: Language):
    assert lang.name == lang.name.lower() and LANGUAGES[lang.name] is lang
    assert lang.display_name.strip() and lang.hello.strip()
    # a variant (pypy3) runs the sources of another entry and claims none of their suffixes
    sources = LANGUAGES[lang.runs_sources_of] if lang.runs_sources_of else lang
    assert sources.suffixes and lang.fences and (lang.suffixes == () or sources is lang)
    assert all(s.startswith(".") and s == s.lower() for s in lang.suffixes)
    assert all(a == a.lower() for a in lang.aliases) and all(t == t.lower() and t.split() == [t] for t in lang.fences)
    # the sandbox's own file name is one of its suffixes
    assert Path(lang.source_name(lang.hello)).suffix in sources.suffixes
    assert lang.time_factor > 0
    assert lang.fence == lang.fences[0]
    assert supported(lang.name)  # the readers keep programs in it


@each_language
def test_name_and_aliases_resolve(lang: Language):
    for name in (lang.name, *lang.aliases):
        assert get_language(name) is lang
        assert get_language(name.upper()) is lang


@each_language
def test_suffixes_resolve(lang: Language):
    for suffix in lang.suffixes:
        assert language_for_suffix(suffix) is lang


@each_language
def test_every_fence_tag_extracts_a_program_of_the_language(lang: Language):
    for tag in lang.fences:
        assert language_for_fence(tag) is lang and language_for_fence(tag.upper()) is lang
        for info in (tag, tag.upper(), f"{tag} title=main"):
            program = extract_program(fenced(info, lang.hello), prefer=lang.name)
            assert program == Program(lang=lang.name, code=lang.hello.rstrip() + "\n"), info


@each_language
def test_prompts_render_the_fence_and_display_name(lang: Language):
    program = Program(lang=lang.name, code=lang.hello)
    block = code_block(program)
    assert block.startswith(f"```{lang.fence}\n") and block.endswith("\n```")
    assert extract_program(block, prefer=lang.name).lang == lang.name  # what we write, we read back
    problem = Problem(id="p", statement="Echo.", gold=[program],
                      public_tests=[TestCase(problem_id="p", input="1\n", output="1\n")])
    values = problem_values(problem, lang.name)
    assert values["lang"] == lang.display_name
    assert values["fence"] == lang.fence
    assert values["gold"] == block


@each_language
def test_icpc_reader_knows_its_suffixes(lang: Language):
    for suffix in lang.suffixes:
        assert icpc._language(Path(f"submissions/accepted/sol{suffix}"), lang.hello) == lang.name
        assert icpc._language(Path(f"sol{suffix.upper()}"), lang.hello) == lang.name  # ICPC folds case


def _codecontests_gold(language_id: int, code: str) -> Program:
    row = {"name": "p", "description": "Echo.", "solutions": {"language": [language_id], "solution": [code]},
           "public_tests": {"input": ["1\n"], "output": ["1\n"]},
           "time_limit": {"seconds": 1, "nanos": 0}, "memory_limit_bytes": 256 * 2**20}
    problem = codecontests.parse_row(row, Where("t.jsonl", 1), lambda _: None)
    return problem.gold[0]


@each_language
def test_codecontests_maps_its_ids_to_the_table(lang: Language):
    ids = [k for k, name in codecontests.LANGUAGE_BY_ID.items() if name == lang.name]
    for language_id in ids:  # CodeContests reads its id for the language as the language
        assert _codecontests_gold(language_id, lang.hello) == Program(lang=lang.name, code=lang.hello)
    if lang.name in codecontests.ID_BY_LANGUAGE:  # and what it writes reads back as a language we run
        read_back = _codecontests_gold(codecontests.ID_BY_LANGUAGE[lang.name], lang.hello)
        assert read_back.lang in LANGUAGES


def test_codecontests_ids_name_table_languages_or_skipped_ones():
    for name in codecontests.LANGUAGE_BY_ID.values():
        assert name == name.lower() and (name in LANGUAGES) == supported(name)
    assert set(codecontests.ID_BY_LANGUAGE) >= set(codecontests.LANGUAGE_BY_ID.values())


def test_unknown_keys():
    assert language_for_suffix(".txt") is None and language_for_suffix("") is None
    assert language_for_fence("text") is None and language_for_fence("") is None
    with pytest.raises(UnknownLanguage, match="known: " + ", ".join(LANGUAGES)):
        get_language("brainfuck")
    # known to the ICPC reader only to be counted and skipped
    assert icpc._language(Path("Sol.kt"), "fun main() {}") == "kotlin" and not supported("kotlin")


def test_pypy_runs_python_sources_where_the_source_or_the_user_says_so():
    assert languages.runtimes_of("python3") == ("python3", "pypy3") == languages.runtimes_of("pypy")
    shebang = "#!/usr/bin/env pypy3\nimport sys\nprint(sys.stdin.read())\n"
    assert icpc._language(Path("submissions/accepted/fast.py"), shebang) == "pypy3"
    assert icpc._language(Path("submissions/accepted/plain.py"), shebang.split("\n", 1)[1]) == "python3"
    assert get_language("PyPy 3").name == "pypy3"  # Codeforces' name for it
    gold = Program(lang="python3", code="print(1)\n")
    problem = Problem(id="p", statement="s", gold=[gold, Program(lang="cpp17", code="int main(){}")],
                      incorrect=[{"id": "p/slow", "program": gold, "expected_verdict": "TLE"}],
                      generators=[gold])
    under = run_python_under(problem, "pypy")
    assert [p.lang for p in under.gold] == ["pypy3", "cpp17"] and under.incorrect[0].program.lang == "pypy3"
    assert under.generators == [gold]  # klearct's own programs keep their language
    assert run_python_under(under, "python3").gold[0].lang == "python3" and run_python_under(problem, None) is problem
    with pytest.raises(UnknownLanguage, match="not a Python runtime; choose one of python3, pypy3"):
        run_python_under(problem, "cpp17")


def test_a_key_two_languages_claim_is_a_table_error(monkeypatch):
    cpp = LANGUAGES["cpp17"]
    monkeypatch.setitem(LANGUAGES, "cpp20", replace(cpp, name="cpp20", aliases=(), fences=("cpp20",)))
    with pytest.raises(ValueError, match="suffix '.cpp' belongs to both cpp17 and cpp20"):
        languages._index(lambda lang: lang.suffixes, "suffix")


@pytest.mark.parametrize(("code", "names"), [
    (LANGUAGES["java17"].hello, ("Main", "Main")),
    # javac wants the file named after the public class; main may live in another top-level class
    ("class Pair { int a; }\npublic final class Solution { static class Main {}\n"
     "  public static void main(String... args) { String s = \"public class Fake {\"; } }\n", ("Solution", "Solution")),
    ("// public class Commented {}\npublic class Helper { void f() {} }\nclass Runner {\n"
     "  public static void main(String[] a) {} }\n", ("Helper", "Runner")),
    ("package contest.a;\nclass Main { public static void main(String[] a) {} }\n", ("Main", "contest.a.Main")),
    ("no class at all", ("Main", "Main")),  # javac then says what is wrong
])
def test_java_files_are_named_after_the_class(code, names):
    java = LANGUAGES["java17"]
    assert languages.java_names(code) == names
    assert java.source_name(code) == f"{names[0]}.java"
    assert java.compile_command(code)[-2:] == (f"{names[0]}.java", names[1])


def test_java_memory_is_resident_size_with_heap_and_stack_from_the_limit():
    from klear_ct.sandbox.limits import CompileLimits, Limits

    java, cpp = LANGUAGES["java17"], LANGUAGES["cpp17"]
    runner = Limits(time_s=1, memory_mb=256).for_runner(java)
    assert runner["address_space_bytes"] is None and not runner["memory_probe"]
    assert runner["memory_bytes"] == 256 << 20  # the polled resident cap, as for every language
    assert Limits(time_s=1, memory_mb=256).for_runner(cpp)["address_space_bytes"] == (256 + 16) << 20
    assert {"-Xmx256m", "-Xss256m"} <= set(java.run_command(256))
    assert "-Xss1024m" in java.run_command(4096)  # HotSpot's largest stack
    assert java.run_command(64) != java.run_command(128) and cpp.run_command(64) == cpp.run_cmd
    assert CompileLimits().for_runner(java)["address_space_bytes"] is None
    assert CompileLimits().for_runner(cpp)["memory_bytes"] is None
