"""A Claude Code session transcript (JSONL) as a trace.

The tree:

    claude_code_session (AGENT)        the whole session: first prompt -> final answer
      user_prompt (CHAIN)              one per prompt the user typed
        assistant (LLM)                each reply of the model, with token usage
        tool_<Name> (TOOL)             each tool call: its input and its result

Claude Code writes one JSON object per line: "user" entries (a typed prompt,
or tool results in a list of tool_result blocks), "assistant" entries (one
line per content block; lines of one reply share message.id and repeat its
usage), plus summaries and metadata lines that carry no conversation.
Side-chain (sub-agent) and meta entries are left out.

Ids are derived from the session id and the transcript's own ids, so building
the trace again from a longer transcript updates the same trace and spans.
"""

import base64
import hashlib
import json
from datetime import datetime

from runtime.errors import InvalidParameter
from runtime.tracing.build import trace_info_from_spans
from runtime.tracing.entities import MetadataKey, Span, SpanAttribute, StatusCode, TRACE_ID_PREFIX

SESSION_SPAN = "claude_code_session"
PROMPT_SPAN = "user_prompt"
ASSISTANT_SPAN = "assistant"
SESSION_ATTRIBUTE = "claude_code.session_id"


def read_transcript(path):
    """The transcript's entries (blank or malformed lines are skipped)."""
    entries = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                entries.append(entry)
    return entries


def _nanos(timestamp):
    if not timestamp:
        return None
    try:
        moment = datetime.fromisoformat(str(timestamp).replace("Z", "+00:00"))
    except ValueError:
        return None
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000


def _text_of(content):
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if isinstance(block, dict) and block.get("type") == "text":
            parts.append(block.get("text", ""))
        elif isinstance(block, str):
            parts.append(block)
    return "\n".join(p for p in parts if p)


def _is_tool_result(entry):
    content = (entry.get("message") or {}).get("content")
    return isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content)


def _is_prompt(entry):
    if entry.get("type") != "user" or entry.get("isMeta") or _is_tool_result(entry):
        return False
    return bool(_text_of((entry.get("message") or {}).get("content")).strip())


def _usage(usage):
    """Claude's usage as mlflow.chat.tokenUsage: non-cached input, output, their total, cache counts apart."""
    if not isinstance(usage, dict):
        return None
    inputs, outputs = int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)
    out = {"input_tokens": inputs, "output_tokens": outputs, "total_tokens": inputs + outputs}
    for key in ("cache_read_input_tokens", "cache_creation_input_tokens"):
        if usage.get(key) is not None:
            out[key] = int(usage[key])
    return out


class _Ids:
    """Stable ids: the OTel trace id from the session, span ids from the transcript's own ids."""

    def __init__(self, session_id):
        self.session_id = session_id
        self.trace_bytes = hashlib.md5(f"claude-code:{session_id}".encode()).digest()

    @property
    def trace_id(self):
        return TRACE_ID_PREFIX + self.trace_bytes.hex()

    @property
    def otel_trace_id(self):
        return base64.b64encode(self.trace_bytes).decode("ascii")

    def span(self, key):
        digest = hashlib.sha256(f"{self.session_id}:{key}".encode()).digest()[:8]
        return base64.b64encode(digest).decode("ascii")


def _span(ids, key, name, span_type, start, end, parent=None, inputs=None, outputs=None, attributes=None,
          status=StatusCode.OK, message=""):
    span = Span(trace_id=ids.otel_trace_id, span_id=ids.span(key), name=name, start_time_unix_nano=start,
                end_time_unix_nano=max(end, start), parent_span_id=parent.span_id if parent else None,
                status_code=status, status_message=message)
    span.set_attribute(SpanAttribute.REQUEST_ID, ids.trace_id)
    span.set_attribute(SpanAttribute.SPAN_TYPE, span_type)
    if inputs is not None:
        span.set_attribute(SpanAttribute.INPUTS, inputs)
    if outputs is not None:
        span.set_attribute(SpanAttribute.OUTPUTS, outputs)
    for key, value in (attributes or {}).items():
        span.set_attribute(key, value)
    return span


def _turns(entries):
    """[(prompt entry, [entries until the next prompt])] for the conversation entries."""
    turns = []
    for entry in entries:
        if _is_prompt(entry):
            turns.append((entry, []))
        elif turns:
            turns[-1][1].append(entry)
    return turns


def _assistant_messages(turn_entries):
    """Replies of the model in a turn: message id -> merged blocks, model, usage, first/last time."""
    replies = {}
    for entry in turn_entries:
        if entry.get("type") != "assistant":
            continue
        message = entry.get("message") or {}
        key = message.get("id") or entry.get("uuid")
        reply = replies.setdefault(key, {"blocks": [], "model": message.get("model"), "usage": None,
                                         "first": _nanos(entry.get("timestamp")), "last": None})
        reply["blocks"].extend(b for b in message.get("content") or [] if isinstance(b, dict))
        reply["usage"] = message.get("usage") or reply["usage"]  # every line repeats it; the last is final
        reply["last"] = _nanos(entry.get("timestamp")) or reply["last"]
    return replies


def _tool_results(turn_entries):
    """tool_use_id -> (result content, is_error, time)."""
    results = {}
    for entry in turn_entries:
        if entry.get("type") != "user":
            continue
        for block in (entry.get("message") or {}).get("content") or []:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                content = block.get("content")
                text = _text_of(content) if isinstance(content, list) else content
                results[block.get("tool_use_id")] = (text, bool(block.get("is_error")), _nanos(entry.get("timestamp")))
    return results


def transcript_to_spans(entries, session_id=None):
    """(trace id, spans) of a transcript; InvalidParameter when it holds no conversation."""
    entries = [e for e in entries
               if not e.get("isSidechain") and not e.get("isMeta") and _nanos(e.get("timestamp")) is not None]
    session_id = session_id or next((e.get("sessionId") for e in entries if e.get("sessionId")), None)
    turns = _turns(entries)
    if not session_id or not turns:
        raise InvalidParameter("The transcript holds no user prompt to trace")
    ids = _Ids(session_id)
    start, end = _nanos(entries[0]["timestamp"]), _nanos(entries[-1]["timestamp"])
    first_prompt = _text_of(turns[0][0]["message"]["content"])
    final_answer = None
    children = []
    prompt_spans = []
    for prompt_entry, turn_entries in turns:
        prompt_text = _text_of(prompt_entry["message"]["content"])
        turn_start = _nanos(prompt_entry["timestamp"])
        turn_end = max([turn_start] + [_nanos(e["timestamp"]) for e in turn_entries])
        replies = _assistant_messages(turn_entries)
        results = _tool_results(turn_entries)
        answer = None
        previous_time = turn_start
        placeholder = _span(ids, prompt_entry.get("uuid") or turn_start, PROMPT_SPAN, "CHAIN", turn_start, turn_end)
        for message_id, reply in replies.items():
            text = _text_of(reply["blocks"])
            answer = text or answer
            tool_uses = [b for b in reply["blocks"] if b.get("type") == "tool_use"]
            attributes = {"mlflow.llm.model": reply["model"]} if reply["model"] else {}
            usage = _usage(reply["usage"])
            if usage:
                attributes[SpanAttribute.CHAT_USAGE] = usage
            reply_end = reply["last"] or reply["first"]
            children.append(_span(ids, message_id, ASSISTANT_SPAN, "LLM", min(previous_time, reply["first"]),
                                  reply_end, placeholder, inputs={"model": reply["model"]},
                                  outputs={"text": text, "tool_calls": [{"id": t.get("id"), "name": t.get("name"),
                                                                         "input": t.get("input")} for t in tool_uses]},
                                  attributes=attributes))
            previous_time = reply_end
            for tool in tool_uses:
                result, failed, result_time = results.get(tool.get("id"), (None, False, None))
                tool_end = result_time or reply_end
                children.append(_span(ids, tool.get("id"), f"tool_{tool.get('name', 'unknown')}", "TOOL", reply_end,
                                      tool_end, placeholder, inputs=tool.get("input"),
                                      outputs={"result": result, "is_error": failed},
                                      attributes={"claude_code.tool_use_id": tool.get("id")},
                                      status=StatusCode.ERROR if failed else StatusCode.OK,
                                      message="the tool reported an error" if failed else ""))
                previous_time = max(previous_time, tool_end)
        final_answer = answer or final_answer
        placeholder.set_attribute(SpanAttribute.INPUTS, {"prompt": prompt_text})
        placeholder.set_attribute(SpanAttribute.OUTPUTS, {"response": answer})
        prompt_spans.append(placeholder)
    last = entries[-1]
    root = _span(ids, "session", SESSION_SPAN, "AGENT", start, end, inputs={"prompt": first_prompt},
                 outputs={"response": final_answer},
                 attributes={SESSION_ATTRIBUTE: session_id, "claude_code.cwd": last.get("cwd"),
                             "claude_code.version": last.get("version"),
                             "claude_code.git_branch": last.get("gitBranch"),
                             "claude_code.turns": len(turns)})
    for span in prompt_spans:
        span.parent_span_id = root.span_id
    return ids.trace_id, [root] + _interleave(prompt_spans, children)


def _interleave(prompt_spans, children):
    """Each prompt span followed by its children, in time order."""
    by_parent = {}
    for child in children:
        by_parent.setdefault(child.parent_span_id, []).append(child)
    ordered = []
    for span in prompt_spans:
        ordered.append(span)
        ordered.extend(sorted(by_parent.get(span.span_id, []), key=lambda s: s.start_time_unix_nano))
    return ordered


def transcript_trace_info(trace_id, experiment_id, spans, session_id, user=None):
    """Trace info for the session's spans: session and user in the metadata, as MLflow records them."""
    metadata = {MetadataKey.TRACE_SESSION: session_id, MetadataKey.SOURCE_NAME: "claude-code"}
    if user:
        metadata[MetadataKey.TRACE_USER] = user
    return trace_info_from_spans(trace_id, experiment_id, spans, metadata=metadata,
                                 tags={SESSION_ATTRIBUTE: session_id})
