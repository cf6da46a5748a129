"""The judge as an HTTP service (FastAPI): one model in memory, JSON in, the judge's JSON out.

    groundedchat-judge serve [--host 127.0.0.1] [--port 8000] [--workers 1]

``POST /v1/judge`` ``{answer, passages, question?}`` -> the result (``result_schema.json``);
``POST /v1/judge/batch`` ``{items: [...]}`` -> ``{results: [...]}``; ``GET /health``;
``GET /openapi.json`` and ``/docs``. Bodies over ``max_body_bytes`` are refused with 413
before they are read whole; malformed ones get 422 with the reason.
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from nli_judge.judge.faithfulness import FaithfulnessJudge, InputTooLarge
from nli_judge.judge.results import SCHEMA_VERSION

MAX_BODY_BYTES = 1_000_000
MAX_BATCH = 64


class JudgeRequest(BaseModel):
    answer: str = Field(description="the answer to check")
    passages: list[str] = Field(description="the evidence passages the answer should rest on")
    question: str | None = Field(None, description="the question (turns short answers into "
                                 "claims)")


class BatchRequest(BaseModel):
    items: list[JudgeRequest] = Field(min_length=1, max_length=MAX_BATCH)


class BodyLimit:
    """ASGI middleware: 413 for a body over ``max_bytes``, by its Content-Length or, for a
    chunked body, as soon as the bytes read pass the limit (nothing larger is buffered)."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def _reject(self, send) -> None:
        body = f'{{"detail": "request body over {self.max_bytes} bytes"}}'.encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return await self._reject(send)
        read, rejected = 0, False

        async def limited_receive():
            nonlocal read, rejected
            message = await receive()
            if message["type"] == "http.request" and not rejected:
                read += len(message.get("body", b""))
                if read > self.max_bytes:  # answer now; the app sees the client leave
                    rejected = True
                    await self._reject(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if not rejected:  # after a 413 nothing the app sends goes out
                await send(message)

        await self.app(scope, limited_receive, guarded_send)


def create_app(judge: FaithfulnessJudge | None = None,
               max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """The service around ``judge`` (default: the shipped judge, loaded once, now)."""
    judge = judge or FaithfulnessJudge.load()
    app = FastAPI(title="GroundedChat faithfulness judge", version=SCHEMA_VERSION,
                  description=__doc__)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)

    @app.exception_handler(InputTooLarge)
    def too_large(request, exc: InputTooLarge) -> JSONResponse:
        return JSONResponse(status_code=413, content={"detail": str(exc)})

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "schema_version": SCHEMA_VERSION,
                "judge_version": judge.version}

    @app.post("/v1/judge")
    def judge_one(req: JudgeRequest) -> dict:
        return judge.score(req.answer, req.passages, req.question).to_dict()

    @app.post("/v1/judge/batch")
    def judge_batch(req: BatchRequest) -> dict:
        results = judge.score_batch([i.model_dump() for i in req.items])
        return {"results": [r.to_dict() for r in results]}

    return app


def app_from_env() -> FastAPI:
    """The app for ``uvicorn --factory`` (one per worker): the model folder in
    ``$GC_JUDGE_MODEL`` (default: the shipped one), the backend in ``$GC_JUDGE_BACKEND``, a
    deployment's calibration in ``$GC_JUDGE_CALIBRATION`` (``groundedchat-judge calibrate``)."""
    from nli_judge.model.nli_model import NLIModel

    nli = NLIModel.load(os.environ.get("GC_JUDGE_MODEL") or None,
                        backend=os.environ.get("GC_JUDGE_BACKEND", "torch"))
    return create_app(FaithfulnessJudge.load(
        nli, calibration=os.environ.get("GC_JUDGE_CALIBRATION") or None))


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Run the service with uvicorn (each worker loads its own model)."""
    import uvicorn

    uvicorn.run("nli_judge.judge.service:app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level="warning")
