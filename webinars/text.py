"""Organiser-written text made safe where it goes: Markdown to HTML, plain text for calendars
and feeds, one line for titles in headers, calendar properties and feed items."""

import functools
import re
from html.parser import HTMLParser

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol",
    "p", "pre", "strong", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}

# What XML 1.0 cannot carry at all (its Char production): most C0 controls, lone surrogates,
# U+FFFE and U+FFFF. A feed or sitemap with one of them fails to serialise.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """text without the characters XML 1.0 (and so feeds and calendar clients) cannot carry."""
    return _XML_INVALID.sub("", text or "")


def one_line(text: str) -> str:
    """text on one line, for a title in a mail header, a calendar property or a feed item.

    Every line break (CR, LF, vertical tab, form feed, NEL, U+2028, U+2029 ...) and run of white
    space becomes one space: these formats have no room for a line break there.
    """
    # str.split() splits on every one of those breaks; xml_safe() takes what is left.
    return xml_safe(" ".join((text or "").split()))


@functools.lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """Markdown to HTML with only harmless tags; links get rel="noopener noreferrer".

    Cached by text: pages show the same descriptions and biographies on every request, and a
    Markdown run costs more than the rest of a webinar page.
    """
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


class _TextParser(HTMLParser):
    """Collects the words of rendered Markdown, keeping paragraphs, list items and link targets."""

    BLOCKS = {"p", "h2", "h3", "h4", "blockquote", "pre", "ul", "ol", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hrefs: list[str | None] = []
        self.link_text: list[str] = []
        self.list_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self.list_depth += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            self.hrefs.append(dict(attrs).get("href"))
            self.link_text.append("")

    def handle_endtag(self, tag):
        if tag in ("ul", "ol"):
            self.list_depth -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.hrefs:
            href, text = self.hrefs.pop(), self.link_text.pop()
            if href and href.strip() != text.strip():
                self.parts.append(f" ({href})")

    def handle_data(self, data):
        if self.list_depth and not data.strip():
            return  # the line breaks between list items are not text
        self.parts.append(data)
        if self.link_text:
            self.link_text[-1] += data


@functools.lru_cache(maxsize=4096)
def plain_text(text: str) -> str:
    """Organiser-written Markdown as plain text for calendars, feeds and meta tags.

    Paragraphs stay separated by a blank line; links keep their address in brackets.
    Memoised per worker: a feed of 2,000 webinars otherwise spends most of its time in
    Markdown, and a description's text depends on nothing but the description.
    """
    parser = _TextParser()
    parser.feed(render_markdown(text))
    parser.close()
    raw = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in raw.splitlines()]
    paragraphs, current = [], []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    return xml_safe("\n\n".join(paragraphs))
