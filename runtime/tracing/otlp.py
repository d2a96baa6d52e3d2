"""OTLP/HTTP trace payloads without the protobuf library.

MLflow's client sends spans to ``POST /v1/traces`` as a binary
``ExportTraceServiceRequest``. The subset of the protobuf wire format it uses
(varints, fixed64/fixed32, doubles, length-delimited fields) is small, so we
read and write it here from a field table rather than add protobuf and
opentelemetry-proto as dependencies.

Decoded messages come out in protobuf's JSON form with the proto field names:
bytes as base64, enums by name, 64-bit integers as ints.
"""

import base64
import json
import struct

from runtime.errors import InvalidParameter

# Field kinds of the wire schema below.
VARINT, INT64, BOOL, ENUM, FIXED64, FIXED32, DOUBLE, STRING, BYTES, MESSAGE = (
    "varint", "int64", "bool", "enum", "fixed64", "fixed32", "double", "string", "bytes", "message")

_SPAN_KINDS = {0: "SPAN_KIND_UNSPECIFIED", 1: "SPAN_KIND_INTERNAL", 2: "SPAN_KIND_SERVER", 3: "SPAN_KIND_CLIENT",
               4: "SPAN_KIND_PRODUCER", 5: "SPAN_KIND_CONSUMER"}
_STATUS_CODES = {0: "STATUS_CODE_UNSET", 1: "STATUS_CODE_OK", 2: "STATUS_CODE_ERROR"}
_ENUMS = {"SpanKind": _SPAN_KINDS, "StatusCode": _STATUS_CODES}

# message -> {field number: (name, kind, message or enum type, repeated)}
SCHEMA = {
    "ExportTraceServiceRequest": {1: ("resource_spans", MESSAGE, "ResourceSpans", True)},
    "ResourceSpans": {1: ("resource", MESSAGE, "Resource", False), 2: ("scope_spans", MESSAGE, "ScopeSpans", True),
                      3: ("schema_url", STRING, None, False)},
    "Resource": {1: ("attributes", MESSAGE, "KeyValue", True), 2: ("dropped_attributes_count", VARINT, None, False)},
    "ScopeSpans": {1: ("scope", MESSAGE, "InstrumentationScope", False), 2: ("spans", MESSAGE, "Span", True),
                   3: ("schema_url", STRING, None, False)},
    "InstrumentationScope": {1: ("name", STRING, None, False), 2: ("version", STRING, None, False),
                             3: ("attributes", MESSAGE, "KeyValue", True),
                             4: ("dropped_attributes_count", VARINT, None, False)},
    "Span": {1: ("trace_id", BYTES, None, False), 2: ("span_id", BYTES, None, False),
             3: ("trace_state", STRING, None, False), 4: ("parent_span_id", BYTES, None, False),
             5: ("name", STRING, None, False), 6: ("kind", ENUM, "SpanKind", False),
             7: ("start_time_unix_nano", FIXED64, None, False), 8: ("end_time_unix_nano", FIXED64, None, False),
             9: ("attributes", MESSAGE, "KeyValue", True), 10: ("dropped_attributes_count", VARINT, None, False),
             11: ("events", MESSAGE, "Event", True), 12: ("dropped_events_count", VARINT, None, False),
             13: ("links", MESSAGE, "Link", True), 14: ("dropped_links_count", VARINT, None, False),
             15: ("status", MESSAGE, "Status", False), 16: ("flags", FIXED32, None, False)},
    "Event": {1: ("time_unix_nano", FIXED64, None, False), 2: ("name", STRING, None, False),
              3: ("attributes", MESSAGE, "KeyValue", True), 4: ("dropped_attributes_count", VARINT, None, False)},
    "Link": {1: ("trace_id", BYTES, None, False), 2: ("span_id", BYTES, None, False),
             3: ("trace_state", STRING, None, False), 4: ("attributes", MESSAGE, "KeyValue", True),
             5: ("dropped_attributes_count", VARINT, None, False), 6: ("flags", FIXED32, None, False)},
    "Status": {2: ("message", STRING, None, False), 3: ("code", ENUM, "StatusCode", False)},
    "KeyValue": {1: ("key", STRING, None, False), 2: ("value", MESSAGE, "AnyValue", False)},
    "AnyValue": {1: ("string_value", STRING, None, False), 2: ("bool_value", BOOL, None, False),
                 3: ("int_value", INT64, None, False), 4: ("double_value", DOUBLE, None, False),
                 5: ("array_value", MESSAGE, "ArrayValue", False), 6: ("kvlist_value", MESSAGE, "KeyValueList", False),
                 7: ("bytes_value", BYTES, None, False)},
    "ArrayValue": {1: ("values", MESSAGE, "AnyValue", True)},
    "KeyValueList": {1: ("values", MESSAGE, "KeyValue", True)},
    "ExportTraceServiceResponse": {},
}

_WIRE_VARINT, _WIRE_64, _WIRE_LEN, _WIRE_32 = 0, 1, 2, 5
_WIRE_OF = {VARINT: _WIRE_VARINT, INT64: _WIRE_VARINT, BOOL: _WIRE_VARINT, ENUM: _WIRE_VARINT,
            FIXED64: _WIRE_64, DOUBLE: _WIRE_64, FIXED32: _WIRE_32, STRING: _WIRE_LEN, BYTES: _WIRE_LEN,
            MESSAGE: _WIRE_LEN}
_MAX_DEPTH = 64  # nested AnyValues; deeper payloads are refused rather than recursed into


class _Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def varint(self):
        result = shift = 0
        while True:
            if self.pos >= len(self.data):
                raise InvalidParameter("Invalid OpenTelemetry payload: truncated varint")
            byte = self.data[self.pos]
            self.pos += 1
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7
            if shift > 63:
                raise InvalidParameter("Invalid OpenTelemetry payload: varint too long")

    def take(self, count):
        if count < 0 or self.pos + count > len(self.data):
            raise InvalidParameter("Invalid OpenTelemetry payload: field runs past the end")
        chunk = self.data[self.pos:self.pos + count]
        self.pos += count
        return chunk


def _skip(reader, wire_type):
    if wire_type == _WIRE_VARINT:
        reader.varint()
    elif wire_type == _WIRE_64:
        reader.take(8)
    elif wire_type == _WIRE_LEN:
        reader.take(reader.varint())
    elif wire_type == _WIRE_32:
        reader.take(4)
    else:
        raise InvalidParameter(f"Invalid OpenTelemetry payload: unsupported wire type {wire_type}")


def _scalar(kind, type_name, reader):
    if kind in (VARINT, INT64):
        value = reader.varint()
        return value - (1 << 64) if kind == INT64 and value >= 1 << 63 else value
    if kind == BOOL:
        return bool(reader.varint())
    if kind == ENUM:
        number = reader.varint()
        return _ENUMS[type_name].get(number, number)
    if kind == FIXED64:
        return struct.unpack("<Q", reader.take(8))[0]
    if kind == DOUBLE:
        return struct.unpack("<d", reader.take(8))[0]
    if kind == FIXED32:
        return struct.unpack("<I", reader.take(4))[0]
    raw = reader.take(reader.varint())
    if kind == STRING:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidParameter("Invalid OpenTelemetry payload: string field is not UTF-8") from None
    return base64.b64encode(raw).decode("ascii")  # BYTES


def decode_message(data, message="ExportTraceServiceRequest", depth=0):
    """Decode protobuf bytes of one message of SCHEMA into its proto-JSON dict."""
    if depth > _MAX_DEPTH:
        raise InvalidParameter("Invalid OpenTelemetry payload: nested too deeply")
    fields = SCHEMA[message]
    reader = _Reader(bytes(data))
    out = {}
    while reader.pos < len(reader.data):
        key = reader.varint()
        number, wire_type = key >> 3, key & 7
        spec = fields.get(number)
        if spec is None or _WIRE_OF[spec[1]] != wire_type:
            _skip(reader, wire_type)  # unknown field (newer OTLP) or a type we do not model
            continue
        name, kind, type_name, repeated = spec
        if kind == MESSAGE:
            value = decode_message(reader.take(reader.varint()), type_name, depth + 1)
        else:
            value = _scalar(kind, type_name, reader)
        if repeated:
            out.setdefault(name, []).append(value)
        else:
            out[name] = value
    return out


# ---------------------------------------------------------------- encoding
def _varint_bytes(number):
    if number < 0:
        number += 1 << 64
    out = bytearray()
    while True:
        byte = number & 0x7F
        number >>= 7
        if number:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _enum_number(type_name, value):
    if isinstance(value, int):
        return value
    for number, name in _ENUMS[type_name].items():
        if name == value:
            return number
    raise InvalidParameter(f"Unknown {type_name} value {value!r}")


def _encode_scalar(kind, type_name, value):
    if kind in (VARINT, INT64):
        return _varint_bytes(int(value))
    if kind == BOOL:
        return _varint_bytes(1 if value else 0)
    if kind == ENUM:
        return _varint_bytes(_enum_number(type_name, value))
    if kind == FIXED64:
        return struct.pack("<Q", int(value))
    if kind == DOUBLE:
        return struct.pack("<d", float(value))
    if kind == FIXED32:
        return struct.pack("<I", int(value))
    raw = value.encode("utf-8") if kind == STRING else base64.b64decode(value)
    return _varint_bytes(len(raw)) + raw


def encode_message(data, message="ExportTraceServiceRequest"):
    """Encode a proto-JSON dict of one SCHEMA message into protobuf bytes."""
    by_name = {spec[0]: (number,) + spec[1:] for number, spec in SCHEMA[message].items()}
    out = bytearray()
    for name, value in data.items():
        if value is None or name not in by_name:
            continue
        number, kind, type_name, repeated = by_name[name]
        for item in (value if repeated else [value]):
            out += _varint_bytes(number << 3 | _WIRE_OF[kind])
            if kind == MESSAGE:
                body = encode_message(item, type_name)
                out += _varint_bytes(len(body)) + body
            else:
                out += _encode_scalar(kind, type_name, item)
    return bytes(out)


# ---------------------------------------------------------------- AnyValue <-> python
def anyvalue_to_python(value):
    """An OTLP AnyValue (proto JSON) -> a plain python value."""
    if not isinstance(value, dict) or not value:
        return None
    if "string_value" in value:
        return value["string_value"]
    if "bool_value" in value:
        return bool(value["bool_value"])
    if "int_value" in value:
        return int(value["int_value"])
    if "double_value" in value:
        return float(value["double_value"])
    if "array_value" in value:
        return [anyvalue_to_python(v) for v in (value["array_value"] or {}).get("values", [])]
    if "kvlist_value" in value:
        return keyvalues_to_dict((value["kvlist_value"] or {}).get("values", []))
    if "bytes_value" in value:
        return value["bytes_value"]
    # camelCase spelling of OTLP/JSON senders
    for camel, snake in (("stringValue", "string_value"), ("boolValue", "bool_value"), ("intValue", "int_value"),
                         ("doubleValue", "double_value"), ("arrayValue", "array_value"),
                         ("kvlistValue", "kvlist_value"), ("bytesValue", "bytes_value")):
        if camel in value:
            return anyvalue_to_python({snake: value[camel]})
    return None


def keyvalues_to_dict(items):
    return {item.get("key", ""): anyvalue_to_python(item.get("value")) for item in items or []}


def python_to_anyvalue(value):
    """A plain python value -> an OTLP AnyValue (proto JSON)."""
    if value is None:
        return {}
    if isinstance(value, bool):
        return {"bool_value": value}
    if isinstance(value, int):
        if -(1 << 63) <= value < 1 << 63:
            return {"int_value": value}
        return {"string_value": str(value)}
    if isinstance(value, float):
        return {"double_value": value}
    if isinstance(value, str):
        return {"string_value": value}
    if isinstance(value, (list, tuple)):
        return {"array_value": {"values": [python_to_anyvalue(v) for v in value]}}
    if isinstance(value, dict):
        return {"kvlist_value": {"values": [{"key": str(k), "value": python_to_anyvalue(v)} for k, v in value.items()]}}
    return {"string_value": json.dumps(value, default=str)}


# ---------------------------------------------------------------- requests
def spans_from_export_request(body, content_type="application/x-protobuf"):
    """The OTel proto-JSON spans of an ExportTraceServiceRequest (binary or OTLP/JSON)."""
    return [span for _resource, span in resource_spans_of(body, content_type)]


def resource_spans_of(body, content_type="application/x-protobuf"):
    """(resource attributes as a dict, proto-JSON span) for every span of an ExportTraceServiceRequest."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type == "application/json":
        request = _json_request(body)
    elif media_type == "application/x-protobuf":
        request = decode_message(body)
    else:
        raise InvalidParameter(
            f"Invalid Content-Type: {content_type}. Expected: application/x-protobuf or application/json")
    if not request.get("resource_spans"):
        raise InvalidParameter("Invalid OpenTelemetry format - no spans found")
    out = []
    for resource_spans in request["resource_spans"]:
        resource = keyvalues_to_dict((resource_spans.get("resource") or {}).get("attributes") or [])
        for scope_spans in resource_spans.get("scope_spans") or []:
            out.extend((resource, span) for span in scope_spans.get("spans") or [])
    return out


def export_request_bytes(otel_spans):
    """Binary ExportTraceServiceRequest carrying one resource/scope with these proto-JSON spans."""
    return encode_message({"resource_spans": [{"resource": {}, "scope_spans": [{"spans": list(otel_spans)}]}]})


_CAMEL_TO_SNAKE = {"resourceSpans": "resource_spans", "scopeSpans": "scope_spans", "traceId": "trace_id",
                   "spanId": "span_id", "parentSpanId": "parent_span_id", "traceState": "trace_state",
                   "startTimeUnixNano": "start_time_unix_nano", "endTimeUnixNano": "end_time_unix_nano",
                   "timeUnixNano": "time_unix_nano", "droppedAttributesCount": "dropped_attributes_count",
                   "kvlistValue": "kvlist_value", "arrayValue": "array_value", "stringValue": "string_value",
                   "intValue": "int_value", "boolValue": "bool_value", "doubleValue": "double_value",
                   "bytesValue": "bytes_value", "schemaUrl": "schema_url"}
_HEX_ID_FIELDS = ("trace_id", "span_id", "parent_span_id")
_NUMERIC_FIELDS = ("start_time_unix_nano", "end_time_unix_nano", "time_unix_nano", "int_value")


def _normalise_json(node, in_span=False):
    if isinstance(node, list):
        return [_normalise_json(item, in_span) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        name = _CAMEL_TO_SNAKE.get(key, key)
        value = _normalise_json(value, in_span or name == "spans")
        if name in _HEX_ID_FIELDS and isinstance(value, str) and value:
            # OTLP/JSON writes ids in hex; our proto JSON uses base64 like protobuf does.
            try:
                value = base64.b64encode(bytes.fromhex(value)).decode("ascii")
            except ValueError:
                pass
        elif name in _NUMERIC_FIELDS and isinstance(value, str) and value.isascii() and value.lstrip("-").isdigit():
            value = int(value)
        out[name] = value
    if isinstance(out.get("kind"), int):
        out["kind"] = _SPAN_KINDS.get(out["kind"], out["kind"])
    if "code" in out and isinstance(out["code"], int):
        out["code"] = _STATUS_CODES.get(out["code"], out["code"])
    return out


def _json_request(body):
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameter("Invalid OpenTelemetry format") from None
    if not isinstance(data, dict):
        raise InvalidParameter("Invalid OpenTelemetry format")
    return _normalise_json(data)


def decompress(body, encoding):
    """Undo a Content-Encoding of gzip or deflate (what OTLP exporters send)."""
    encoding = (encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return body
    import zlib

    try:
        if encoding == "gzip":
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return zlib.decompress(body)
    except zlib.error:
        raise InvalidParameter(f"Invalid {encoding} request body") from None
    raise InvalidParameter(f"Unsupported Content-Encoding {encoding!r}: use gzip or deflate")
