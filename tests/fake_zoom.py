"""A Zoom for the tests, written from Zoom's published API reference.

It runs on 127.0.0.1 on a free port in a thread and implements what the site calls:
Server-to-Server OAuth (`POST /oauth/token?grant_type=account_credentials&account_id=`, HTTP
Basic client id and secret, tokens that expire), meetings and webinars (create, get, patch,
delete) and their registrants (add, status cancel), each API call checked for a live Bearer
token (401 code 124 otherwise, as Zoom answers). `signed_headers()` signs a webhook as Zoom does,
for the tests to deliver events to the site.
"""

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ACCOUNT = "fake-account"
CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"  # noqa: S105 (a test value)
WEBHOOK_SECRET = "fake-webhook-secret-token"  # noqa: S105 (a test value)


def signed_headers(body: bytes, timestamp: int, secret: str = WEBHOOK_SECRET) -> dict:
    message = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return {"x-zm-signature": f"v0={digest}", "x-zm-request-timestamp": str(timestamp)}


@dataclass
class Meeting:
    id: int
    kind: str  # "meetings" or "webinars"
    fields: dict
    registrants: dict = field(default_factory=dict)  # registrant id -> {email, ..., status}


class FakeZoom:
    def __init__(self):
        self.account = f"{ACCOUNT}-{secrets.token_hex(4)}"
        self.tokens: dict[str, float] = {}  # token -> expiry (time.time())
        self.tokens_issued = 0
        self.token_lifetime = 3599
        self.meetings: dict[int, Meeting] = {}
        self.calls: list[tuple[str, str, dict | None]] = []  # accepted API calls
        self.down = False  # every call answers 503
        self.lock = threading.Lock()
        self._ids = itertools.count(81000000001)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: dict | None = None):
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                with fake.lock:
                    status, body = fake.handle(method, self.path, dict(self.headers), raw)
                self._answer(status, body)

            def do_GET(self):  # noqa: N802 (http.server's names)
                self._handle("GET")

            def do_POST(self):  # noqa: N802
                self._handle("POST")

            def do_PATCH(self):  # noqa: N802
                self._handle("PATCH")

            def do_PUT(self):  # noqa: N802
                self._handle("PUT")

            def do_DELETE(self):  # noqa: N802
                self._handle("DELETE")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def expire_tokens(self):
        """Every token issued so far stops working (as if revoked or lapsed)."""
        with self.lock:
            self.tokens.clear()

    # The API ----------------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict, raw: bytes):
        if self.down:
            return 503, {"code": 503, "message": "Service unavailable"}
        parts = urlsplit(path)
        if parts.path == "/oauth/token":
            return self._token(method, parse_qs(parts.query), headers)
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        expiry = self.tokens.get(auth.removeprefix("Bearer "))
        if not auth.startswith("Bearer ") or expiry is None or expiry < time.time():
            return 401, {"code": 124, "message": "Invalid access token."}
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            return 400, {"code": 300, "message": "Request Body should be a valid JSON object."}
        segments = parts.path.removeprefix("/v2/").split("/")
        answer = self._route(method, segments, payload)
        if answer[0] < 400:
            self.calls.append((method, parts.path.removeprefix("/v2"), payload))
        return answer

    def _token(self, method, query, headers):
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        if method != "POST" or auth != f"Basic {expected}":
            return 401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
        if query.get("grant_type") != ["account_credentials"]:
            return 400, {"reason": "unsupported grant type", "error": "unsupported_grant_type"}
        if query.get("account_id") != [self.account]:
            return 400, {"reason": "Invalid account_id", "error": "invalid_request"}
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.time() + self.token_lifetime
        self.tokens_issued += 1
        return 200, {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self.token_lifetime,
            "scope": "meeting:write:admin meeting:read:admin",
        }

    def _route(self, method, segments, payload):
        if segments[:2] == ["users", "me"] and len(segments) == 3 and method == "POST":
            return self._create(segments[2], payload or {})
        if len(segments) < 2 or segments[0] not in ("meetings", "webinars"):
            return 404, {"code": 404, "message": "No such API"}
        meeting = self.meetings.get(int(segments[1])) if segments[1].isdigit() else None
        if meeting is None or meeting.kind != segments[0]:
            return 404, {"code": 3001, "message": f"Meeting does not exist: {segments[1]}."}
        rest = segments[2:]
        if rest == [] and method == "GET":
            return 200, {**meeting.fields, "id": meeting.id, "start_url": self._start(meeting)}
        if rest == [] and method == "PATCH":
            meeting.fields.update(payload or {})
            return 204, None
        if rest == [] and method == "DELETE":
            del self.meetings[meeting.id]
            return 204, None
        if rest == ["registrants"] and method == "POST":
            return self._register(meeting, payload or {})
        if rest == ["registrants", "status"] and method == "PUT":
            if (payload or {}).get("action") not in ("approve", "cancel", "deny"):
                return 400, {"code": 300, "message": "Invalid action"}
            for person in payload.get("registrants", []):
                if person.get("id") in meeting.registrants:
                    meeting.registrants[person["id"]]["status"] = payload["action"]
            return 204, None
        return 404, {"code": 404, "message": "No such API"}

    def _create(self, kind, payload):
        if kind not in ("meetings", "webinars") or not payload.get("topic"):
            return 400, {"code": 300, "message": "Invalid meeting"}
        expected = 5 if kind == "webinars" else 2
        if payload.get("type") != expected:
            return 400, {"code": 300, "message": "Invalid type"}
        meeting_id = next(self._ids)
        meeting = Meeting(meeting_id, kind, dict(payload))
        self.meetings[meeting_id] = meeting
        return 201, {
            **payload,
            "id": meeting_id,
            "uuid": base64.b64encode(secrets.token_bytes(16)).decode(),
            "join_url": f"https://zoom.example/j/{meeting_id}?pwd=general",
            "start_url": self._start(meeting),
            "password": "p4ss",
        }

    def _start(self, meeting):
        return f"https://zoom.example/s/{meeting.id}?zak=host-{secrets.token_hex(6)}"

    def _register(self, meeting, payload):
        if (meeting.fields.get("settings") or {}).get("approval_type") not in (0, 1):
            return 400, {"code": 3043, "message": "Meeting registration is not enabled."}
        if not payload.get("email") or not payload.get("first_name"):
            return 400, {"code": 300, "message": "Validation Failed."}
        for registrant_id, person in meeting.registrants.items():
            if person["email"] == payload["email"]:
                person["status"] = "approved"
                return 201, self._registrant(meeting, registrant_id)
        registrant_id = secrets.token_urlsafe(12)
        meeting.registrants[registrant_id] = {**payload, "status": "approved"}
        return 201, self._registrant(meeting, registrant_id)

    def _registrant(self, meeting, registrant_id):
        return {
            "id": meeting.id,
            "registrant_id": registrant_id,
            "topic": meeting.fields.get("topic"),
            "join_url": f"https://zoom.example/w/{meeting.id}?tk=personal-{registrant_id}",
        }
