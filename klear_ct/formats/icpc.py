"""ICPC / Kattis problem packages: reader. A package is a folder per problem:

    problem.yaml                      name; limits (time_limit, time_multiplier, memory); validation;
                                      validator_flags; type (2023-07 format)
    problem_statement/problem.<lang>.tex | .md  (or statement/)   -> statement (English first)
    data/sample/*.in + *.ans          -> public tests (kind "public")
    data/secret/**/*.in + *.ans       -> the original suite (kind "secret")
    submissions/accepted/*            -> gold solutions
    submissions/wrong_answer/*        -> incorrect, expected verdict WA
    submissions/time_limit_exceeded/* -> incorrect, expected verdict TLE
    submissions/run_time_error/*      -> incorrect, expected verdict RE
    output_validators/<name>/ (or output_validator/)  -> checker (see icpc_checker)
    .timelimit, or domjudge-problem.ini's timelimit, or problem.yaml limits.time_limit -> time limit
    generators/*.py | *.cpp           -> klearct generators (see below)

`read_packages(path)` takes one package folder or a folder of package folders; the problem
id is the folder name. Comparison follows the default output validator: tokens,
case-insensitive unless validator_flags has `case_sensitive`, numbers within
`float_tolerance` / `float_absolute_tolerance` / `float_relative_tolerance` when given
(klear_ct.judge.compare.icpc). With `validation: custom` the package's output validator becomes
the checker. Interactive (and multi-pass) problems are not read: a RowError says why.

Time limit: when none is given, the package's documented rule applies: the limit is
`time_multiplier` (problem.yaml limits, default 5 as in the legacy format; the 2023-07
`time_multipliers.ac_to_time_limit` is read too) times the slowest accepted solution's CPU
time on the package's tests, rounded up to a whole second. The reader cannot run anything,
so it sets Problem.time_multiplier and a measuring cap of DERIVE_CAP_S as time_limit_s, and
says so in a warning; `validate` and `evaluate` derive the limit (klear_ct.pipeline.timelimit).

Submissions in languages the sandbox does not run (Kotlin, Rust, ...) and multi-file
submissions are left out, counted in one warning per package. Generators: klearct reads
`generators/*.py` and `generators/*.cpp` as klearct generators (programs printing a Python
list literal of input strings, what `klearct validate` runs); a `generators/generators.yaml`
(the 2023-07 generator framework) is not klearct's and the folder is then ignored.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from klear_ct.formats.errors import FieldError, RowError, Unsupported, Warn
from klear_ct.formats.fields import parse_megabytes, parse_seconds
from klear_ct.formats.icpc_checker import wrap_validator
from klear_ct.formats.languages import detect_language, supported
from klear_ct.formats.rows import Where
from klear_ct.judge.compare import icpc_name
from klear_ct.model import IncorrectProgram, Problem, Program, TestCase
from klear_ct.sandbox.languages import language_for_suffix

NAME = "icpc"
DERIVE_CAP_S = 10.0
DEFAULT_TIME_MULTIPLIER = 5.0
DEFAULT_MEMORY_MB = 1024
EXPECTED_VERDICT = {"wrong_answer": "WA", "time_limit_exceeded": "TLE", "run_time_error": "RE"}
# submissions in languages the sandbox does not run, named so the skip warning can count them
# (runnable languages and their suffixes are the language table's: klear_ct.sandbox.languages)
NOT_RUNNABLE_BY_SUFFIX = {".kt": "kotlin", ".rs": "rust", ".go": "go", ".cs": "csharp",
                          ".js": "javascript", ".hs": "haskell", ".pas": "pascal"}
STATEMENT_NAMES = ("problem.en.tex", "problem.tex", "problem.en.md", "problem.md")
_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"[ \t]*$', re.MULTILINE)


# -- finding packages ---------------------------------------------------------------------------

def is_package(path: Path) -> bool:
    return path.is_dir() and ((path / "problem.yaml").is_file() or (path / "domjudge-problem.ini").is_file()
                              or (path / "data" / "secret").is_dir())


def detect(path: Path) -> bool:
    """A package folder, or a folder holding package folders."""
    path = Path(path)
    return is_package(path) or (path.is_dir() and any(is_package(child) for child in path.iterdir()))


def rows(path: Path) -> Iterator[tuple[Where, dict] | RowError]:
    """One 'row' per package folder: {"package": folder}."""
    path = Path(path)
    if is_package(path):
        yield Where(str(path), None, "package"), {"package": str(path)}
        return
    for child in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if is_package(child):
            yield Where(str(child), None, "package"), {"package": str(child)}
        else:
            yield Where(str(child), None, "package").error(
                "problem.yaml", "not a problem package: no problem.yaml, domjudge-problem.ini or data/secret/")


def parse_row(row: dict, where: Where, warn: Warn) -> Problem:
    return read_package(Path(row["package"]), where, warn)


# -- one package --------------------------------------------------------------------------------

def _yaml(folder: Path) -> dict:
    import yaml  # only ICPC packages need it

    path = folder / "problem.yaml"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(errors="replace"))
    except yaml.YAMLError as e:
        raise FieldError("problem.yaml", f"bad YAML: {str(e).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FieldError("problem.yaml", f"expected a mapping, got {type(data).__name__}")
    return data


def _number(value, field: str) -> float:
    try:
        number = float(str(value).strip().strip("'\""))
    except ValueError:
        raise FieldError(field, f"not a number: {value!r}") from None
    if not number > 0:
        raise FieldError(field, f"must be positive, got {value!r}")
    return number


def _ini(folder: Path) -> dict[str, str]:
    path = folder / "domjudge-problem.ini"
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text(errors="replace").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip().strip("'\"")
    return values


def _limits(config: dict) -> dict:
    limits = config.get("limits") or {}
    if not isinstance(limits, dict):
        raise FieldError("problem.yaml: limits", f"expected a mapping, got {type(limits).__name__}")
    return limits


def time_limit(folder: Path, config: dict) -> tuple[float, float | None]:
    """(time limit in seconds, None) when the package gives one, else (DERIVE_CAP_S, multiplier)."""
    if (folder / ".timelimit").is_file():
        return parse_seconds((folder / ".timelimit").read_text(), ".timelimit"), None
    ini = _ini(folder)
    if "timelimit" in ini:
        return parse_seconds(ini["timelimit"], "domjudge-problem.ini: timelimit"), None
    limits = _limits(config)
    if limits.get("time_limit") is not None:
        return parse_seconds(limits["time_limit"], "problem.yaml: limits.time_limit"), None
    multipliers = limits.get("time_multipliers") or {}
    multiplier = limits.get("time_multiplier") or (multipliers.get("ac_to_time_limit")
                                                    if isinstance(multipliers, dict) else None)
    field = "problem.yaml: limits.time_multiplier"
    return DERIVE_CAP_S, _number(multiplier, field) if multiplier is not None else DEFAULT_TIME_MULTIPLIER


def _flags(config: dict) -> list[str]:
    flags = config.get("validator_flags") or ""
    if isinstance(flags, list):
        return [str(f) for f in flags]
    if not isinstance(flags, str):
        raise FieldError("problem.yaml: validator_flags", f"expected a string, got {type(flags).__name__}")
    return flags.split()


def comparison(flags: list[str]) -> str:
    """The klear_ct.judge.compare name of the default output validator under `flags`."""
    tolerance: dict[str, float] = {}
    names = {"float_tolerance": ("abs", "rel"), "float_absolute_tolerance": ("abs",),
             "float_relative_tolerance": ("rel",)}
    k = 0
    while k < len(flags):
        flag = flags[k]
        if flag in names:
            if k + 1 >= len(flags):
                raise FieldError("problem.yaml: validator_flags", f"{flag} needs a value")
            value = _number(flags[k + 1], f"problem.yaml: validator_flags {flag}")
            for kind in names[flag]:
                tolerance[kind] = value
            k += 2
        else:
            k += 1
    return icpc_name(tolerance.get("abs"), tolerance.get("rel"), case_sensitive="case_sensitive" in flags)


def _interactive(config: dict) -> str | None:
    validation = str(config.get("validation") or "")
    kinds = config.get("type") or []
    kinds = kinds.split() if isinstance(kinds, str) else [str(k) for k in kinds]
    for word in ("interactive", "multi-pass"):
        if word in validation.split() or word in kinds:
            return word
    return None


def _language(path: Path, code: str) -> str:
    suffix = path.suffix.lower()
    known = language_for_suffix(suffix)
    lang = known.name if known else NOT_RUNNABLE_BY_SUFFIX.get(suffix, suffix.lstrip(".") or "unknown")
    if lang == "python3" and (detected := detect_language(code)) in ("python2", "pypy3"):
        return detected  # Python 2, or a `#!...pypy3` line asking for PyPy
    return lang


def _statement(folder: Path, warn: Warn, where: Where) -> str:
    for sub in ("problem_statement", "statement"):
        for name in STATEMENT_NAMES:
            if (folder / sub / name).is_file():
                return (folder / sub / name).read_text(errors="replace")
        others = sorted((folder / sub).glob("problem.*.tex")) + sorted((folder / sub).glob("problem.*.md"))
        if others:
            return others[0].read_text(errors="replace")
    warn(where.warning("problem_statement", "no problem statement found"))
    return ""


def _tests(folder: Path, problem_id: str, warn: Warn, where: Where) -> list[TestCase]:
    tests: list[TestCase] = []
    for group, kind in (("sample", "public"), ("secret", "secret")):
        base = folder / "data" / group
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.in")):
            answer = path.with_suffix(".ans")
            if not answer.is_file():
                warn(where.warning(str(path.relative_to(folder)), "no .ans beside it; left out"))
                continue
            tests.append(TestCase(problem_id=problem_id, input=path.read_text(errors="surrogateescape"),
                                  output=answer.read_text(errors="surrogateescape"), kind=kind))
    if not tests:
        raise FieldError("data", "no test data: no data/sample/*.in or data/secret/*.in with a .ans")
    return tests


def _submissions(folder: Path, problem_id: str, skipped: Counter
                 ) -> tuple[list[Program], list[IncorrectProgram]]:
    gold: list[Program] = []
    incorrect: list[IncorrectProgram] = []
    base = folder / "submissions"
    if not base.is_dir():
        return gold, incorrect
    for category in sorted(p for p in base.iterdir() if p.is_dir()):
        if category.name != "accepted" and category.name not in EXPECTED_VERDICT:
            skipped[f"category {category.name}"] += sum(1 for _ in category.iterdir())
            continue
        for path in sorted(category.iterdir()):
            if path.name.startswith("."):
                continue
            if path.is_dir():
                skipped["multi-file"] += 1
                continue
            code = path.read_text(errors="surrogateescape")
            lang = _language(path, code)
            if not supported(lang):
                skipped[lang] += 1
                continue
            program = Program(lang=lang, code=code)
            if category.name == "accepted":
                gold.append(program)
            else:
                incorrect.append(IncorrectProgram(id=f"{problem_id}/{category.name}/{path.name}", program=program,
                                                  expected_verdict=EXPECTED_VERDICT[category.name]))
    return gold, incorrect


def _inline_includes(source: str, folder: Path, seen: frozenset[str] = frozenset()) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        path = folder / name
        if name in seen or not path.is_file():
            return match.group(0)
        return _inline_includes(path.read_text(errors="replace"), folder, seen | {name})

    return _INCLUDE.sub(replace, source)


def output_validator(folder: Path, flags: list[str]) -> Program:
    for name in ("output_validators", "output_validator"):
        base = folder / name
        if base.is_dir():
            break
    else:
        raise FieldError("output_validators", "validation is custom but there is no output_validators/ folder")
    sources = sorted(p for p in base.rglob("*") if p.is_file() and p.suffix.lower() in (".py", ".cpp", ".cc", ".c"))
    preference = {".cpp": 0, ".cc": 0, ".c": 1, ".py": 2}
    if not sources:
        raise FieldError(name, "no validator source (.py, .cpp, .cc, .c) in it")
    path = min(sources, key=lambda p: (preference[p.suffix.lower()], len(p.parts), p.name))
    source = _inline_includes(path.read_text(errors="replace"), path.parent)
    return wrap_validator(source, _language(path, source), flags)


def _generators(folder: Path, warn: Warn, where: Where) -> list[Program]:
    base = folder / "generators"
    if not base.is_dir():
        return []
    if (base / "generators.yaml").is_file():
        warn(where.warning("generators", "generators.yaml (the ICPC generator framework) is not read by klearct"))
        return []
    paths = sorted(p for p in base.iterdir() if p.is_file() and p.suffix.lower() in (".py", ".cpp", ".cc"))
    codes = [(path, path.read_text(errors="surrogateescape")) for path in paths]
    return [Program(lang=_language(path, code), code=code) for path, code in codes]


def read_package(folder: Path, where: Where | None = None, warn: Warn | None = None) -> Problem:
    """The Problem of one package folder; FieldError names the file that is wrong."""
    where = where or Where(str(folder), None, "package")
    warn = warn or (lambda _: None)
    config = _yaml(folder)
    problem_id = folder.name
    if (kind := _interactive(config)) is not None:
        raise Unsupported("problem.yaml", f"{kind} problem: skipped (klearct runs stdin/stdout problems only)")
    limit, multiplier = time_limit(folder, config)
    if multiplier is not None:
        warn(where.warning("time limit", f"none given (.timelimit, domjudge-problem.ini, limits.time_limit): "
                                         f"derived as {multiplier:g} × the slowest accepted solution's CPU time, "
                                         "rounded up to a whole second"))
    memory = _limits(config).get("memory")
    memory_mb = parse_megabytes(memory, "problem.yaml: limits.memory") if memory is not None else DEFAULT_MEMORY_MB
    flags = _flags(config)
    custom = str(config.get("validation") or "default").split()[0] == "custom" or (
        not config.get("validation") and (folder / "output_validator").is_dir())
    checker = output_validator(folder, flags) if custom else None
    skipped: Counter = Counter()
    gold, incorrect = _submissions(folder, problem_id, skipped)
    if skipped:
        shown = ", ".join(f"{lang} × {n}" for lang, n in sorted(skipped.items()))
        warn(where.warning("submissions", f"{_plural(sum(skipped.values()), 'submission')} skipped, the sandbox does not run "
                                          f"them: {shown}"))
    if not gold:
        warn(where.warning("submissions/accepted", "no accepted submission the sandbox can run"))
    name = config.get("name")
    title = (name.get("en") or next(iter(name.values()), "")) if isinstance(name, dict) else str(name or problem_id)
    statement = _statement(folder, warn, where)
    return Problem(id=problem_id, statement=f"{title}\n\n{statement}".strip(), time_limit_s=limit,
                   memory_limit_mb=memory_mb, gold=gold, incorrect=incorrect,
                   public_tests=_tests(folder, problem_id, warn, where), checker=checker,
                   generators=_generators(folder, warn, where), source=NAME,
                   comparison=comparison(flags), time_multiplier=multiplier)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
