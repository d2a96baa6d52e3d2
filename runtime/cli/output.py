"""What handlers return, and how it is printed: aligned tables, stable JSON, CSV."""

import csv
import io
import json


class Table:
    """Rows for people (table/csv) with a JSON form for scripts.

    records is the JSON form; by default one object per row keyed by column.
    """

    def __init__(self, columns, rows, records=None):
        self.columns = list(columns)
        self.rows = [list(r) for r in rows]
        self.records = records

    def json_data(self):
        if self.records is not None:
            return self.records
        return [dict(zip(self.columns, row)) for row in self.rows]


class Record:
    """One object: label/value lines in table form, `data` as JSON."""

    def __init__(self, fields, data):
        self.fields = list(fields)
        self.data = data


class Message:
    """A sentence for people, with a JSON form for scripts and MCP tools."""

    def __init__(self, text, data):
        self.text = text
        self.data = data


def json_form(result):
    """What a handler's return value is as JSON data (MCP tools answer with it)."""
    if isinstance(result, Table):
        return result.json_data()
    if isinstance(result, (Record, Message)):
        return result.data
    return result


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def render_json(data):
    return json.dumps(data, indent=2, ensure_ascii=False)


def render_table(columns, rows):
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], len(text))
    def line(values):
        return "  ".join(v.ljust(widths[i]) for i, v in enumerate(values)).rstrip()
    out = [line(columns), line(["-" * w for w in widths])]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def render_csv(columns, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue().rstrip("\n")


def render(result, fmt="table"):
    """Text for a handler's return value (None prints nothing)."""
    if result is None:
        return None
    if isinstance(result, str):
        return result
    if isinstance(result, Table):
        if fmt == "json":
            return render_json(result.json_data())
        if fmt == "csv":
            return render_csv(result.columns, result.rows)
        return render_table(result.columns, result.rows)
    if isinstance(result, Message):
        return render_json(result.data) if fmt == "json" else result.text
    if isinstance(result, Record):
        if fmt == "json":
            return render_json(result.data)
        width = max((len(label) for label, _ in result.fields), default=0)
        return "\n".join(f"{label + ':':{width + 1}} {_cell(value)}" for label, value in result.fields)
    return render_json(result)
