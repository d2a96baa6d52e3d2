"""--extract-fields: select parts of a trace's JSON with dot paths.

Paths are dot-separated keys (``info.trace_id``); ``*`` matches every key of
an object or every item of a list (``data.spans.*.name``); a segment in
backticks may hold dots (``info.tags.`mlflow.traceName```); a number selects
a list item. Several paths are separated by commas.
"""

from runtime.errors import UsageError


def split_fields(text):
    """'a.b, c.`d.e`' -> ['a.b', 'c.`d.e`'] (commas inside backticks do not split)."""
    fields, current, quoted = [], [], False
    for char in text or "":
        if char == "`":
            quoted = not quoted
        if char == "," and not quoted:
            fields.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    fields.append("".join(current).strip())
    return [f for f in fields if f]


def split_path(path):
    """'info.tags.`mlflow.traceName`' -> ['info', 'tags', 'mlflow.traceName']."""
    parts, current, i = [], [], 0
    while i < len(path):
        char = path[i]
        if char == "`":
            end = path.find("`", i + 1)
            if end < 0:
                raise UsageError(f"Invalid field path {path!r}: unterminated backtick at position {i + 1}")
            current.append(path[i + 1:end])
            i = end + 1
        elif char == ".":
            if current:
                parts.append("".join(current))
            current = []
            i += 1
        else:
            current.append(char)
            i += 1
    if current:
        parts.append("".join(current))
    return parts


def _step(node, part):
    """Children of node selected by one path segment, as (segment, child) pairs."""
    if part == "*":
        if isinstance(node, dict):
            return list(node.items())
        if isinstance(node, list):
            return [(str(i), item) for i, item in enumerate(node)]
        return []
    if isinstance(node, dict) and part in node:
        return [(part, node[part])]
    if isinstance(node, list) and part.isascii() and part.isdigit() and int(part) < len(node):
        return [(part, node[int(part)])]
    return []


def _walk(node, parts, trail=()):
    """Every (concrete path, value) the parts reach."""
    if not parts:
        return [(trail, node)]
    found = []
    for segment, child in _step(node, parts[0]):
        found.extend(_walk(child, parts[1:], trail + (segment,)))
    return found


def extract_values(data, path):
    """Values at path, in document order (empty when it leads nowhere)."""
    return [value for _, value in _walk(data, split_path(path))]


_HOLE = object()  # padding in rebuilt lists, removed once filtering is done


def _place(target, trail, value, source):
    """Set value at trail inside target, rebuilding lists where the source had lists."""
    node, origin = target, source
    for index, segment in enumerate(trail):
        last = index == len(trail) - 1
        origin_child = origin[int(segment)] if isinstance(origin, list) else origin[segment]
        if isinstance(node, list):
            position = int(segment)
            while len(node) <= position:
                node.append(_HOLE)
            if last:
                node[position] = value
                return
            if node[position] is _HOLE:
                node[position] = [] if isinstance(origin_child, list) else {}
            node = node[position]
        else:
            if last:
                node[segment] = value
                return
            if segment not in node:
                node[segment] = [] if isinstance(origin_child, list) else {}
            node = node[segment]
        origin = origin_child


def filter_fields(data, paths):
    """A copy of data holding only what the paths select, in the original structure."""
    result = {}
    for path in paths:
        for trail, value in _walk(data, split_path(path)):
            if trail:
                _place(result, trail, value, data)
    return _compact(result)


def _compact(node):
    """Drop the holes filtering leaves in lists (items that matched nothing)."""
    if isinstance(node, list):
        return [_compact(item) for item in node if item is not _HOLE]
    if isinstance(node, dict):
        return {key: _compact(value) for key, value in node.items()}
    return node


def available_fields(data, depth=3):
    """Paths present in data (lists shown as '*'), for error messages."""
    paths = set()

    def collect(node, prefix, level):
        if level > depth:
            return
        if isinstance(node, dict):
            for key, value in node.items():
                shown = f"`{key}`" if "." in key else key
                path = f"{prefix}.{shown}" if prefix else shown
                paths.add(path)
                collect(value, path, level + 1)
        elif isinstance(node, list) and node:
            path = f"{prefix}.*" if prefix else "*"
            paths.add(path)
            collect(node[0], path, level + 1)

    collect(data, "", 0)
    return sorted(paths)


def validate_fields(paths, sample, verbose=False):
    """UsageError naming the paths (without '*') that lead nowhere in sample."""
    invalid = [p for p in paths if "*" not in p and not extract_values(sample, p)]
    if not invalid:
        return
    fields = available_fields(sample)
    shown = fields if verbose else fields[:20]
    message = f"Invalid field path(s): {', '.join(invalid)}. Available fields: {', '.join(shown)}"
    if len(fields) > len(shown):
        message += f", ... (+{len(fields) - len(shown)} more; use --verbose to list all)"
    raise UsageError(message)
