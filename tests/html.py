"""Read a response the way a visitor reads it: the words, without tags."""

import re
from html.parser import HTMLParser


def text_of(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


class _FormFields(HTMLParser):
    """The name/value pairs a browser would submit from the <form> with the given id (or,
    without one, every field on the page)."""

    def __init__(self, form_id: str | None):
        super().__init__()
        self.form_id = form_id
        self.data: dict[str, str] = {}
        self._in_form = form_id is None
        self._done = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id and not self._done:
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data[name] = a.get("value") or "on"
            else:
                self.data[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            # A multiple select with nothing chosen sends nothing at all.
            if "multiple" not in a:
                self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form and self.form_id:
            self._in_form, self._done = False, True
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += (
                data.removeprefix("\n") if not self.data[self._textarea] else data
            )


def form_data(response, form_id: str | None = None) -> dict[str, str]:
    """What submitting a page's form unchanged would send, to be edited and posted."""
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    return parser.data
