"""`klearct serve`: the reward and sandbox server (FastAPI + uvicorn).

Endpoints: `POST /score` (klearct's batch: samples -> score dicts), SandboxFusion's
`POST /run_code` and `GET /v1/ping`, OpenRLHF's `POST /get_reward`, `GET /metrics`
(Prometheus text). The HTTP layer holds no judging: it admits, caps and hands over to
`klear_ct.rl.scorer` / `klear_ct.rl.sandbox_fusion`.

Safe by default: binds 127.0.0.1; any other address needs `--api-key` (or, on purpose,
`--allow-unauthenticated`); keys are compared in constant time; bodies over the cap are
refused (413); per-request limits are capped to the server's; at most `max_concurrent`
requests work and `max_queue` wait, more are answered 503 and a wait past `queue_timeout_s`
504. SIGTERM stops accepting, lets running requests finish, then closes the sandbox.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict

from klear_ct.errors import UsageError
from klear_ct.rl import openrlhf, sandbox_fusion
from klear_ct.rl.scorer import counts, score_many
from klear_ct.sandbox import Limits, Sandbox

log = logging.getLogger(__name__)
MIB = 1 << 20


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    api_key: str | None = None
    allow_unauthenticated: bool = False
    max_body_bytes: int = 64 * MIB
    max_time_s: float = 10.0  # per run, whatever a request asks
    max_memory_mb: int = 2048
    default_memory_mb: int = 1024  # /run_code with memory_limit_MB -1
    max_concurrent: int = 8  # requests at work
    max_queue: int = 64  # requests waiting; more are answered 503
    queue_timeout_s: float = 120.0  # a longer wait is answered 504
    max_samples: int = 4096  # per /score or /get_reward request

    @property
    def caps(self) -> Limits:
        return Limits(time_s=self.max_time_s, memory_mb=self.max_memory_mb)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(settings: ServerSettings) -> None:
    """Refuse to listen beyond this machine without a key, unless told so explicitly."""
    if not is_loopback(settings.host) and not settings.api_key and not settings.allow_unauthenticated:
        raise UsageError(f"refusing to listen on {settings.host} without --api-key: anyone who reaches it could run "
                         "code here (pass --allow-unauthenticated to do so anyway)")


# -- requests and answers ----------------------------------------------------------------------

class Sample(BaseModel):
    model_config = ConfigDict(extra="ignore")

    completion: str | None = None
    ground_truth: Any = None
    extra_info: dict | None = None


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    samples: list[Sample]
    mode: Literal["binary", "fraction"] = "binary"


class ScoreResponse(BaseModel):
    results: list[dict]


class RewardRequest(BaseModel):
    """OpenRLHF's remote reward model request."""

    model_config = ConfigDict(extra="ignore")

    query: list[str]
    prompts: list[str] | None = None
    labels: list[Any]
    mode: Literal["binary", "fraction"] = "binary"


class RewardResponse(BaseModel):
    rewards: list[float]
    scores: list[float]
    extra_logs: dict[str, list[float]]


# -- admission: a bounded queue in front of a bounded pool of workers ---------------------------

class Admission:
    def __init__(self, settings: ServerSettings, metrics: Counter):
        self.settings, self.metrics = settings, metrics
        self.working = asyncio.Semaphore(settings.max_concurrent)
        self.waiting = self.working_now = 0
        self.executor = ThreadPoolExecutor(max_workers=settings.max_concurrent, thread_name_prefix="klearct-serve")

    async def run(self, fn, *args):
        """fn(*args) on a worker thread; 503 when the queue is full, 504 after waiting too long."""
        s = self.settings
        if self.waiting >= s.max_queue and self.working.locked():
            self.metrics["rejected_overload"] += 1
            raise HTTPException(503, "the server is at capacity; try again later")
        self.waiting += 1
        try:
            await asyncio.wait_for(self.working.acquire(), timeout=s.queue_timeout_s)
        except TimeoutError:
            self.metrics["rejected_timeout"] += 1
            raise HTTPException(504, f"waited {s.queue_timeout_s:g}s for a free worker") from None
        finally:
            self.waiting -= 1
        self.working_now += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)
        finally:
            self.working_now -= 1
            self.working.release()


# -- the app -------------------------------------------------------------------------------------

class BodyLimit:
    """ASGI middleware: a request body over `limit` bytes is answered 413 before anything reads it."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(scope, receive, send)
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
            if len(body) > self.limit:
                return await self._refuse(scope, receive, send, more)
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        return await self.app(scope, replay, send)

    async def _refuse(self, scope, receive, send, more: bool = True):
        # read (and drop) a bounded part of the rest first, so the client gets the answer, not a reset
        drained = 0
        while more and drained < 4 * self.limit + MIB:
            message = await receive()
            if message["type"] != "http.request":
                break
            drained += len(message.get("body", b""))
            more = message.get("more_body", False)
        response = JSONResponse({"detail": f"request body over {self.limit} bytes"}, status_code=413)
        await response(scope, receive, send)


def presented_key(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    # SandboxFusion clients send no headers: their URL may carry ?api_key=
    return request.headers.get("x-api-key") or request.query_params.get("api_key") or ""


def create_app(settings: ServerSettings, open_sandbox_fn) -> FastAPI:
    """The app; `open_sandbox_fn()` opens its sandbox at start-up, closed at shutdown."""
    metrics: Counter = Counter()
    state: dict = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        state["sandbox"] = open_sandbox_fn()
        state["admission"] = Admission(settings, metrics)
        log.info("klearct serve: sandbox %s with %d slots ready", state["sandbox"].kind, state["sandbox"].slots)
        try:
            yield
        finally:
            state["admission"].executor.shutdown(wait=True)
            state["sandbox"].close()
            log.info("klearct serve: sandbox closed")

    app = FastAPI(title="klearct reward server", lifespan=lifespan)

    def authorized(request: Request) -> None:
        if settings.api_key and not hmac.compare_digest(presented_key(request).encode(), settings.api_key.encode()):
            metrics["rejected_auth"] += 1
            raise HTTPException(401, "missing or wrong API key")

    def sandbox() -> Sandbox:
        return state["sandbox"]

    def check_size(n: int) -> None:
        if n > settings.max_samples:
            raise HTTPException(413, f"{n} samples in one request; at most {settings.max_samples}")

    @app.get("/v1/ping", response_class=PlainTextResponse)
    async def ping() -> str:
        return "pong"

    @app.post("/score", response_model=ScoreResponse, dependencies=[Depends(authorized)])
    async def score(body: ScoreRequest) -> ScoreResponse:
        check_size(len(body.samples))
        metrics["requests_score"] += 1
        samples = [(s.completion, s.ground_truth, s.extra_info) for s in body.samples]
        results = await state["admission"].run(lambda: score_many(samples, body.mode, sandbox(), settings.caps))
        metrics["samples_scored"] += len(samples)
        return ScoreResponse(results=results)

    @app.post("/get_reward", response_model=RewardResponse, dependencies=[Depends(authorized)])
    async def get_reward(body: RewardRequest) -> RewardResponse:
        check_size(len(body.query))
        metrics["requests_get_reward"] += 1
        if len(body.labels) != len(body.query) or (body.prompts is not None and len(body.prompts) != len(body.query)):
            raise HTTPException(422, "query, prompts and labels must have the same length")
        samples = openrlhf.samples_of(body.query, body.prompts, body.labels)
        results = await state["admission"].run(lambda: score_many(samples, body.mode, sandbox(), settings.caps))
        metrics["samples_scored"] += len(samples)
        return RewardResponse(**openrlhf.answer_of(results))

    @app.post("/run_code", response_model=sandbox_fusion.RunCodeResponse, dependencies=[Depends(authorized)])
    async def run_code(body: sandbox_fusion.RunCodeRequest) -> sandbox_fusion.RunCodeResponse:
        metrics["requests_run_code"] += 1
        answer = await state["admission"].run(sandbox_fusion.run_code, sandbox(), body, settings.default_memory_mb,
                                              settings.caps)
        metrics[f"run_code_{answer.status.value}"] += 1
        return answer

    @app.get("/metrics", response_class=PlainTextResponse, dependencies=[Depends(authorized)])
    async def prometheus() -> str:
        admission: Admission = state["admission"]
        lines = [f"klearct_{name}_total {value}" for name, value in sorted((metrics + Counter(counts())).items())]
        lines += [f"klearct_waiting {admission.waiting}", f"klearct_working {admission.working_now}",
                  f"klearct_uptime_seconds {time.monotonic() - started:.1f}"]
        return "\n".join(lines) + "\n"

    started = time.monotonic()
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app


def serve(settings: ServerSettings, open_sandbox_fn, log_level: str = "info") -> None:
    """Run the server until SIGTERM / SIGINT (uvicorn drains running requests, then the sandbox closes)."""
    import uvicorn

    check_bind(settings)
    app = create_app(settings, open_sandbox_fn)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=log_level, timeout_graceful_shutdown=600)
