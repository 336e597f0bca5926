"""Which language a piece of source code is written in: the one detector every reader uses.

`detect_language(code)` returns a sandbox language name (`python3`, `pypy3`, `cpp17`, `c11`, `java17`),
the name of a language the sandbox does not run (`python2`, `csharp`, `rust`, `go`, `kotlin`,
`javascript`) or None when it cannot tell. `supported(lang)` says whether the
sandbox runs it (the table in `klear_ct.sandbox.languages` decides, so adding a language
there makes the readers keep it).

How it decides:

* String literals and comments are blanked first, so `"#include <iostream>"` in a Python
  string or `// print(x)` in C++ counts for nothing. A `#` line that looks like a
  preprocessor directive (`#include <...>`, `#define X`) is kept: it is C/C++ evidence.
* Languages with unmistakable markers are recognised first: Java (`public static void
  main(String`, `System.out`, `import java.`), C# (`using System;`, `Console.`), Rust
  (`fn main(`, `let mut`, `use std::`), Go (`package main`, `fmt.Println`), Kotlin
  (`fun main(`), JavaScript (`console.log`, `process.stdin`, `require(`).
* Python and C/C++ are scored (definitions, imports, block colons and `for x in` for
  Python; includes, `int main(`, `std::`, `cin >>`, templates, STL types, lines ending in
  `;`/`{`/`}` for C/C++). The higher score wins if it reaches a minimum; else None.
* Python 3 is `pypy3` when its first line is a shebang naming PyPy (`#!/usr/bin/env pypy3`).
* Python 2 is told apart by a `print x` statement, `print >>f`, `except E, e:` or calls of
  `raw_input`/`xrange` that the program does not define itself.
* C or C++: **cpp17 unless the code has a construct that g++ rejects but gcc accepts** —
  an uncast `malloc`/`calloc`/`realloc` assigned to a pointer, an implicit-int `main()`,
  or a C++ keyword (`new`, `class`, `this`, ...) used as a variable name — then `c11`.
  Almost all contest C compiles as C++, and C-style C++ (`#include <stdio.h>` with `bool`,
  references or `struct` names used bare) is common and would fail as C, so the ambiguous
  case goes to cpp17. Any C++ marker (`std::`, `<iostream>`, templates, ...) means cpp17.
"""

from __future__ import annotations

import re

from klear_ct.model import Problem, Program

PYTHON3, PYPY3, PYTHON2, CPP, C, JAVA = "python3", "pypy3", "python2", "cpp17", "c11", "java17"

_MIN_SCORE = 3
_EDGE_CHARS = 32_000

# strings first (so a quote inside a comment or a comment marker inside a string is handled
# in source order), then comments; a `#` line that looks like a preprocessor directive stays
_TOKENS = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\''          # Python triple-quoted strings
    r'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\''  # one-line strings and chars
    r"|/\*[\s\S]*?\*/"                              # C block comments
    r"|//[^\n]*"                                    # C line comments (or Python's //: harmless)
    r"|#(?!\s*(?:include|define|undef|pragma|ifn?def|if|elif|else|endif|error|line)\b)[^\n]*"  # Python comments
)


def _blank(match: re.Match) -> str:
    text = match.group(0)
    if text[0] in "\"'":
        quote = text[:3] if text[:3] in ('"""', "'''") else text[0]
        return quote + "\n" * text.count("\n") + quote  # keep line structure
    return "\n" * text.count("\n")


def strip_strings_and_comments(code: str) -> str:
    return _TOKENS.sub(_blank, code)


def _has(pattern: str, text: str, flags: int = re.MULTILINE) -> bool:
    return re.search(pattern, text, flags) is not None


_OTHER_LANGUAGES = (
    (JAVA, (r"\bpublic\s+static\s+void\s+main\s*\(\s*(final\s+)?String", r"\bSystem\s*\.\s*(out|in|err)\b",
            r"^\s*import\s+java\.", r"\bnew\s+Scanner\s*\(")),
    ("csharp", (r"^\s*using\s+System(\.[\w.]+)?\s*;", r"\bConsole\s*\.\s*(Write|Read)",
                r"\bstatic\s+void\s+Main\s*\(")),
    ("rust", (r"\bfn\s+main\s*\(\s*\)", r"\blet\s+mut\s+\w", r"^\s*use\s+std::", r"\bprintln!\s*\(")),
    ("go", (r"^\s*package\s+main\b", r"\bfunc\s+main\s*\(\s*\)", r"\bfmt\s*\.\s*(Print|Scan|Sprint|Fprint)")),
    ("kotlin", (r"\bfun\s+main\s*\(", r"\breadLine\s*\(\s*\)\s*!!")),
    ("javascript", (r"\bconsole\s*\.\s*log\s*\(", r"\bprocess\s*\.\s*stdin\b",
                    r"^\s*(const|let|var)\s+\w+\s*=\s*require\s*\(")),
)

_PREPROCESSOR_INCLUDE = r"^[ \t]*#[ \t]*include[ \t]*[<\"]"
_CPP_MARKERS = (
    r"^[ \t]*#[ \t]*include[ \t]*<(bits/stdc\+\+\.h|[a-z_]+)>",  # C++ headers have no .h: <iostream>, <cstdio>
    r"\busing\s+namespace\s+\w+", r"\bstd\s*::", r"\b(cin|cerr)\s*>>|\b(cout|cerr)\s*<<", r"\btemplate\s*<",
    r"\b(vector|map|set|multiset|pair|queue|stack|deque|priority_queue|unordered_map|unordered_set|array|bitset"
    r"|tuple|list)\s*<[\w\s,:<>*]*>",
    r"\bnullptr\b", r"\bconstexpr\b", r"\bios(_base)?\s*::", r"\bauto\s*&?\s*\w+\s*[=:\[(]", r"\bauto\s*\[",
    r"\bclass\s+\w+\s*(:\s*(public|private|protected)\s+\w+\s*)?\{", r"\b(public|private|protected)\s*:",
    r"\b(new|delete)\s+\w+\s*[\[(;]", r"\boperator\s*(\(\s*\)|[<>=!+\-*/%\[]+)", r"\bstatic_cast\s*<",
    r"\b(int|long|double|float|char|string|bool|auto|ll)\s*&\s*\w+\s*[,)=]",  # references: f(int &x)
)
_C_MARKERS = (
    r"\b(int|char|long|short|double|float|unsigned|void)\s*\*+\s*\w+\s*=\s*(malloc|calloc|realloc)\s*\(",
    r"^\s*\w+\s*=\s*(malloc|calloc|realloc)\s*\(",  # p = malloc(...) without a cast
    r"^main\s*\(",  # implicit int
    r"\b(int|char|long|short|double|float|unsigned)\s+\**\s*(new|class|delete|this|template|typename|namespace"
    r"|operator|private|public|protected|virtual|friend|throw|try|catch|using|explicit|mutable|export)\s*[;=,\[)]",
)


def _c_family_score(text: str, lines: list[str]) -> int:
    score = 0
    if _has(_PREPROCESSOR_INCLUDE, text):
        score += 5
    if _has(r"^[ \t]*#[ \t]*(define|pragma|ifn?def|undef)\b", text):
        score += 2
    if _has(r"\b(int|void|signed|long|auto)\s+main\s*\(", text):
        score += 4
    if _has(r"\b(scanf|printf|puts|getchar|putchar|gets|fgets)\s*\(", text):
        score += 2
    if _has(r"\b(long\s+long|unsigned\s+\w+|(int|char|double|float|long|bool)\s+\w+\s*\[[^\]]*\]\s*[;=,])", text):
        score += 2
    score += 3 * sum(_has(p, text) for p in _CPP_MARKERS)
    if score and lines:  # the shape of the lines backs up other evidence, never stands alone
        c_like = sum(line.rstrip().endswith((";", "{", "}")) for line in lines)
        score += round(8 * c_like / len(lines))
    return score


def _python_score(text: str, lines: list[str]) -> int:
    score = 0
    if _has(r"^[ \t]*(async\s+)?def\s+\w+\s*\([^)]*\)?.*:[ \t]*$", text):
        score += 5
    if _has(r"^[ \t]*(from\s+[\w.]+\s+import\s+\S|import\s+[\w.]+(\s+as\s+\w+)?(\s*,\s*[\w.]+(\s+as\s+\w+)?)*"
            r"[ \t]*;?[ \t]*$)", text):
        score += 4
    if _has(r"\binput\s*\(\s*\)|\bsys\s*\.\s*(stdin|stdout|setrecursionlimit)\b|\b__name__\b|\bopen\s*\(\s*0\s*\)",
            text):
        score += 4
    # short programs: `import sys; sys.exit(4)`, `raise SystemExit(3)`
    if _has(r"^[ \t]*import\s+[\w.]+\s*;", text) or _has(r"\bsys\s*\.\s*exit\s*\(|\braise\s+SystemExit\b", text):
        score += 4
    if _has(r"^[ \t]*(if|elif|else|for|while|try|except|finally|with|class)\b[^;{}\n]*:[ \t]*$", text):
        score += 3
    if _has(r"^[ \t]*for\s+[\w, ()]+\s+in\s+", text) or _has(r"\bfor\s+\w+\s+in\s+\w", text):
        score += 3
    if _has(r"\belif\b|\blambda\b|\bNone\b|\bTrue\b|\bFalse\b|\bnot\s+in\b|\bis\s+not\b", text):
        score += 2
    if _has(r"^[ \t]*print\s*\(.*\)[ \t]*$", text):  # a print call as a statement, no semicolon
        score += 3
    if _has(r"\bprint\s*\(|\brange\s*\(|\blen\s*\(|\bmap\s*\(\s*int\b|\.split\s*\(\s*\)|\bint\s*\(", text):
        score += 2
    if _has(r"^[ \t]*print\s+[^\s(=.]", text) or _has(r"\braw_input\s*\(", text):
        score += 3  # Python 2 is still Python
    if score and lines:
        colon = sum(line.rstrip().endswith(":") for line in lines)
        score += round(6 * colon / len(lines))
    return score


def _is_python2(text: str) -> bool:
    if _has(r"^[ \t]*print\s+[^\s(=.,;]", text) or _has(r"^[ \t]*print\s*>>", text):
        return True
    if _has(r"^[ \t]*except\s+[\w.]+\s*,\s*\w+\s*:", text):
        return True
    for name in ("raw_input", "xrange", "unichr"):
        if _has(rf"\b{name}\s*\(", text) and not _has(rf"^[ \t]*(def\s+{name}\b|{name}\s*=)", text):
            return True
    return False


def _is_plain_c(text: str) -> bool:
    return not any(_has(p, text) for p in _CPP_MARKERS) and any(_has(p, text) for p in _C_MARKERS)


def detect_language(code: str) -> str | None:
    """The language of `code` (see the module docstring), or None when it cannot tell."""
    if not isinstance(code, str) or not code.strip():
        return None
    if len(code) > 2 * _EDGE_CHARS:  # huge sources are mostly tables: their head and tail tell
        code = code[:_EDGE_CHARS] + "\n" + code[-_EDGE_CHARS:]
    text = strip_strings_and_comments(code.replace("\r\n", "\n"))
    for lang, markers in _OTHER_LANGUAGES:
        if any(_has(p, text) for p in markers):
            return lang
    lines = [line for line in text.split("\n") if line.strip()]
    c_score, py_score = _c_family_score(text, lines), _python_score(text, lines)
    if max(c_score, py_score) < _MIN_SCORE:
        return None
    if py_score > c_score:
        if _is_python2(text):
            return PYTHON2
        return PYPY3 if says_pypy(code) else PYTHON3
    return C if _is_plain_c(text) else CPP


_PYPY_SHEBANG = re.compile(r"\A#![^\n]*\bpypy3?\b")


def says_pypy(code: str) -> bool:
    """Whether a Python source asks for PyPy in its first line (`#!/usr/bin/env pypy3`)."""
    return isinstance(code, str) and _PYPY_SHEBANG.match(code.lstrip("\ufeff")) is not None


def run_python_under(problem: Problem, python: str | None) -> Problem:
    """`problem` with its Python solutions (gold and incorrect, CPython or PyPy) run by `python`
    (`python3` or `pypy3`, e.g. `--python pypy3`); None leaves each as its source says. Generators,
    checkers and validators are klearct's own programs and keep their language."""
    if python is None:
        return problem
    from klear_ct.sandbox.languages import python_runtime, runtimes_of

    python, runtimes = python_runtime(python), runtimes_of("python3")

    def swap(program: Program) -> Program:
        return program.model_copy(update={"lang": python}) if program.lang in runtimes else program

    return problem.model_copy(update={
        "gold": [swap(p) for p in problem.gold],
        "incorrect": [s.model_copy(update={"program": swap(s.program)}) for s in problem.incorrect]})


def supported(lang: str | None) -> bool:
    """Whether the sandbox runs programs in `lang`."""
    from klear_ct.sandbox.languages import LANGUAGES

    return lang in LANGUAGES
