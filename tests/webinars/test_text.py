"""Organiser Markdown as plain text for calendars, feeds and meta tags."""

from webinars.text import plain_text


def test_plain_text_keeps_paragraphs_lists_and_link_targets():
    markdown = (
        "Hello **bold** and [the report](https://example.org/report) &amp; more.\n\n"
        "- one\n- two\n\n"
        "See https://example.org/ <script>alert(1)</script>"
    )

    assert plain_text(markdown) == (
        "Hello bold and the report (https://example.org/report) & more.\n\n"
        "- one\n- two\n\n"
        "See https://example.org/"
    )


def test_plain_text_of_nothing_is_empty():
    assert plain_text("") == ""
    assert plain_text("   \n\n  ") == ""
