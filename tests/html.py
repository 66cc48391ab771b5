"""Read a response the way a visitor reads it: the words, without tags."""

import re


def text_of(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", "", html).split())
