"""Spans from other OpenTelemetry instrumentations, read the way MLflow's UI expects them.

Spans sent to /v1/traces by OpenTelemetry GenAI, OpenInference or Traceloop
(OpenLLMetry) instrumentation carry their kind, inputs, outputs, model and token
counts in their own attributes. MLflow translates them when it stores a span;
this module does the same, in the same order of conventions: a span type
(``mlflow.spanType``, only where none or UNKNOWN is set), ``mlflow.spanInputs`` /
``mlflow.spanOutputs`` (from attributes, else from GenAI message events),
``mlflow.chat.tokenUsage`` (which the store sums into the trace's token usage),
``mlflow.llm.model`` and ``mlflow.llm.provider``. Attributes a span already has
are never overwritten.

Span attribute values are held JSON-encoded (as MLflow stores them).
"""

import json
import re
from dataclasses import dataclass

SPAN_TYPE = "mlflow.spanType"
INPUTS = "mlflow.spanInputs"
OUTPUTS = "mlflow.spanOutputs"
CHAT_USAGE = "mlflow.chat.tokenUsage"
CHAT_TOOLS = "mlflow.chat.tools"
MODEL = "mlflow.llm.model"
MODEL_PROVIDER = "mlflow.llm.provider"
SERVICE_NAME = "service.name"
# Agents whose OTLP resource service.name MLflow copies onto the root span.
KNOWN_SERVICE_NAMES = frozenset({"claude-code", "codex_cli_rs", "codex_vscode", "gemini-cli", "qwen-code"})


@dataclass(frozen=True)
class Convention:
    """Which attributes of one convention hold what MLflow wants to know."""

    kind_key: str
    kinds: dict
    input_tokens: str = None
    output_tokens: str = None
    total_tokens: str = None
    cache_read_tokens: tuple = ()
    cache_write_tokens: tuple = ()
    inputs: tuple = ()  # attribute names or compiled patterns
    outputs: tuple = ()
    models: tuple = ()
    provider: str = None
    tools: tuple = ()


OPENINFERENCE = Convention(
    kind_key="openinference.span.kind",
    kinds={"TOOL": "TOOL", "CHAIN": "CHAIN", "LLM": "LLM", "RETRIEVER": "RETRIEVER", "EMBEDDING": "EMBEDDING",
           "AGENT": "AGENT", "RERANKER": "RERANKER", "UNKNOWN": "UNKNOWN", "GUARDRAIL": "GUARDRAIL",
           "EVALUATOR": "EVALUATOR"},
    input_tokens="llm.token_count.prompt", output_tokens="llm.token_count.completion",
    total_tokens="llm.token_count.total", cache_read_tokens=("llm.token_count.prompt_details.cache_read",),
    cache_write_tokens=("llm.token_count.prompt_details.cache_write",),
    inputs=("input.value",), outputs=("output.value",),
    models=("llm.response.model_name", "llm.model_name", "llm.request.model_name", "embedding.model_name"),
    provider="llm.provider",
)
GENAI = Convention(
    kind_key="gen_ai.operation.name",
    kinds={"chat": "CHAT_MODEL", "create_agent": "AGENT", "embeddings": "EMBEDDING", "execute_tool": "TOOL",
           "generate_content": "LLM", "invoke_agent": "AGENT", "text_completion": "LLM", "response": "LLM"},
    input_tokens="gen_ai.usage.input_tokens", output_tokens="gen_ai.usage.output_tokens",
    cache_read_tokens=("gen_ai.usage.cache_read.input_tokens",),
    cache_write_tokens=("gen_ai.usage.cache_write.input_tokens", "gen_ai.usage.cache_creation.input_tokens"),
    inputs=("gen_ai.input.messages", "gen_ai.tool.call.arguments"),
    outputs=("gen_ai.output.messages", "gen_ai.tool.call.result"),
    models=("gen_ai.response.model", "gen_ai.request.model"), provider="gen_ai.provider.name",
    tools=("gen_ai.tool.definitions",),
)
TRACELOOP = Convention(
    kind_key="traceloop.span.kind",
    kinds={"workflow": "WORKFLOW", "task": "TASK", "agent": "AGENT", "tool": "TOOL", "unknown": "UNKNOWN"},
    input_tokens="gen_ai.usage.prompt_tokens", output_tokens="gen_ai.usage.completion_tokens",
    total_tokens="llm.usage.total_tokens",
    inputs=("traceloop.entity.input", re.compile(r"gen_ai\.prompt\.\d+\.content"),
            re.compile(r"gen_ai\.completion\.\d+\.tool_calls\.\d+\.arguments")),
    outputs=("traceloop.entity.output", re.compile(r"gen_ai\.completion\.\d+\.content")),
    provider="gen_ai.system",
)
CONVENTIONS = (OPENINFERENCE, GENAI, TRACELOOP)


def _decoded(value):
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _present(attributes, key):
    """The encoded value at key, unless missing or empty (null, "", {}, [] or 0 count as empty)."""
    value = attributes.get(key)
    if value is None:
        return None
    return value if _decoded(value) else None


def _first(attributes, keys):
    for key in keys:
        if isinstance(key, str):
            value = _present(attributes, key)
            if value is not None:
                return value
        else:
            for name in attributes:
                if key.match(name):
                    value = _present(attributes, name)
                    if value is not None:
                        return value
    return None


def _as_int(value):
    value = _decoded(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def span_type(attributes):
    for convention in CONVENTIONS:
        kind = attributes.get(convention.kind_key)
        if kind is not None:
            found = convention.kinds.get(_decoded(kind))
            if found:
                return found
    return None


def token_usage(attributes):
    """{input_tokens, output_tokens, total_tokens, cache_*} from the first convention that counts tokens."""
    for convention in CONVENTIONS:
        counts = {name: _as_int(attributes.get(key)) if key else None for name, key in (
            ("input_tokens", convention.input_tokens), ("output_tokens", convention.output_tokens),
            ("total_tokens", convention.total_tokens))}
        if counts["total_tokens"] is None and None not in (counts["input_tokens"], counts["output_tokens"]):
            counts["total_tokens"] = counts["input_tokens"] + counts["output_tokens"]
        usage = {name: value for name, value in counts.items() if value is not None}
        if not usage:
            continue
        for name, keys in (("cache_read_input_tokens", convention.cache_read_tokens),
                           ("cache_creation_input_tokens", convention.cache_write_tokens)):
            for key in keys:
                value = _as_int(attributes.get(key))
                if value is not None:
                    usage[name] = value
                    break
        return usage
    return None


_INPUT_EVENTS = {"gen_ai.system.message": "system", "gen_ai.user.message": "user",
                 "gen_ai.assistant.message": "assistant"}


def _messages_from_events(events, outputs):
    messages = []
    for event in events or ():
        name, attributes = event.get("name", ""), event.get("attributes") or {}
        content = attributes.get("content")
        if not content:
            continue
        if outputs and name == "gen_ai.choice":
            messages.append({"role": _decoded(attributes.get("role", "assistant")), "content": _decoded(content)})
        elif not outputs and name in _INPUT_EVENTS:
            messages.append({"role": _INPUT_EVENTS[name], "content": _decoded(content)})
    return json.dumps(messages) if messages else None


def _model_from_payload(attributes, key):
    payload = _decoded(attributes.get(key)) if attributes.get(key) else None
    if isinstance(payload, dict) and isinstance(payload.get("model"), str) and payload["model"]:
        return payload["model"]
    return None


def translate(attributes, events=None):
    """The span's attributes with MLflow's keys added from whichever convention the span follows."""
    out = dict(attributes)
    found_type = span_type(out)
    if found_type and _decoded(out.get(SPAN_TYPE)) in (None, "UNKNOWN"):
        out[SPAN_TYPE] = json.dumps(found_type)
    for key, attribute_keys, from_outputs in ((INPUTS, "inputs", False), (OUTPUTS, "outputs", True)):
        if key in out:
            continue
        value = next((v for c in CONVENTIONS if (v := _first(out, getattr(c, attribute_keys))) is not None), None)
        if value is None:
            value = _messages_from_events(events, from_outputs)
        if value is not None:
            out[key] = value
    if CHAT_USAGE not in out:
        usage = token_usage(out)
        if usage:
            out[CHAT_USAGE] = json.dumps(usage)
    if CHAT_TOOLS not in out:
        tools = next((v for c in CONVENTIONS if (v := _first(out, c.tools)) is not None), None)
        if tools is not None:
            out[CHAT_TOOLS] = tools
    if MODEL not in out:
        model = next((_decoded(v) for c in CONVENTIONS if (v := _first(out, c.models)) is not None), None)
        model = model or _model_from_payload(out, INPUTS) or _model_from_payload(out, OUTPUTS)
        if model:
            out[MODEL] = json.dumps(model)
    if MODEL_PROVIDER not in out:
        provider = next((_decoded(v) for c in CONVENTIONS if c.provider and (v := _present(out, c.provider))), None)
        if provider:
            out[MODEL_PROVIDER] = json.dumps(provider)
    return out


def known_service_name(resource_attributes):
    """service.name of an OTLP resource when it names an agent MLflow recognises, else None."""
    name = resource_attributes.get(SERVICE_NAME)
    return str(name) if name is not None and str(name) in KNOWN_SERVICE_NAMES else None
