"""A small, safe Markdown subset for run and model descriptions.

Everything is escaped first; only then are headings, paragraphs, lists, code, emphasis and links
rebuilt. Links keep only http(s), mailto and relative targets, so no javascript: URL survives.
"""

import html
import re

_SAFE_LINK = re.compile(r"^(https?://|mailto:|/|#|\./)", re.I)
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def _link(match):
    text, target = match.group(1), html.unescape(match.group(2))
    if not _SAFE_LINK.match(target):
        return text
    return f'<a href="{html.escape(target, quote=True)}" rel="noopener noreferrer nofollow">{text}</a>'


def _inline(text):
    text = html.escape(text, quote=True)
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(f"<code>{part[1:-1]}</code>")
            continue
        part = _LINK.sub(_link, part)
        part = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", part)
        part = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"<em>\1</em>", part)
        out.append(part)
    return "".join(out)


def render_markdown(source):
    """HTML (a markupsafe.Markup) for source."""
    from markupsafe import Markup

    lines = (source or "").replace("\r\n", "\n").split("\n")
    out, paragraph, items, code = [], [], [], None

    def flush():
        if paragraph:
            out.append("<p>" + _inline(" ".join(paragraph)) + "</p>")
            paragraph.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>")
            items.clear()

    for line in lines:
        if code is not None:
            if line.strip().startswith("```"):
                out.append("<pre><code>" + html.escape("\n".join(code)) + "</code></pre>")
                code = None
            else:
                code.append(line)
            continue
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            code = []
        elif not stripped:
            flush()
        elif re.match(r"#{1,6} ", stripped):
            flush()
            level = min(len(stripped) - len(stripped.lstrip("#")) + 2, 6)
            out.append(f"<h{level}>{_inline(stripped.lstrip('#').strip())}</h{level}>")
        elif re.match(r"[-*+] ", stripped):
            if paragraph:
                flush()
            items.append(stripped[2:])
        else:
            if items:
                flush()
            paragraph.append(stripped)
    if code is not None:
        out.append("<pre><code>" + html.escape("\n".join(code)) + "</code></pre>")
    flush()
    return Markup("\n".join(out))
