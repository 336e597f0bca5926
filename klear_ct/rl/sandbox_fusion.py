"""SandboxFusion's `/run_code` API on klearct's sandbox, for clients written against it
(verl's `sandbox_fusion_url`, for one).

Request: code, language, stdin, run_timeout (seconds), memory_limit_MB (-1: the server's
default), files (name -> base64 content); compile_timeout and fetch_files are accepted
(klearct compiles under its own compile limits and returns no files). Unknown fields are
ignored. The response follows SandboxFusion: `status` Success | Failed | SandboxError,
`compile_result` / `run_result` each {status Finished | Error | TimeLimitExceeded,
execution_time, return_code, stdout, stderr}; a program that fails but ran is `Finished`
with a non-zero return code and the whole answer `Failed`.
"""

from __future__ import annotations

import base64
import binascii
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from klear_ct.model import Program, RunResult, Verdict
from klear_ct.sandbox import Limits, Sandbox
from klear_ct.sandbox.languages import UnknownLanguage, get_language

# SandboxFusion's names for the languages klearct runs


class CommandRunStatus(StrEnum):
    Finished = "Finished"
    Error = "Error"
    TimeLimitExceeded = "TimeLimitExceeded"


class RunStatus(StrEnum):
    Success = "Success"
    Failed = "Failed"
    SandboxError = "SandboxError"


class CommandRunResult(BaseModel):
    status: CommandRunStatus
    execution_time: float | None = None
    return_code: int | None = None
    stdout: str | None = None
    stderr: str | None = None


class RunCodeRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: str
    language: str = "python"
    stdin: str | None = None
    # null is read as the default (verl sends memory_limit_MB: null when none is configured)
    compile_timeout: float | None = 10
    run_timeout: float | None = 10
    memory_limit_MB: int | None = -1  # noqa: N815 - SandboxFusion's field name
    files: dict[str, str | None] | None = {}
    fetch_files: list[str] | None = []


class RunCodeResponse(BaseModel):
    status: RunStatus
    message: str = ""
    compile_result: CommandRunResult | None = None
    run_result: CommandRunResult | None = None
    executor_pod_name: str | None = None
    files: dict[str, str] = {}


def command_status(verdict: Verdict) -> CommandRunStatus:
    """How SandboxFusion names the way a command ended: the one map from klearct's verdicts."""
    if verdict == Verdict.TLE:
        return CommandRunStatus.TimeLimitExceeded
    if verdict == Verdict.SE:
        return CommandRunStatus.Error
    return CommandRunStatus.Finished  # it ran: OK, or failed with a return code (RE, MLE, OLE, CE)


def return_code(run: RunResult) -> int | None:
    if run.verdict == Verdict.OK:
        return 0
    if run.verdict in (Verdict.TLE, Verdict.SE):
        return run.exit_code
    if run.exit_code:
        return run.exit_code
    return -run.signal if run.signal else 1  # a failed run never reads as success


def command_result(run: RunResult, stderr: str | None = None) -> CommandRunResult:
    return CommandRunResult(status=command_status(run.verdict), execution_time=run.wall_ms / 1000,
                            return_code=return_code(run), stdout=run.stdout,
                            stderr=stderr if stderr is not None else run.stderr_tail)


def overall_status(*results: CommandRunResult | None) -> RunStatus:
    done = [r for r in results if r is not None]
    if any(r.status == CommandRunStatus.Error for r in done):
        return RunStatus.SandboxError
    if any(r.status == CommandRunStatus.TimeLimitExceeded or r.return_code for r in done):
        return RunStatus.Failed
    return RunStatus.Success


def request_files(files: dict[str, str | None]) -> dict[str, str]:
    """base64 contents as the text the sandbox writes back byte for byte (surrogateescape)."""
    decoded = {}
    for name, content in files.items():
        try:
            data = base64.b64decode(content or "", validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"file {name!r} is not base64") from None
        decoded[name] = data.decode("utf-8", errors="surrogateescape")
    return decoded


def run_code(sandbox: Sandbox, request: RunCodeRequest, default_memory_mb: int, cap: Limits) -> RunCodeResponse:
    """Run one program on one stdin; limits are capped to `cap`."""
    try:
        lang = get_language(request.language)  # SandboxFusion's python / cpp / c are aliases in the table
        files = request_files(request.files or {})
    except (UnknownLanguage, ValueError) as e:
        return RunCodeResponse(status=RunStatus.SandboxError, message=str(e))
    memory = request.memory_limit_MB if request.memory_limit_MB and request.memory_limit_MB > 0 else default_memory_mb
    run_timeout = request.run_timeout if request.run_timeout and request.run_timeout > 0 else 10.0
    limits = Limits(time_s=max(0.1, min(float(run_timeout), cap.time_s)), memory_mb=min(memory, cap.memory_mb))
    try:
        run = sandbox.run(Program(lang=lang.name, code=request.code), [request.stdin or ""], limits,
                          files=[files] if files else None)[0]
    except Exception as e:  # noqa: BLE001 - the sandbox failed, not the program
        return RunCodeResponse(status=RunStatus.SandboxError, message=f"sandbox failure: {e}")
    compile_result = None
    if run.verdict == Verdict.CE:
        compile_result = command_result(run, stderr=run.stderr_tail or run.message)
        return RunCodeResponse(status=overall_status(compile_result), compile_result=compile_result,
                               message=run.message)
    if lang.artifact:
        compile_result = CommandRunResult(status=CommandRunStatus.Finished, return_code=0, stdout="", stderr="")
    run_result = command_result(run)
    status = overall_status(compile_result, run_result)
    return RunCodeResponse(status=status, compile_result=compile_result, run_result=run_result,
                           message=run.message if status == RunStatus.SandboxError else "")
