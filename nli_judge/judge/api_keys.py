"""API keys and a per-key rate limit for the judge service (``nli_judge.judge.http_service``).

Keys come from the environment, read when the service starts:
- ``GC_JUDGE_API_KEYS``: comma-separated keys, for a quick setup (named ``env-1``, ``env-2``...);
- ``GC_JUDGE_API_KEYS_FILE``: a file of key *hashes* (JSON lines ``name``, ``sha256``,
  ``created``, ``revoked``) made by ``groundedchat-judge keys add NAME --file F``, which prints
  the key once; ``keys revoke NAME`` marks it revoked. The file is read again when it changes,
  so a revocation needs no restart.
With neither set the service is open (and ``serve`` binds 127.0.0.1 only).

A presented key is hashed (SHA-256: keys are 256-bit random, so a slow password hash adds
nothing) and compared with every stored hash in constant time. Keys are never logged.
"""

from __future__ import annotations

import hmac
import json
import math
import os
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from nli_judge.text import sha256_text

PREFIX = "gcj_"


def new_key() -> str:
    """A fresh random key (``gcj_`` and 43 URL-safe characters)."""
    return PREFIX + secrets.token_urlsafe(32)


@dataclass
class KeyEntry:
    name: str
    sha256: str
    created: str = ""
    revoked: bool = False


def read_key_file(path: Path) -> list[KeyEntry]:
    """The entries of a key file (ValueError naming the line for a malformed one)."""
    entries = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            entries.append(KeyEntry(str(row["name"]), str(row["sha256"]),
                                    str(row.get("created", "")), bool(row.get("revoked"))))
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"{path}, line {n}: not a key entry ({e})") from None
    return entries


def _write_key_file(path: Path, entries: list[KeyEntry]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # hashes: owner only
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(asdict(e)) + "\n" for e in entries)
    tmp.replace(path)


def add_key(path: Path, name: str) -> str:
    """Add a key named ``name`` to the key file (made if missing); returns the key, which is
    stored nowhere (ValueError when the name is taken or empty)."""
    name = name.strip()
    if not name or any(c.isspace() for c in name):
        raise ValueError("a key name is a word without spaces")
    entries = read_key_file(path) if Path(path).exists() else []
    if any(e.name == name for e in entries):
        raise ValueError(f"there is already a key named {name!r}")
    key = new_key()
    created = datetime.now(UTC).isoformat(timespec="seconds")
    entries.append(KeyEntry(name, sha256_text(key), created))
    _write_key_file(path, entries)
    return key


def revoke_key(path: Path, name: str) -> None:
    """Mark the key ``name`` revoked (KeyError when there is none)."""
    entries = read_key_file(path)
    found = [e for e in entries if e.name == name]
    if not found:
        raise KeyError(f"no key named {name!r} in {path}")
    for e in found:
        e.revoked = True
    _write_key_file(path, entries)


class KeyRing:
    """The keys the service accepts: plain ``keys`` (name -> key) and/or a key ``file``."""

    def __init__(self, keys: dict[str, str] | None = None, file: Path | None = None):
        self._plain = [KeyEntry(name, sha256_text(k)) for name, k in (keys or {}).items()]
        self.file = Path(file) if file else None
        self._stamp: int | None = None  # the file's mtime_ns when read
        self._from_file: list[KeyEntry] = []
        self._lock = threading.Lock()
        self._reload()

    @classmethod
    def from_env(cls, env=os.environ) -> KeyRing | None:
        """The keys ``GC_JUDGE_API_KEYS`` / ``GC_JUDGE_API_KEYS_FILE`` configure, None when
        neither is set (ValueError for a missing or malformed key file)."""
        plain = [k.strip() for k in env.get("GC_JUDGE_API_KEYS", "").split(",") if k.strip()]
        file = env.get("GC_JUDGE_API_KEYS_FILE") or None
        if not plain and not file:
            return None
        if file and not Path(file).is_file():
            raise ValueError(f"GC_JUDGE_API_KEYS_FILE: no file {file} (make it with "
                             "groundedchat-judge keys add NAME --file FILE)")
        return cls({f"env-{n}": k for n, k in enumerate(plain, 1)}, file)

    def _reload(self) -> None:
        if self.file is None:
            return
        stamp = self.file.stat().st_mtime_ns
        if stamp != self._stamp:
            self._from_file, self._stamp = read_key_file(self.file), stamp

    def check(self, presented: str | None) -> tuple[str, KeyEntry | None]:
        """``("ok", entry)``, ``("revoked", entry)`` or ``("unknown", None)``. Every stored
        hash is compared (constant time each), whichever matches."""
        with self._lock:
            try:
                self._reload()
            except (OSError, ValueError):
                pass  # a file being rewritten or removed: keep the keys read last
            entries = self._plain + self._from_file
        wanted = sha256_text(presented or "")
        found = None
        for e in entries:
            if hmac.compare_digest(wanted, e.sha256) and found is None:
                found = e
        if found is None:
            return "unknown", None
        return ("revoked" if found.revoked else "ok"), found


class RateLimit:
    """A token bucket per key: ``per_minute`` requests a minute, bursts up to that many."""

    def __init__(self, per_minute: float, clock=time.monotonic):
        if per_minute <= 0:
            raise ValueError("the rate limit is a positive number of requests a minute")
        self.rate, self.capacity, self.clock = per_minute / 60.0, float(per_minute), clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, name: str) -> float:
        """0 when ``name`` may make a request now (one is counted), else the seconds to
        wait for the next one."""
        with self._lock:
            now = self.clock()
            tokens, then = self._buckets.get(name, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            if tokens >= 1:
                self._buckets[name] = (tokens - 1, now)
                return 0.0
            self._buckets[name] = (tokens, now)
            return (1 - tokens) / self.rate


def retry_after(seconds: float) -> str:
    """The Retry-After header's whole seconds (at least 1)."""
    return str(max(1, math.ceil(seconds)))
