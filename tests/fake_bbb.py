"""A BigBlueButton server for the tests, written from BigBlueButton's API documentation.

It runs on 127.0.0.1 on a free port in a thread, checks every call's checksum (SHA-1 or SHA-256
of callName + queryString + secret) and refuses a bad one as BigBlueButton does (checksumError),
keeps meetings, answers XML, and records the callbacks a real server would make (end of meeting,
learning analytics, recording ready) for the test to deliver to the site.
"""

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.sax.saxutils import escape

import jwt

# 64 bytes: PyJWT warns about shorter HS512 keys (the suite turns warnings into errors).
SECRET = "fake-bbb-shared-secret-0123456789abcdef-0123456789abcdef-0123456"


@dataclass
class Meeting:
    meeting_id: str
    params: dict
    attendees: list = field(default_factory=list)  # dicts: userID, fullName, role, joined
    created: float = field(default_factory=time.time)


@dataclass
class Callback:
    url: str
    method: str
    body: bytes = b""
    headers: dict = field(default_factory=dict)


def _xml(**items) -> bytes:
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in items.items())
    return f"<response>{inner}</response>".encode()


class FakeBigBlueButton:
    def __init__(self, secret: str = SECRET):
        self.secret = secret
        self.meetings: dict[str, Meeting] = {}
        self.recordings: list[dict] = []
        self.calls: list[tuple[str, dict]] = []  # (call, params) of the accepted calls
        self.refused: list[str] = []  # calls refused for their checksum
        self.callbacks: list[Callback] = []  # what a real server would now call on the site
        self.delay = 0.0  # seconds before answering: a slow server
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                fake._handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/bigbluebutton/api/"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # --- the API ---

    def checksum_ok(self, call: str, query: str, given: str) -> bool:
        for algorithm in ("sha1", "sha256"):
            expected = hashlib.new(algorithm, f"{call}{query}{self.secret}".encode()).hexdigest()
            if hmac.compare_digest(expected, given):
                return True
        return False

    def _handle(self, request):
        if self.delay:
            time.sleep(self.delay)
        parts = urlsplit(request.path)
        call = parts.path.rsplit("/", 1)[-1]
        query, _, given = parts.query.rpartition("&checksum=")
        if not given:
            query, given = parts.query, ""
        if not self.checksum_ok(call, query, given):
            self.refused.append(call)
            return self._send(
                request,
                _xml(
                    returncode="FAILED",
                    messageKey="checksumError",
                    message="Checksums do not match",
                ),
            )
        params = dict(parse_qsl(query, keep_blank_values=True))
        with self.lock:
            self.calls.append((call, params))
            answer = getattr(self, f"api_{call}", None)
            body = (
                answer(params)
                if answer
                else _xml(returncode="FAILED", messageKey="unsupportedRequest", message="no")
            )
        self._send(request, body)

    def _send(self, request, body: bytes):
        request.send_response(200)
        request.send_header("Content-Type", "text/xml;charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def api_create(self, params):
        meeting_id = params.get("meetingID", "")
        name = params.get("name", "")
        if not 2 <= len(meeting_id) <= 256 or "," in meeting_id or not 2 <= len(name) <= 64:
            return _xml(returncode="FAILED", messageKey="invalidParameters", message="bad")
        existing = self.meetings.get(meeting_id)
        if existing is None:
            self.meetings[meeting_id] = Meeting(meeting_id, params)
            return _xml(returncode="SUCCESS", meetingID=escape(meeting_id), hasUserJoined="false")
        return _xml(
            returncode="SUCCESS",
            meetingID=escape(meeting_id),
            messageKey="duplicateWarning",
            message="This conference was already in existence and may currently be in progress.",
        )

    def api_join(self, params):
        meeting = self.meetings.get(params.get("meetingID", ""))
        if meeting is None:
            return _xml(returncode="FAILED", messageKey="invalidMeetingIdentifier", message="no")
        if params.get("role") not in ("VIEWER", "MODERATOR") or not params.get("fullName"):
            return _xml(returncode="FAILED", messageKey="invalidParameters", message="bad")
        # The older password, when given, must be the role's.
        expected = meeting.params.get(
            "moderatorPW" if params["role"] == "MODERATOR" else "attendeePW"
        )
        if "password" in params and params["password"] != expected:
            return _xml(returncode="FAILED", messageKey="invalidPassword", message="bad password")
        meeting.attendees.append(
            {
                "userID": params.get("userID", ""),
                "fullName": params["fullName"],
                "role": params["role"],
                "joined": datetime.now(UTC).isoformat(),
            }
        )
        return _xml(returncode="SUCCESS", messageKey="successfullyJoined", url="session")

    def api_isMeetingRunning(self, params):  # noqa: N802 (the API's name)
        meeting = self.meetings.get(params.get("meetingID", ""))
        running = "true" if meeting and meeting.attendees else "false"
        return _xml(returncode="SUCCESS", running=running)

    def api_end(self, params):
        meeting = self.meetings.pop(params.get("meetingID", ""), None)
        if meeting is None:
            return _xml(
                returncode="FAILED",
                messageKey="notFound",
                message="We could not find a meeting with that meeting ID",
            )
        self._meeting_ended(meeting, recordingmarks=False)
        return _xml(returncode="SUCCESS", messageKey="sentEndMeetingRequest", message="ok")

    def api_getRecordings(self, params):  # noqa: N802 (the API's name)
        wanted = params.get("meetingID", "")
        rows = []
        for rec in self.recordings:
            if wanted and rec["meetingID"] != wanted:
                continue
            rows.append(
                f"<recording><recordID>{rec['recordID']}</recordID><meetingID>{escape(rec['meetingID'])}</meetingID>"
                f"<published>true</published><state>published</state><startTime>{rec['startTime']}</startTime>"
                f"<playback><format><type>presentation</type><url>{escape(rec['url'])}</url></format></playback>"
                "</recording>"
            )
        if not rows:
            return _xml(
                returncode="SUCCESS", recordings="", messageKey="noRecordings", message="none"
            )
        return _xml(returncode="SUCCESS", recordings="".join(rows))

    # --- what a real server does by itself ---

    def _meeting_ended(self, meeting: Meeting, recordingmarks: bool):
        url = meeting.params.get("meta_endCallbackUrl")
        if url:
            sep = "&" if "?" in url else "?"
            query = urlencode(
                {"meetingID": meeting.meeting_id, "recordingmarks": str(recordingmarks).lower()}
            )
            self.callbacks.append(Callback(f"{url}{sep}{query}", "GET"))

    def end_by_itself(self, meeting_id: str, recordingmarks: bool = True) -> Meeting:
        """The meeting's time is up (or the last moderator left): it ends, and the analytics
        callback follows with who joined."""
        with self.lock:
            meeting = self.meetings.pop(meeting_id)
            self._meeting_ended(meeting, recordingmarks)
            url = meeting.params.get("meta_analytics-callback-url")
            if url:
                token = jwt.encode(
                    {"exp": int(time.time()) + 86400}, self.secret, algorithm="HS512"
                )
                payload = {
                    "version": "1.0",
                    "meeting_id": meeting.meeting_id,
                    "internal_meeting_id": f"{meeting.meeting_id}-internal",
                    "data": {
                        "metadata": {"meeting_name": meeting.params.get("name")},
                        "attendees": [
                            {
                                "ext_user_id": a["userID"],
                                "name": a["fullName"],
                                "moderator": a["role"] == "MODERATOR",
                                "joins": [a["joined"]],
                            }
                            for a in meeting.attendees
                        ],
                    },
                }
                self.callbacks.append(
                    Callback(
                        url,
                        "POST",
                        json.dumps(payload).encode(),
                        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
                    )
                )
        return meeting

    def publish_recording(self, meeting: Meeting, url: str) -> None:
        record_id = f"{meeting.meeting_id}-{int(meeting.created * 1000)}"
        self.recordings.append(
            {
                "recordID": record_id,
                "meetingID": meeting.meeting_id,
                "url": url,
                "startTime": int(meeting.created * 1000),
            }
        )
        ready = meeting.params.get("meta_bbb-recording-ready-url")
        if ready:
            signed = jwt.encode(
                {"meeting_id": meeting.meeting_id, "record_id": record_id},
                self.secret,
                algorithm="HS256",
            )
            self.callbacks.append(
                Callback(
                    ready,
                    "POST",
                    urlencode({"signed_parameters": signed}).encode(),
                    {"Content-Type": "application/x-www-form-urlencoded"},
                )
            )

    def deliver_callbacks(self, client, site_url: str) -> list[int]:
        """Make the recorded callbacks to the site through Django's test client (the site runs
        in the test's thread and transaction); their status codes."""
        statuses = []
        while self.callbacks:
            cb = self.callbacks.pop(0)
            assert cb.url.startswith(site_url), cb.url
            path = cb.url[len(site_url) :]
            if cb.method == "GET":
                response = client.get(path)
            else:
                extra = {
                    f"HTTP_{k.upper().replace('-', '_')}": v
                    for k, v in cb.headers.items()
                    if k != "Content-Type"
                }
                response = client.generic(
                    "POST", path, cb.body, content_type=cb.headers.get("Content-Type"), **extra
                )
            statuses.append(response.status_code)
        return statuses
