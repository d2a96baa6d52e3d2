"""Artifact previews with hard caps, and the raw file response that previews and downloads use.

Raw files are served so a browser never runs them as part of the UI: always nosniff; HTML and
SVG only under `Content-Security-Policy: sandbox` (a unique origin, no scripts); anything not
an image, HTML or SVG as text/plain or an attachment.
"""

import csv
import io
import json
import posixpath

TEXT_BYTES = 256 * 1024
CSV_ROWS = 500
CSV_BYTES = 4 * 1024 * 1024
CHUNK = 64 * 1024
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".bmp": "image/bmp", ".webp": "image/webp", ".svg": "image/svg+xml"}
TEXT_EXTENSIONS = {".txt", ".log", ".json", ".jsonl", ".yaml", ".yml", ".py", ".md", ".cfg", ".ini", ".toml",
                   ".xml", ".sh", ".conf", ".properties", ".r", ".sql", ".js", ".ts", ".out", ".err"}
TEXT_NAMES = {"MLmodel", "MLproject", "requirements.txt", "conda.yaml", "python_env.yaml", "LICENSE", "README"}
SANDBOX_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; media-src data:"
HTML_SANDBOX_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def extension(path):
    return posixpath.splitext(path)[1].lower()


def preview_kind(path):
    name = posixpath.basename(path)
    ext = extension(path)
    if name == "MLmodel":
        return "mlmodel"
    if ext in IMAGE_TYPES:
        return "image"
    if ext in (".html", ".htm"):
        return "html"
    if ext in (".csv", ".tsv"):
        return "table"
    if ext in TEXT_EXTENSIONS or name in TEXT_NAMES:
        return "text"
    return None


def read_head(repository, path, limit):
    """(first limit bytes, whether the file is longer)."""
    with repository.open_artifact(path) as handle:
        data = handle.read(limit + 1)
    return data[:limit], len(data) > limit


def text_preview(repository, path):
    data, truncated = read_head(repository, path, TEXT_BYTES)
    text = data.decode("utf-8", errors="replace")
    if extension(path) == ".json" and not truncated:
        try:
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            pass
    return {"text": text, "truncated": truncated, "limit": TEXT_BYTES}


def table_preview(repository, path):
    data, truncated = read_head(repository, path, CSV_BYTES)
    text = data.decode("utf-8", errors="replace")
    lines = text.splitlines()
    if truncated and lines:
        lines = lines[:-1]  # the last line may be cut in the middle
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter="\t" if extension(path) == ".tsv" else ",")
    rows = []
    for row in reader:
        rows.append(row)
        if len(rows) > CSV_ROWS:
            break
    more = len(rows) > CSV_ROWS or truncated
    rows = rows[:CSV_ROWS + 1]
    return {"header": rows[0] if rows else [], "rows": rows[1:CSV_ROWS + 1], "more": more, "limit": CSV_ROWS}


def signature_table(signature_json):
    """[{name, type, ...}] from an MLmodel signature field (a JSON string), or None."""
    if not signature_json:
        return None
    try:
        entries = json.loads(signature_json)
    except (TypeError, ValueError):
        return None
    if not isinstance(entries, list):
        return None
    rows = []
    for entry in entries:
        if isinstance(entry, dict):
            kind = entry.get("type")
            if kind == "tensor" and isinstance(entry.get("tensor-spec"), dict):
                spec = entry["tensor-spec"]
                kind = f"tensor {spec.get('dtype', '')} {spec.get('shape', '')}"
            rows.append({"name": entry.get("name", ""), "type": kind or "",
                         "required": "no" if entry.get("required") is False else "yes"})
    return rows


def mlmodel_preview(repository, path):
    import yaml

    preview = text_preview(repository, path)
    try:
        model = yaml.safe_load(preview["text"]) if not preview["truncated"] else None
    except yaml.YAMLError:
        model = None
    if isinstance(model, dict):
        signature = model.get("signature") if isinstance(model.get("signature"), dict) else {}
        preview["flavors"] = sorted((model.get("flavors") or {}).keys()) if isinstance(model.get("flavors"), dict) else []
        preview["inputs"] = signature_table(signature.get("inputs"))
        preview["outputs"] = signature_table(signature.get("outputs"))
    return preview


def preview(repository, path):
    """{"kind", ...} describing how to show path; kind None means download only."""
    kind = preview_kind(path)
    result = {"kind": kind}
    if kind == "text":
        result.update(text_preview(repository, path))
    elif kind == "table":
        result.update(table_preview(repository, path))
    elif kind == "mlmodel":
        result.update(mlmodel_preview(repository, path))
    return result


def raw_headers(path, download):
    """(media type, extra headers) for serving path raw."""
    name = posixpath.basename(path)
    ext = extension(path)
    headers = {"cache-control": "no-cache"}  # nosniff comes from the security middleware, on every answer
    if download:
        quoted = name.replace("\\", "_").replace('"', "_")
        from urllib.parse import quote

        headers["content-disposition"] = f"attachment; filename=\"{quoted.encode('ascii', 'replace').decode()}\"; filename*=UTF-8''{quote(name)}"
        return "application/octet-stream", headers
    if ext in IMAGE_TYPES:
        if ext == ".svg":
            headers["content-security-policy"] = SANDBOX_CSP
        return IMAGE_TYPES[ext], headers
    if ext in (".html", ".htm"):
        headers["content-security-policy"] = HTML_SANDBOX_CSP
        return "text/html; charset=utf-8", headers
    if preview_kind(path) in ("text", "table", "mlmodel"):
        return "text/plain; charset=utf-8", headers
    headers["content-disposition"] = "attachment"
    return "application/octet-stream", headers


def raw_response(repository, path, download=False):
    from starlette.responses import StreamingResponse

    handle = repository.open_artifact(path)
    media_type, headers = raw_headers(path, download)

    def chunks():
        with handle:
            while True:
                block = handle.read(CHUNK)
                if not block:
                    return
                yield block

    return StreamingResponse(chunks(), media_type=media_type, headers=headers)
