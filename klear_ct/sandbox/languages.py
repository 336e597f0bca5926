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
under the problem's own limit, so PyPy gets 1, as C and C++ do everywhere; Java gets USACO's 2
as well (its JVM start-up, ~0.1 s of CPU, then fits in any limit).

Java: the source file is named after its public class (`public class X` -> `X.java`, javac's rule)
and the program is packed into one jar whose manifest names the class holding `main`, so a run
needs no name. The JVM reserves far more address space than it touches, so its memory is capped
and measured by resident size only (`memory_by_rss`), with heap and stack flags from the limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from klear_ct.errors import UsageError
from klear_ct.sandbox import harnesses

CPP_DEFINES = ("-DONLINE_JUDGE",)
# PyPy starts at ~70 MB of address space and its GC reserves more while it copies: the resident cap
# (the memory limit itself) still applies, the slack only keeps big allocations from failing early
PYPY_ADDRESS_SPACE_SLACK_MB = 256
PYTHON_SYNTAX_CHECK = "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')"
JAVA_MAX_STACK_MB = 1024  # HotSpot refuses a larger -Xss
# javac with the client compiler only: a short-lived JVM compiles faster without C2
JAVA_COMPILE = ('javac -encoding UTF-8 -J-XX:+UseSerialGC -J-XX:TieredStopAtLevel=1 -d classes "$1" '
                '&& jar --create --file prog.jar --main-class "$2" -C classes .')
# one processor's ergonomics (serial GC, one JIT thread per tier) on every backend and machine: a
# Docker slot has one CPU, and the JVM's own threads (14) stay far below the run's process limit.
# The JVM logs its warnings to stdout by default: they go to stderr, away from the judged output.
JAVA_RUN = ("java", "-XX:+UseSerialGC", "-XX:ActiveProcessorCount=1", "-XX:-UsePerfData", "-Xlog:disable",
            "-Xlog:all=warning:stderr", "-Xmx{memory_mb}m", "-Xss{stack_mb}m", "-jar", "prog.jar")
_JAVA_NOISE = re.compile(r'"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*[\s\S]*?\*/|//[^\n]*')
_JAVA_TYPE = re.compile(r"\b(?:(public)\s+)?(?:(?:final|abstract|strictfp|sealed|non-sealed)\s+)*"
                        r"(?:class|interface|enum|record)\s+([A-Za-z_$][\w$]*)")
_JAVA_MAIN = re.compile(r"\bstatic\s+(?:final\s+)?void\s+main\s*\(")
_JAVA_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.MULTILINE)


def java_names(code: str) -> tuple[str, str]:
    """(file stem, main class) of a Java source: the file is named after the public top-level class
    (javac requires it), the main class is the top-level class whose body declares `main` (package
    included). `Main` for what cannot be found: javac then says what is wrong."""
    text = _JAVA_NOISE.sub(" ", code)
    top = [(m.start(), m.group(1), m.group(2)) for m in _JAVA_TYPE.finditer(text)
           if text.count("{", 0, m.start()) == text.count("}", 0, m.start())]
    public = next((name for _, is_public, name in top if is_public), None)
    main_at = _JAVA_MAIN.search(text)
    holders = [name for start, _, name in top if main_at and start < main_at.start()]
    main = holders[-1] if holders else public or "Main"
    package = _JAVA_PACKAGE.search(text)
    return public or main, f"{package.group(1)}.{main}" if package else main


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
    # (file stem, main) of a source, for {file} and {main} in source_file and compile_cmd (Java's file
    # is named after its class); None: the fixed names above
    names_from_source: Callable[[str], tuple[str, str]] | None = None
    # memory capped and measured by resident size, without an address-space limit (a JVM reserves far
    # more than it uses); {memory_mb} and {stack_mb} in run_cmd give the runtime the memory limit
    memory_by_rss: bool = False
    # (prefix, suffix) that make a solution defining a function a stdin program (sandbox/harnesses.py);
    # None: function-call problems are not run in this language
    function_harness: tuple[str, str] | None = None

    def source_name(self, code: str) -> str:
        return self.source_file.format(file=self.names_from_source(code)[0]) if self.names_from_source else self.source_file

    def compile_command(self, code: str) -> tuple[str, ...]:
        if self.names_from_source is None:
            return self.compile_cmd
        file, main = self.names_from_source(code)
        return tuple(arg.format(file=file, main=main) for arg in self.compile_cmd)

    def run_command(self, memory_mb: int) -> tuple[str, ...]:
        if not self.memory_by_rss:
            return self.run_cmd
        stack_mb = min(memory_mb, JAVA_MAX_STACK_MB)
        return tuple(arg.format(memory_mb=memory_mb, stack_mb=stack_mb) for arg in self.run_cmd)

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
        Language(
            name="java17",
            display_name="Java 17",
            source_file="{file}.java",
            compile_cmd=("sh", "-c", JAVA_COMPILE, "javac", "{file}.java", "{main}"),
            artifact="prog.jar",
            run_cmd=JAVA_RUN,
            address_space_slack_mb=0,
            hello="import java.io.*;\n\npublic class Main {\n    public static void main(String[] args) throws IOException {\n"
            "        InputStream in = System.in;\n        byte[] buffer = new byte[1 << 16];\n"
            "        for (int n; (n = in.read(buffer)) > 0; ) System.out.write(buffer, 0, n);\n"
            "        System.out.flush();\n    }\n}\n",
            suffixes=(".java",),
            aliases=("java", "java 17", "java 11", "java 8"),
            fences=("java",),
            time_factor=2.0,
            names_from_source=java_names,
            memory_by_rss=True,
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
