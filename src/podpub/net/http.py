"""HTTP for every part of podpub that talks to the network (the only ``requests`` import).

Everything that comes back from the network is hostile until proven otherwise, so every
call here has a timeout per read, a deadline for the whole body (a server that never stops
sending is cut off), and a cap on the body's size counted *after* decompression (a gzip bomb
served with ``Content-Encoding`` stops at the cap, not at the machine's memory). Redirects
are followed and reported, because a moved feed or a tracking prefix is something the
producer should see. No call raises for a network failure: the reason is in the answer.
"""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass, field
from typing import Any

USER_AGENT = "podpub (+https://github.com/podpub/podpub)"
TIMEOUT_SECONDS = 10.0
DEADLINE_SECONDS = 60.0
MAX_BYTES = 20_000_000
CHUNK = 65536


@dataclass(frozen=True)
class Answer:
    """What a server answered, or why there is no answer (``error``)."""

    url: str  # the URL asked for
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes | None = None
    final_url: str | None = None  # after redirects
    redirects: tuple[str, ...] = ()  # each URL that answered with a redirect, in order
    redirect_statuses: tuple[int, ...] = ()  # their statuses: 301/308 mean "moved for good"
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and self.status < 400

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Client:
    """A session with podpub's defaults; one per run, closed with ``with``."""

    def __init__(
        self,
        *,
        timeout: float = TIMEOUT_SECONDS,
        deadline: float = DEADLINE_SECONDS,
        max_bytes: int = MAX_BYTES,
        user_agent: str = USER_AGENT,
    ) -> None:
        import requests

        self.timeout = timeout
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def get(
        self, url: str, *, headers: dict[str, str] | None = None, max_bytes: int | None = None
    ) -> Answer:
        """GET ``url`` and read its body, within the timeout, the deadline and the cap."""
        return self._request("GET", url, headers=headers, read_body=True, max_bytes=max_bytes)

    def head(self, url: str, *, headers: dict[str, str] | None = None) -> Answer:
        """HEAD ``url``: status and headers only."""
        return self._request("HEAD", url, headers=headers, read_body=False)

    def get_headers(self, url: str, *, headers: dict[str, str] | None = None) -> Answer:
        """GET ``url`` but read no body (e.g. a ``Range`` probe): status and headers only."""
        return self._request("GET", url, headers=headers, read_body=False)

    def post(
        self, url: str, *, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        """POST a form; the answer's body is read within the usual caps."""
        return self._request("POST", url, headers=headers, data=data, read_body=True)

    def stream_to(self, url: str, sink: Any, *, offset: int = 0, progress: Any = None) -> Answer:
        """GET ``url`` into the writable binary ``sink``, resuming at ``offset`` bytes.

        ``progress(n)`` is called with each chunk's size. The size cap does not apply (audio
        files are large); the timeout per read does.
        """
        headers = {"Range": f"bytes={offset}-"} if offset else None
        return self._request("GET", url, headers=headers, sink=sink, progress=progress)

    def _request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
        read_body: bool = False,
        max_bytes: int | None = None,
        sink: Any = None,
        progress: Any = None,
    ) -> Answer:
        import requests

        if not url.startswith(("http://", "https://")):
            return Answer(url, error="not an http(s) URL")
        try:
            with self.session.request(
                method,
                url,
                headers=headers,
                data=data,
                timeout=self.timeout,
                stream=True,
                allow_redirects=True,
            ) as response:
                answer = Answer(
                    url,
                    status=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    final_url=response.url,
                    redirects=tuple(r.url for r in response.history),
                    redirect_statuses=tuple(r.status_code for r in response.history),
                )
                if sink is not None:
                    return self._stream(response, answer, sink, progress)
                if not read_body:
                    return answer
                return self._read(response, answer, max_bytes or self.max_bytes)
        except requests.RequestException as exc:
            return Answer(url, error=reason(exc))

    def _read(self, response: Any, answer: Answer, limit: int) -> Answer:
        started = time.monotonic()
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(CHUNK):
            size += len(chunk)
            if size > limit:
                return _with(answer, error=f"larger than {limit:,} bytes")
            if time.monotonic() - started > self.deadline:
                return _with(answer, error=f"still sending after {self.deadline:.0f} s")
            chunks.append(chunk)
        return _with(answer, body=b"".join(chunks))

    def _stream(self, response: Any, answer: Answer, sink: Any, progress: Any) -> Answer:
        if answer.status is not None and answer.status >= 400:
            return answer
        for chunk in response.iter_content(CHUNK):
            sink.write(chunk)
            if progress is not None:
                progress(len(chunk))
        return answer


def _with(answer: Answer, **changes: Any) -> Answer:
    import dataclasses

    return dataclasses.replace(answer, **changes)


def reason(exc: Exception) -> str:
    """A failure in words a producer understands."""
    import requests

    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if isinstance(exc, requests.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, requests.exceptions.SSLError):
        # A subclass of ConnectionError, but the host did answer: name the certificate.
        return "the host's TLS certificate is not trusted or the TLS handshake failed" + (
            f" ({detail})" if (detail := _tls_detail(exc)) else ""
        )
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect"
    return type(exc).__name__


def _tls_detail(exc: BaseException) -> str:
    """The ssl module's own words under requests' and urllib3's wrappers, if any."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError) and current.verify_message:
            return f"certificate verify failed: {current.verify_message}"
        if isinstance(current, ssl.SSLError) and current.reason:
            return str(current.reason).replace("_", " ").lower()
        pending += [*current.args, getattr(current, "reason", None), current.__cause__]
        pending.append(current.__context__)
    return ""
