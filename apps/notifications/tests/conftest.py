"""A real SMTP server (aiosmtpd) and a real HTTP endpoint on 127.0.0.1 for the outbox tests.

Nothing in these tests leaves the machine: e-mail goes to the local SMTP server only (the
address in the envelope is just a string it records), robot calls to the local HTTP server.
"""

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller


@pytest.fixture(autouse=True)
def _huey_runs_tasks_at_once():
    # The Huey instance is built when huey.contrib.djhuey is imported, so the root conftest's
    # settings.HUEY["immediate"] does not reach it; switch the live instance instead.
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


@pytest.fixture(autouse=True)
def _no_proxy_for_localhost(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        import email
        from email import policy

        return [
            email.message_from_bytes(e.original_content or e.content, policy=policy.default) for e in self.envelopes
        ]


@pytest.fixture
def smtp_server(settings):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "service@example.cn"
    yield mailbox
    controller.stop()


@dataclass
class Received:
    path: str
    query: dict
    headers: dict
    raw: bytes

    @property
    def json(self):
        return json.loads(self.raw.decode("utf-8"))


@dataclass
class HttpEndpoint:
    """Records every POST; answers from `responses` (status, JSON or bytes) in turn, then `default`."""

    base_url: str = ""
    requests: list = field(default_factory=list)
    responses: deque = field(default_factory=deque)
    default: tuple = (200, {"errcode": 0, "errmsg": "ok"})
    delay: float = 0.0

    def url(self, path: str = "/robot/send?access_token=test-token") -> str:
        return self.base_url + path

    def answer_next(self, *answers):
        self.responses.extend(answers)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        endpoint = self.server.endpoint
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        endpoint.requests.append(
            Received(path=parts.path, query=parse_qs(parts.query), headers=dict(self.headers), raw=raw)
        )
        if endpoint.delay:
            time.sleep(endpoint.delay)
        status, body = endpoint.responses.popleft() if endpoint.responses else endpoint.default
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    endpoint = HttpEndpoint(base_url=f"http://127.0.0.1:{server.server_address[1]}")
    server.endpoint = endpoint
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield endpoint
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
