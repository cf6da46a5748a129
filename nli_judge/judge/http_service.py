"""The judge as an HTTP service (FastAPI): one model in memory, JSON in, the judge's JSON out.

    groundedchat-judge serve [--host 127.0.0.1] [--port 8000] [--workers 1]

``POST /v1/judge`` ``{answer, passages, question?}`` -> the result (``result_schema.json``);
``POST /v1/judge/batch`` ``{items: [...]}`` -> ``{results: [...]}``; ``GET /health``;
``GET /openapi.json`` and ``/docs``. Bodies over ``max_body_bytes`` are refused with 413
before they are read whole; malformed ones get 422 with the reason.

With API keys configured (``nli_judge.judge.api_keys``: ``GC_JUDGE_API_KEYS`` or
``GC_JUDGE_API_KEYS_FILE``) every endpoint but ``/health`` needs ``Authorization: Bearer
<key>``: 401 without one or with an unknown key, 403 for a revoked key, 429 with Retry-After
past the key's rate limit (``GC_JUDGE_RATE_LIMIT`` requests a minute, default 120; counted
per worker process). Without keys the service is open, and ``serve`` refuses to listen
beyond this machine.
"""

from __future__ import annotations

import ipaddress
import os

from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from nli_judge.judge.api_keys import KeyRing, RateLimit, retry_after
from nli_judge.judge.faithfulness import FaithfulnessJudge, InputTooLarge
from nli_judge.judge.results import SCHEMA_VERSION

MAX_BODY_BYTES = 1_000_000
MAX_BATCH = 64
RATE_PER_MINUTE = 120.0


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


def key_check(keys: KeyRing | None, limit: RateLimit | None):
    """The dependency that lets a request through: always without ``keys``; else only with
    a known, unrevoked key within its rate limit (401 / 403 / 429 otherwise)."""
    bearer = HTTPBearer(auto_error=False, description="an API key made by `groundedchat-judge "
                        "keys add NAME --file FILE` (or one of GC_JUDGE_API_KEYS)")

    # FastAPI's usual form: the annotation is a string here (from __future__), so a local
    # `bearer` inside Annotated could not be resolved.
    def check(creds: HTTPAuthorizationCredentials | None = Security(bearer)  # noqa: B008
              ) -> str | None:
        if keys is None:
            return None
        challenge = {"WWW-Authenticate": "Bearer"}
        if creds is None:
            raise HTTPException(401, "an API key is needed: send the header "
                                "'Authorization: Bearer <key>'", headers=challenge)
        status, entry = keys.check(creds.credentials)
        if entry is None:
            raise HTTPException(401, "unknown API key", headers=challenge)
        if status == "revoked":
            raise HTTPException(403, f"the API key {entry.name!r} is revoked")
        wait = limit.take(entry.name) if limit else 0.0
        if wait:
            raise HTTPException(429, f"rate limit of key {entry.name!r} reached: "
                                f"{limit.rate * 60:g} requests a minute",
                                headers={"Retry-After": retry_after(wait)})
        return entry.name

    return check


def create_app(judge: FaithfulnessJudge | None = None,
               max_body_bytes: int = MAX_BODY_BYTES, keys: KeyRing | None = None,
               rate_per_minute: float = RATE_PER_MINUTE) -> FastAPI:
    """The service around ``judge`` (default: the shipped judge, loaded once, now); with
    ``keys``, every endpoint but ``/health`` needs one of them (see the module doc)."""
    judge = judge or FaithfulnessJudge.load()
    app = FastAPI(title="GroundedChat faithfulness judge", version=SCHEMA_VERSION,
                  description=__doc__, openapi_url=None, docs_url=None, redoc_url=None)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    authorised = [Depends(key_check(keys, RateLimit(rate_per_minute) if keys else None))]

    @app.exception_handler(InputTooLarge)
    def too_large(request, exc: InputTooLarge) -> JSONResponse:
        return JSONResponse(status_code=413, content={"detail": str(exc)})

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "schema_version": SCHEMA_VERSION,
                "judge_version": judge.version}

    @app.post("/v1/judge", dependencies=authorised)
    def judge_one(req: JudgeRequest) -> dict:
        return judge.score(req.answer, req.passages, req.question).to_dict()

    @app.post("/v1/judge/batch", dependencies=authorised)
    def judge_batch(req: BatchRequest) -> dict:
        results = judge.score_batch([i.model_dump() for i in req.items])
        return {"results": [r.to_dict() for r in results]}

    @app.get("/openapi.json", include_in_schema=False, dependencies=authorised)
    def openapi() -> dict:
        return app.openapi()

    @app.get("/docs", include_in_schema=False, dependencies=authorised)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=app.title)

    return app


def app_from_env() -> FastAPI:
    """The app for ``uvicorn --factory`` (one per worker): the model folder in
    ``$GC_JUDGE_MODEL`` (default: the shipped one), the backend in ``$GC_JUDGE_BACKEND``, a
    deployment's calibration in ``$GC_JUDGE_CALIBRATION`` (``groundedchat-judge calibrate``)."""
    from nli_judge.model.nli_model import NLIModel

    nli = NLIModel.load(os.environ.get("GC_JUDGE_MODEL") or None,
                        backend=os.environ.get("GC_JUDGE_BACKEND", "torch"))
    return create_app(FaithfulnessJudge.load(
        nli, calibration=os.environ.get("GC_JUDGE_CALIBRATION") or None),
        keys=KeyRing.from_env(),
        rate_per_minute=float(os.environ.get("GC_JUDGE_RATE_LIMIT") or RATE_PER_MINUTE))


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          allow_open: bool = False) -> None:
    """Run the service with uvicorn (each worker loads its own model). Listening beyond
    this machine without API keys is refused unless ``allow_open`` (ValueError)."""
    import uvicorn

    keys = KeyRing.from_env()  # a bad key file fails here, before any worker starts
    if keys is None and not is_loopback(host) and not allow_open:
        raise ValueError(f"refusing to serve on {host} without API keys: anyone who reaches "
                         "the port could use it. Set GC_JUDGE_API_KEYS_FILE (groundedchat-"
                         "judge keys add NAME --file FILE) or GC_JUDGE_API_KEYS, or pass "
                         "--no-auth to serve openly on purpose")

    uvicorn.run("nli_judge.judge.http_service:app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level="warning")
