"""The language table: the one place to add a language.

Each entry says how to compile (inside the sandbox, under compile limits), which file
the compile step leaves to keep, how to run, and a hello-world that echoes stdin,
which `klearct sandbox check` runs first to prove the entry works. It also carries what
the rest of klearct needs to know about the language: its display name (prompts), the
file suffixes that mean it (the CLI, the ICPC reader), other names it is called by
(`--lang`, configs) and its code-fence tags (the first is the one klearct writes in
prompts, all of them are read in LLM answers), and its time factor: how many times a
problem's time limit a run in it gets (`klear_ct.sandbox.timing` applies it; `[limits]
time_factor` in klearct.toml overrides it). Nothing about a runnable language lives
outside this table; the lookups below are what the other modules use.

Time factors follow established judges: USACO gives Java and Python twice the C/C++ limit
(2 s vs 4 s per test), so CPython gets 2; Kattis (NWERC, BAPC) and Codeforces run PyPy 3
under the problem's own limit, so PyPy gets 1, as C and C++ do everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from klear_ct.errors import UsageError
from klear_ct.sandbox import harnesses

CPP_DEFINES = ("-DONLINE_JUDGE",)
# PyPy starts at ~70 MB of address space and its GC reserves more while it copies: the resident cap
# (the memory limit itself) still applies, the slack only keeps big allocations from failing early
PYPY_ADDRESS_SPACE_SLACK_MB = 256
PYTHON_SYNTAX_CHECK = "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')"


@dataclass(frozen=True)
class Language:
    name: str
    display_name: str  # how prompts name it: "Python 3", "C++17"
    source_file: str
    run_cmd: tuple[str, ...]
    compile_cmd: tuple[str, ...]
    artifact: str | None  # file the compile step produces; None: run the source itself
    # address space granted above the memory limit for the runtime itself (interpreter, libraries)
    address_space_slack_mb: int
    hello: str
    suffixes: tuple[str, ...]  # file suffixes, lower case with the dot: ".cpp"
    aliases: tuple[str, ...]  # other names get_language accepts, lower case
    fences: tuple[str, ...]  # code-fence tags, lower case: the first is written, every one is read
    time_factor: float  # a run gets this many times the problem's time limit
    # another entry whose source files this one runs (pypy3 runs `.py` files): it claims no
    # suffix of its own, and a program is in it only when its source or the user says so
    runs_sources_of: str | None = None
    # (prefix, suffix) that make a solution defining a function a stdin program (sandbox/harnesses.py);
    # None: function-call problems are not run in this language
    function_harness: tuple[str, str] | None = None

    @property
    def flags(self) -> str:
        return " ".join(self.compile_cmd)

    @property
    def fence(self) -> str:
        """The tag klearct writes on a code block of this language."""
        return self.fences[0]


LANGUAGES: dict[str, Language] = {
    lang.name: lang
    for lang in (
        Language(
            name="python3",
            display_name="Python 3",
            source_file="main.py",
            compile_cmd=("python3", "-c", PYTHON_SYNTAX_CHECK, "main.py"),
            artifact=None,
            run_cmd=("python3", "main.py"),
            address_space_slack_mb=64,
            hello="import sys\nsys.stdout.write(sys.stdin.read())\n",
            suffixes=(".py", ".py3"),
            aliases=("python", "py", "py3"),
            fences=("python", "python3", "py", "py3"),
            time_factor=2.0,
            function_harness=harnesses.PYTHON,
        ),
        Language(
            name="pypy3",
            display_name="PyPy 3",
            source_file="main.py",
            compile_cmd=("pypy3", "-c", PYTHON_SYNTAX_CHECK, "main.py"),
            artifact=None,
            run_cmd=("pypy3", "main.py"),
            address_space_slack_mb=PYPY_ADDRESS_SPACE_SLACK_MB,
            hello="import sys\nsys.stdout.write(sys.stdin.read())\n",
            suffixes=(),
            aliases=("pypy", "pypy 3", "pypy 3-64", "pypy3-64"),
            fences=("pypy3", "pypy"),
            time_factor=1.0,
            runs_sources_of="python3",
            function_harness=harnesses.PYTHON,
        ),
        Language(
            name="cpp17",
            display_name="C++17",
            source_file="main.cpp",
            compile_cmd=("g++", "-std=c++17", "-O2", "-pipe", *CPP_DEFINES, "-o", "prog", "main.cpp"),
            artifact="prog",
            run_cmd=("./prog",),
            address_space_slack_mb=16,
            hello="#include <iostream>\n#include <string>\nint main(){std::string s;"
            "while(std::getline(std::cin,s))std::cout<<s<<'\\n';}\n",
            suffixes=(".cpp", ".cc", ".cxx", ".c++"),
            aliases=("cpp", "c++", "c++17"),
            fences=("cpp", "c++", "cc", "cxx", "cpp17"),
            time_factor=1.0,
        ),
        Language(
            name="c11",
            display_name="C11",
            source_file="main.c",
            compile_cmd=("gcc", "-std=c11", "-O2", "-pipe", *CPP_DEFINES, "-o", "prog", "main.c", "-lm"),
            artifact="prog",
            run_cmd=("./prog",),
            address_space_slack_mb=16,
            hello="#include <stdio.h>\nint main(void){int c;while((c=getchar())!=EOF)putchar(c);return 0;}\n",
            suffixes=(".c",),
            aliases=("c",),
            fences=("c",),
            time_factor=1.0,
        ),
    )
}


class UnknownLanguage(UsageError):
    pass


def _index(keys: Callable[[Language], Iterable[str]], what: str) -> dict[str, Language]:
    """Key -> language over the table; two languages claiming one key is a table error."""
    index: dict[str, Language] = {}
    for lang in LANGUAGES.values():
        for key in keys(lang):
            if index.setdefault(key, lang) is not lang:
                raise ValueError(f"language table: {what} {key!r} belongs to both {index[key].name} and {lang.name}")
    return index


_BY_NAME = _index(lambda lang: (lang.name, *lang.aliases), "name or alias")
_BY_SUFFIX = _index(lambda lang: lang.suffixes, "suffix")
_BY_FENCE = _index(lambda lang: lang.fences, "fence tag")


def get_language(name: str) -> Language:
    """The language called `name` or one of its aliases, in any case; UnknownLanguage if none."""
    try:
        return _BY_NAME[name.lower()]
    except KeyError:
        raise UnknownLanguage(f"unknown language {name!r}; known: {', '.join(LANGUAGES)}") from None


def language_for_suffix(suffix: str) -> Language | None:
    """The language of files ending in `suffix` (with the dot, as `Path.suffix` gives it, matched
    as given: callers that ignore case lower it first); None when no runnable language has it."""
    return _BY_SUFFIX.get(suffix)


def language_for_fence(tag: str) -> Language | None:
    """The language a code-fence tag (`python`, `c++`, any case) names; None when it names none we run."""
    return _BY_FENCE.get(tag.strip().lower())


def runtimes_of(name: str) -> tuple[str, ...]:
    """The entries that run the sources `name` runs: python3 and pypy3 for either of them."""
    lang = get_language(name)
    base = lang.runs_sources_of or lang.name
    return tuple(n for n, lang in LANGUAGES.items() if base in (n, lang.runs_sources_of))


def python_runtime(name: str) -> str:
    """The table name of a Python runtime (`python3`, `pypy3`, or an alias); UnknownLanguage if it is none."""
    runtimes = runtimes_of("python3")
    try:
        found = get_language(name).name
    except UnknownLanguage:
        found = None
    if found not in runtimes:
        raise UnknownLanguage(f"{name!r} is not a Python runtime; choose one of {', '.join(runtimes)}")
    return found
