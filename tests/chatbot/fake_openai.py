"""A local OpenAI-compatible chat server on 127.0.0.1 that fails on purpose, for fault tests.

``FakeOpenAIServer(mode)`` serves ``POST /v1/chat/completions`` (streamed as server-sent
events, or as one JSON reply) in one of these modes:

- ``ok``: the answer, a chunk per word, then ``finish_reason: stop`` and ``[DONE]``;
- ``error500``: HTTP 500 with an OpenAI-style error body;
- ``hang``: accepts the request and sends nothing for ``hang_s`` seconds (a timeout);
- ``malformed``: one good chunk, then a ``data:`` line that is not JSON;
- ``cut``: a few chunks, then the connection closes (no finish reason, no ``[DONE]``);
- ``slow``: the whole answer, but ``token_delay_s`` seconds between chunks.

``requests`` counts the calls, so a test can see the client's retries.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWER = "The remote model says metformin treats type 2 diabetes [1]."


def _chunk(content: str | None, finish: str | None = None) -> bytes:
    delta = {} if content is None else {"role": "assistant", "content": content}
    body = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0,
            "model": "fake-remote", "choices": [{"index": 0, "delta": delta,
                                                 "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    server: FakeOpenAIServer

    def log_message(self, *args) -> None:  # quiet
        pass

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", 0))
        request = json.loads(self.rfile.read(length) or b"{}")
        srv = self.server
        srv.requests += 1
        mode = srv.mode
        if mode == "error500":
            self._json(500, {"error": {"message": "internal error", "type": "server_error"}})
            return
        if mode == "hang":
            srv.stop_event.wait(srv.hang_s)
            return
        words = [w + " " for w in ANSWER.split(" ")]
        if not request.get("stream"):
            self._json(200, {"id": "chatcmpl-fake", "object": "chat.completion", "created": 0,
                             "model": "fake-remote", "choices": [{
                                 "index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": ANSWER}}],
                             "usage": {"prompt_tokens": 10, "completion_tokens": 12,
                                       "total_tokens": 22}})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        if mode == "malformed":
            self.wfile.write(_chunk(words[0]) + b"data: {this is not json\n\n")
            return
        if mode == "cut":
            for w in words[:4]:
                self.wfile.write(_chunk(w))
                self.wfile.flush()
            return  # the connection closes: no finish reason, no [DONE]
        for w in words:
            self.wfile.write(_chunk(w))
            self.wfile.flush()
            if mode == "slow" and srv.stop_event.wait(srv.token_delay_s):
                return
        self.wfile.write(_chunk(None, "stop") + b"data: [DONE]\n\n")


class FakeOpenAIServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mode: str = "ok", hang_s: float = 30.0, token_delay_s: float = 1.0):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode, self.hang_s, self.token_delay_s = mode, hang_s, token_delay_s
        self.requests = 0
        self.stop_event = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        self.shutdown()
        self.server_close()


if __name__ == "__main__":  # a manual check: python -m tests.chatbot.fake_openai MODE
    import sys

    with FakeOpenAIServer(sys.argv[1] if len(sys.argv) > 1 else "ok") as s:
        print(s.base_url)
        time.sleep(3600)
