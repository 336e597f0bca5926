"""Getting a program out of an LLM answer: a fenced code block, or search/replace edits to the
program under repair. Anything else is an `ExtractionError` with a cause the loop records."""

from __future__ import annotations

import ast
import re

from klear_ct.errors import KlearctError
from klear_ct.model import Program
from klear_ct.sandbox.languages import language_for_fence

FENCE = re.compile(r"^```[ \t]*([^\n`]*)\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
OPEN_FENCE = re.compile(r"^```", re.MULTILINE)
EDIT = re.compile(r"^<{5,} ?SEARCH[^\n]*\n(.*?)^={5,}[ \t]*\n(.*?)^>{5,} ?REPLACE[^\n]*$", re.DOTALL | re.MULTILINE)


class ExtractionError(KlearctError, ValueError):
    def __init__(self, cause: str, message: str):
        super().__init__(message)
        self.cause = cause  # truncated | no_code_block | edit_not_applied


def guess_languages(code: str) -> tuple[str, ...]:
    """The languages `code` looks like, likeliest first; () when it cannot tell. A coarse look:
    `#include` is C or C++ (C++ first: C compiles as C++ in practice, a plain-C answer is rare)."""
    if re.search(r"^\s*#\s*include\b", code, re.MULTILINE):
        return ("cpp17", "c11")
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return ()
    return ("python3",) if re.search(r"^(import |from |def |print\(|for |while |class )", code, re.MULTILINE) else ()


def guess_language(code: str) -> str | None:
    guesses = guess_languages(code)
    return guesses[0] if guesses else None


def language_of_block(tag: str, code: str) -> str | None:
    """The tag when it names a language we run and the code does not contradict it; else a guess."""
    words = tag.split()  # the info string: a language tag, maybe followed by attributes
    known = language_for_fence(words[0]) if words else None
    guesses = guess_languages(code)
    if known and (not guesses or known.name in guesses or known.runs_sources_of in guesses):  # ```pypy3: PyPy
        return known.name
    return guesses[0] if guesses else None


def extract_program(text: str | None, finish_reason: str | None = "stop", prefer: str = "python3") -> Program:
    """The program in an answer. Several blocks: the longest runnable one in the preferred
    language, else the longest runnable one. A wrong tag is corrected from the code itself."""
    text = text or ""
    if finish_reason == "length":
        raise ExtractionError("truncated", "the answer was cut off at the token limit")
    blocks = [(language_of_block(tag, code), code) for tag, code in FENCE.findall(text)]
    if not blocks and OPEN_FENCE.search(text):
        raise ExtractionError("truncated", "a code block was opened and never closed")
    runnable = [(lang, code) for lang, code in blocks if lang and code.strip()]
    if not runnable and not blocks:
        lang = guess_language(text.strip())
        if lang:  # an answer that is nothing but code
            return Program(lang=lang, code=text.strip() + "\n")
        raise ExtractionError("no_code_block", "the answer holds no code block")
    if not runnable:
        raise ExtractionError("no_code_block", "no code block holds a program in a language the sandbox runs")
    preferred = [b for b in runnable if b[0] == prefer] or runnable
    lang, code = max(preferred, key=lambda b: len(b[1]))
    return Program(lang=lang, code=code)


def apply_edits(code: str, text: str) -> str | None:
    """Apply the answer's SEARCH/REPLACE blocks to `code`; None when the answer has none.
    A block whose SEARCH text is not found once in the code is an error."""
    edits = EDIT.findall(text or "")
    if not edits:
        return None
    for k, (search, replace) in enumerate(edits):
        count = code.count(search)
        if count != 1:
            where = "not found" if count == 0 else f"found {count} times"
            raise ExtractionError("edit_not_applied", f"edit {k + 1}: its SEARCH text is {where} in the program")
        code = code.replace(search, replace, 1)
    return code


def extract_revision(text: str | None, finish_reason: str | None, current: Program) -> Program:
    """A repair answer: edits to the current program, or a whole new program."""
    if finish_reason != "length":
        edited = apply_edits(current.code, text or "")
        if edited is not None:
            return Program(lang=current.lang, code=edited)
    return extract_program(text, finish_reason, prefer=current.lang)


def parse_decision(text: str | None) -> bool | None:
    """`NEEDS_CHECKER: yes|no` (or a bare yes / no); None when the answer says neither."""
    match = re.search(r"NEEDS_CHECKER\s*:\s*(yes|no)\b", text or "", re.IGNORECASE) \
        or re.match(r"\s*\**\s*(yes|no)\b", text or "", re.IGNORECASE)
    return None if match is None else match.group(1).lower() == "yes"
