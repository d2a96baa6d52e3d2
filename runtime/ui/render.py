"""Render UI pages: one jinja2 environment (autoescaping everything) and the values every page needs."""

import datetime
import json
import os
import threading
from urllib.parse import quote, urlencode

from runtime.ui.assets import CATALOG

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
THEME_COOKIE = "mlf_theme"
THEMES = ("light", "dark")
HTML_HEADERS = {"cache-control": "no-cache"}

_env = None
_env_lock = threading.Lock()


def environment():
    global _env
    if _env is None:
        with _env_lock:
            if _env is None:
                import jinja2

                env = jinja2.Environment(
                    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
                    autoescape=True,
                    trim_blocks=True,
                    lstrip_blocks=True,
                    undefined=jinja2.StrictUndefined,
                )
                env.filters.update(when=format_time, duration=format_duration, number=format_number,
                                   q=quote_segment)
                env.globals.update(island=json_island)
                _env = env
    return _env


def json_island(value):
    """JSON safe to place inside <script type="application/json">: no '<', '>' or '&' survives raw."""
    from markupsafe import Markup

    text = json.dumps(value, separators=(",", ":"), allow_nan=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def quote_segment(value):
    """One URL path segment (a model name may hold '/', '?', '#')."""
    return quote(str(value), safe="")


def format_time(ms):
    if ms is None or ms == "":
        return ""
    try:
        moment = datetime.datetime.fromtimestamp(int(ms) / 1000, tz=datetime.timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return str(ms)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def format_duration(start_ms, end_ms=None):
    if start_ms is None or end_ms is None:
        return ""
    seconds = max(0.0, (int(end_ms) - int(start_ms)) / 1000)
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, seconds = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {seconds}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes}m"


def format_number(value):
    if isinstance(value, float):
        if value != value:
            return "NaN"
        return f"{value:.6g}"
    return str(value)


def theme_of(request):
    """light or dark when the user picked one (cookie or ?theme=), else system."""
    wanted = request.query_params.get("theme") or request.cookies.get(THEME_COOKIE)
    return wanted if wanted in THEMES else "system"


class Page:
    """What templates get besides their own values: the prefix, asset URLs, theme, link helpers."""

    def __init__(self, ctx, request):
        self.prefix = ctx.config.static_prefix
        self.request = request
        self.theme = theme_of(request)

    def url(self, url_path, **query):
        """A link inside the UI, under --static-prefix; None values are left out of the query."""
        items = [(k, v) for k, v in query.items() if v not in (None, "", [], ())]
        pairs = []
        for key, value in items:
            if isinstance(value, (list, tuple)):
                pairs.extend((key, item) for item in value)
            else:
                pairs.append((key, value))
        return self.prefix + url_path + ("?" + urlencode(pairs) if pairs else "")

    def asset(self, name):
        return CATALOG.url(self.prefix, name)

    def api(self, path):
        return f"{self.prefix}/ajax-api/2.0/mlflow{path}"


GZIP_MIN_BYTES = 4096


def html_response(html, request, status_code):
    """The page, gzip-compressed when the browser takes it (a 5,000-run table is ~1 MB of JSON)."""
    import gzip

    from starlette.responses import HTMLResponse

    from runtime.ui.assets import accepts_gzip

    body = html.encode("utf-8")
    headers = dict(HTML_HEADERS, vary="Accept-Encoding")
    if len(body) >= GZIP_MIN_BYTES and accepts_gzip(request):
        body = gzip.compress(body, compresslevel=5)
        headers["content-encoding"] = "gzip"
    return HTMLResponse(body, status_code=status_code, headers=headers)


def render(ctx, request, template, status_code=200, **values):
    page = Page(ctx, request)
    html = environment().get_template(template).render(page=page, **values)
    response = html_response(html, request, status_code)
    if request.query_params.get("theme") in THEMES:
        response.set_cookie(THEME_COOKIE, request.query_params["theme"], max_age=31536000, samesite="lax",
                            path=(page.prefix or "") + "/")
    return response
