"""A real HTTP server on 127.0.0.1 speaking the chat-completions API, with scripted answers.

    with FakeOpenAI() as server:               # or the `fake_openai` fixture
        server.script([Reply("```python\nprint(1)\n```"), Reply(status=429, headers={"Retry-After": "0"})])
        server.route = lambda body: Reply(...) # or answer by request content
        OpenAI(base_url=server.url, ...)

Every request body is kept in `requests`; `usage_sent` sums the usage fields it answered with.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    content: str | list[str] | None = None  # one text per choice
    status: int = 200
    headers: dict = field(default_factory=dict)
    raw: bytes | None = None  # a body sent as is (malformed replies)
    delay_s: float = 0.0  # sleep before answering (a hang past the client's timeout)
    finish_reason: str = "stop"
    usage: tuple[int, int] | None = None  # (prompt, completion); default: derived from the sizes


def prompt_text(body: dict) -> str:
    return "\n".join(str(m.get("content", "")) for m in body.get("messages", []))


class FakeOpenAI:
    def __init__(self):
        self.requests: list[dict] = []
        self.usage_sent = {"prompt_tokens": 0, "completion_tokens": 0}
        self.route: Callable[[dict], Reply] | None = None
        self.in_flight = self.max_in_flight = 0
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()

    def script(self, replies: list[Reply]) -> None:
        """Answers in this order; after them, `route` (or a 500)."""
        with self._lock:
            self._script = list(replies)

    def next_reply(self, body: dict) -> Reply:
        with self._lock:
            self.requests.append(body)
            if self._script:
                return self._script.pop(0)
        if self.route is not None:
            return self.route(body)
        return Reply(status=500, raw=b'{"error": {"message": "nothing scripted"}}')

    def completion_body(self, body: dict, reply: Reply) -> bytes:
        contents = reply.content if isinstance(reply.content, list) else [reply.content or ""] * int(body.get("n", 1))
        prompt, completion = reply.usage or (len(prompt_text(body)) // 4 + 1, sum(len(c) for c in contents) // 4 + 1)
        with self._lock:
            self.usage_sent["prompt_tokens"] += prompt
            self.usage_sent["completion_tokens"] += completion
        return json.dumps({
            "id": f"chatcmpl-{len(self.requests)}", "object": "chat.completion", "created": 0,
            "model": body.get("model", "fake"),
            "choices": [{"index": k, "message": {"role": "assistant", "content": text},
                         "finish_reason": reply.finish_reason} for k, text in enumerate(contents)],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }).encode()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.endswith("/chat/completions"):
                    self.send_error(404)
                    return
                reply = fake.next_reply(body)
                with fake._lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    if reply.delay_s and fake._closing.wait(reply.delay_s):
                        return
                    self.answer(reply, body)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def answer(self, reply: Reply, body: dict) -> None:
                data = reply.raw if reply.raw is not None else (
                    fake.completion_body(body, reply) if reply.status == 200 else
                    json.dumps({"error": {"message": f"scripted {reply.status}", "type": "scripted"}}).encode())
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

        return Handler
