"""Plain text of the HTML fragments helpdesks send: tags dropped, entities decoded, one
line per block, comments and script or style content left out.

One linear regex pass rather than :mod:`html.parser`, which is several times
slower on the small fragments helpdesks send; this runs on every Intercom record.
"""

from __future__ import annotations

import re
from html import unescape

_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "tr", "table", "blockquote", "pre", "hr", "section", "article",
})
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title"})
# A tag starts with a letter right after "<" (so "5 < 6" stays text). No alternative
# may cross a "<", which keeps the scan linear however malformed the markup.
_TAG = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9]*)(?:[^<>"']|"[^"<]*"|'[^'<]*')*>|<[!?][^<>]*>""")
# Tags whose content is dropped or kept verbatim need the slower, stateful pass.
_STATEFUL_TAG = re.compile(r"<(?:script|style|head|title|pre)\b", re.IGNORECASE)


def _tag_break(match: re.Match[str]) -> str:
    name = match.group(2)
    return "\n" if name is not None and name.lower() in _BLOCK_TAGS else ""


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, one line per block.

    One linear regex pass rather than :mod:`html.parser`, which is several times
    slower on the small fragments helpdesks send; this runs on every Intercom record.

    >>> html_to_text("<p>Our numbers are <b>wrong</b> &amp; missing</p><p>Please help</p>")
    'Our numbers are wrong & missing\\nPlease help'
    >>> html_to_text("line one<br>line   two")
    'line one\\nline two'
    >>> html_to_text("<p>a source line break\\nis a space</p>")
    'a source line break is a space'
    >>> html_to_text("no markup at all")
    'no markup at all'
    """
    if "<" not in html and "&" not in html:
        # No markup: plain text (e-mail and SMS sources), whose line breaks are real.
        return _tidy_lines(html)
    if "<!--" in html:
        html = without_comments(html)
    if not _STATEFUL_TAG.search(html):
        # The usual fragment (<p>, <br>, <b>, <a>): one substitution does it.
        return _tidy_lines(unescape(_TAG.sub(_tag_break, " ".join(html.splitlines()))))
    out: list[str] = []
    pos = 0
    skipping: str | None = None
    preformatted = 0
    for match in _TAG.finditer(html):
        if skipping is None:
            out.append(_source_text(html[pos : match.start()], preformatted))
        pos = match.end()
        name = match.group(2)
        if name is None:  # <!DOCTYPE …>, <?xml …?>
            continue
        name = name.lower()
        closing = bool(match.group(1))
        if skipping is not None:
            if closing and name == skipping:
                skipping = None
        elif name in _SKIPPED_TAGS:
            skipping = None if closing else name
        elif name in _BLOCK_TAGS:
            out.append("\n")
            if name == "pre":
                preformatted = max(0, preformatted - 1) if closing else preformatted + 1
    if skipping is None:
        out.append(_source_text(html[pos:], preformatted))
    return _tidy_lines(unescape("".join(out)))


def _source_text(text: str, preformatted: int) -> str:
    # In HTML a line break in the source is just a space, except inside <pre>.
    return text if preformatted else " ".join(text.splitlines())


def without_comments(html: str) -> str:
    """``html`` without its comments; an unterminated one hides the rest, as in a browser."""
    parts: list[str] = []
    pos = 0
    while (start := html.find("<!--", pos)) >= 0:
        parts.append(html[pos:start])
        end = html.find("-->", start + 4)
        if end < 0:
            return "".join(parts)
        pos = end + 3
    parts.append(html[pos:])
    return "".join(parts)


def _tidy_lines(text: str) -> str:
    """Whitespace runs collapsed within each line; blank lines dropped."""
    return "\n".join(filter(None, (" ".join(line.split()) for line in text.splitlines())))


def plain(value: str | None) -> str:
    """:func:`html_to_text` of a field that may be missing."""
    return html_to_text(value) if value else ""
