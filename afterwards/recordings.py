"""Recordings on YouTube or Vimeo as a player from their privacy-enhanced hosts.

The player is only an address here: the page loads it when the visitor presses play, so no
request reaches the video host before that.
"""

import re
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

YOUTUBE_PLAYER_ORIGIN = "https://www.youtube-nocookie.com"
VIMEO_PLAYER_ORIGIN = "https://player.vimeo.com"
PLAYER_ORIGINS = (YOUTUBE_PLAYER_ORIGIN, VIMEO_PLAYER_ORIGIN)

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")


class Player(NamedTuple):
    host: str  # "YouTube" or "Vimeo", for the button's words
    src: str
    origin: str


def player_for(url: str) -> Player | None:
    """The embeddable player of a YouTube or Vimeo address; None for anything else."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = [p for p in parts.path.split("/") if p]
    video = None
    if host in {"youtube.com", "youtube-nocookie.com"}:
        if path[:1] == ["watch"]:
            video = parse_qs(parts.query).get("v", [""])[0]
        elif len(path) >= 2 and path[0] in {"embed", "live", "shorts", "v"}:
            video = path[1]
        if video and _YOUTUBE_ID.match(video):
            return Player(
                "YouTube", f"{YOUTUBE_PLAYER_ORIGIN}/embed/{video}", YOUTUBE_PLAYER_ORIGIN
            )
    elif host == "youtu.be" and path:
        if _YOUTUBE_ID.match(path[0]):
            return Player(
                "YouTube", f"{YOUTUBE_PLAYER_ORIGIN}/embed/{path[0]}", YOUTUBE_PLAYER_ORIGIN
            )
    elif host in {"vimeo.com", "player.vimeo.com"}:
        video = path[-1] if path else ""
        if _VIMEO_ID.match(video):
            # dnt=1: Vimeo's player sets no cookies and sends no analytics.
            return Player(
                "Vimeo", f"{VIMEO_PLAYER_ORIGIN}/video/{video}?dnt=1", VIMEO_PLAYER_ORIGIN
            )
    return None
