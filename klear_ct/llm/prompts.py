"""Prompt templates: text files under `prompts/`, one per purpose, with `{{name}}` placeholders.

Only the template is scanned for placeholders, so statements and code (full of braces and `$`)
are inserted verbatim. A placeholder without a value is an error, not an empty hole.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from klear_ct.errors import UsageError
from klear_ct.model import Problem, Program
from klear_ct.sandbox.languages import LANGUAGES

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "prompts"
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
KINDS = ("regular", "corner", "hack", "validator", "repair_generator", "repair_inputs", "kill_incorrect",
         "checker_need", "checker_write", "checker_repair")


class PromptError(UsageError, KeyError):
    pass


class Prompts:
    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder or DEFAULT_DIR)
        self._texts: dict[str, str] = {}  # read once: every request renders two, and a run keeps what it hashed

    def template(self, name: str) -> str:
        if name not in self._texts:
            path = self.folder / f"{name}.txt"
            try:
                self._texts[name] = path.read_text()
            except OSError as e:
                raise PromptError(f"prompt template {path}: {e.strerror}") from None
        return self._texts[name]

    def render(self, kind: str, **values: object) -> list[dict]:
        """System and user messages for one request."""
        return [{"role": "system", "content": fill(self.template("system"), values)},
                {"role": "user", "content": fill(self.template(kind), values)}]

    def check(self) -> None:
        """Every template the loop uses is there (a missing one would fail every problem)."""
        for name in ("system", *KINDS):
            self.template(name)

    def hashes(self) -> dict[str, str]:
        """Content hash per template, for the run manifest."""
        return {path.stem: hashlib.sha256(path.read_bytes()).hexdigest()[:16]
                for path in sorted(self.folder.glob("*.txt"))}


def fill(template: str, values: dict) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise PromptError(f"the prompt needs {{{{{name}}}}} and no value was given")
        return str(values[name])

    return PLACEHOLDER.sub(value, template)


def fence_tag(lang: str) -> str:
    """The tag on a code block in `lang` (the language table's first fence); none for a language it lacks."""
    return LANGUAGES[lang].fence if lang in LANGUAGES else ""


def display_name(lang: str) -> str:
    """How prompts name `lang`: the language table's display name, else the name itself."""
    return LANGUAGES[lang].display_name if lang in LANGUAGES else lang


def code_block(program: Program) -> str:
    return f"```{fence_tag(program.lang)}\n{program.code.rstrip()}\n```"


STDIN_GENERATOR_OUTPUT = (
    "It reads nothing and prints, on standard output, ONE Python list literal of strings: each string is one "
    "complete test input, exactly as a solution would read it from stdin (use `print(repr(tests))` in Python). "
    "Nothing else may be printed.")
FUNCTION_GENERATOR_OUTPUT = (
    "It reads nothing and prints, on standard output, ONE JSON list of calls of `{fn_name}`: each call is the "
    "list of its arguments, as the examples' inputs show (`[[[1, 2, 3], 4], [[], 0]]` is two calls of a "
    "function of two arguments; use `print(json.dumps(calls))` in Python). Nothing else may be printed.")


def problem_values(problem: Problem, lang: str) -> dict[str, str]:
    """What every prompt about a problem shows: statement, limits, one gold solution, examples, and
    what a generator prints (test inputs, or a function problem's argument lists)."""
    gold = problem.gold[0] if problem.gold else None
    examples = "\n".join(f"Input:\n```\n{t.input.rstrip()}\n```\n" + (f"Output:\n```\n{t.output.rstrip()}\n```\n"
                                                                      if t.output else "")
                         for t in problem.public_tests[:3]) or "(none given)"
    return {"statement": problem.statement.strip() or "(no statement)", "time_limit": f"{problem.time_limit_s:g}",
            "memory_limit": str(problem.memory_limit_mb), "gold": code_block(gold) if gold else "(none)",
            "examples": examples, "lang": display_name(lang), "fence": fence_tag(lang),
            "generator_output": FUNCTION_GENERATOR_OUTPUT.format(fn_name=problem.fn_name)
            if problem.io_mode == "function" else STDIN_GENERATOR_OUTPUT}
