"""Check an invocation body the way mlflow's request models do, before any provider sees it.

A failure is a 422 whose detail lists the problems in FastAPI's shape, as mlflow answers.
The checked payload keeps every field the client sent (providers forward unknown ones) and
gets mlflow's default `n: 1` for chat and completions.
"""

from runtime.gateway.errors import GatewayError

_RANGES = {
    "temperature": (0, 2), "top_p": (0, 1), "presence_penalty": (-2, 2), "frequency_penalty": (-2, 2),
}
_POSITIVE_INTS = ("n", "max_tokens", "max_completion_tokens", "top_k")


def _problem(field, message):
    return {"type": "value_error", "loc": ["body", field], "msg": message}


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _common(payload, problems):
    for field, (low, high) in _RANGES.items():
        value = payload.get(field)
        if value is not None and not (_number(value) and low <= value <= high):
            problems.append(_problem(field, f"Input should be a number between {low} and {high}"))
    for field in _POSITIVE_INTS:
        value = payload.get(field)
        if value is not None and not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
            problems.append(_problem(field, "Input should be an integer greater than or equal to 1"))
    stop = payload.get("stop")
    if isinstance(stop, str):
        payload["stop"] = [stop]
    elif stop is not None and not (isinstance(stop, list) and stop and all(isinstance(s, str) for s in stop)):
        problems.append(_problem("stop", "Input should be a non-empty list of strings"))
    stream = payload.get("stream")
    if stream is not None and not isinstance(stream, bool):
        problems.append(_problem("stream", "Input should be a valid boolean"))
    payload.setdefault("n", 1)


def _chat(payload, problems):
    messages = payload.get("messages")
    if not isinstance(messages, list) or not messages:
        problems.append(_problem("messages", "Field required" if messages is None else "List should have at least 1 item"))
        return
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            problems.append({"type": "value_error", "loc": ["body", "messages", index], "msg": "A message needs a 'role'"})


def _completions(payload, problems):
    if not isinstance(payload.get("prompt"), str):
        problems.append(_problem("prompt", "Field required" if "prompt" not in payload else "Input should be a valid string"))


def _embeddings(payload, problems):
    value = payload.get("input")
    ok = isinstance(value, str) or (
        isinstance(value, list)
        and (all(isinstance(v, str) for v in value) or all(isinstance(v, int) for v in value)
             or all(isinstance(v, list) and all(isinstance(i, int) for i in v) for v in value))
    )
    if not ok:
        problems.append(_problem("input", "Field required" if value is None else "Input should be text, a list of texts or token lists"))


_CHECKS = {"chat": _chat, "completions": _completions, "embeddings": _embeddings}


def check_payload(kind, payload):
    if not isinstance(payload, dict):
        raise GatewayError(422, [{"type": "model_attributes_type", "loc": ["body"], "msg": "Input should be a JSON object"}])
    payload = dict(payload)
    problems = []
    _CHECKS[kind](payload, problems)
    if kind != "embeddings":
        _common(payload, problems)
    if problems:
        raise GatewayError(422, problems)
    return payload
