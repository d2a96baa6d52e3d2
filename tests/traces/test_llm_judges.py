"""LLM judges over HTTP: the request a judge sends (to a local OpenAI-compatible stand-in on 127.0.0.1), the
verdict it reads back, and the clear errors without credentials or with an unsupported provider."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from runtime.errors import InvalidParameter, MlfError
from runtime.tracing.entities import EXPECTATION, Assessment, Span
from runtime.tracing.evaluate import evaluate_traces, results_json
from runtime.tracing.llm import parse_verdict, render_prompt
from runtime.tracing.otlp import spans_from_export_request
from runtime.tracing.scorers import check_instructions, parse_scorer_spec, serialize_judge, split_scorer_specs

FIXTURE_SPANS = [Span.from_proto_json(s) for s in spans_from_export_request(
    (Path(__file__).parent / "fixtures" / "otlp_export_request.bin").read_bytes())]
TRACE_ID = FIXTURE_SPANS[0].request_id


class _ModelStandIn(BaseHTTPRequestHandler):
    """Answers chat completions like the OpenAI API; remembers what it was asked."""

    requests = []
    answer = '{"result": "yes", "rationale": "42 is twice 21."}'

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": type(self).answer}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def model_server():
    _ModelStandIn.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ModelStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def store(tmp_path):
    from runtime.store.factory import get_tracking_store

    store = get_tracking_store(str(tmp_path / "mlruns"))
    store.log_spans("0", FIXTURE_SPANS)
    store.create_assessment(Assessment(name="expected_response", kind=EXPECTATION, value="42", trace_id=TRACE_ID))
    yield store
    store.close()


def test_registered_judge_calls_the_model_and_logs_its_verdict(store, model_server):
    store.register_scorer("0", "doubles", serialize_judge(
        "doubles", "Is {{ outputs }} double of {{ inputs }}? Expected: {{ expectations }}", "openai:/gpt-4o-mini"))
    environ = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": model_server}
    results = evaluate_traces(store, "0", [TRACE_ID], ["doubles", "response_length(max_length=10)"], environ)
    assert results_json(results) == {"trace_id": TRACE_ID, "assessments": [
        {"name": "doubles", "result": "yes", "rationale": "42 is twice 21.", "error": None},
        {"name": "response_length", "result": "yes", "rationale": "Output has 2 chars; allowed range [0, 10].",
         "error": None}]}
    (request,) = _ModelStandIn.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "gpt-4o-mini"
    prompt = request["body"]["messages"][-1]["content"]
    assert prompt == 'Is 42 double of {"x": 21}? Expected: {"expected_response": "42"}'
    logged = {a.name: a for a in store.get_trace_info(TRACE_ID).assessments}
    assert logged["doubles"].value == "yes" and logged["doubles"].source.source_type == "LLM_JUDGE"
    assert logged["doubles"].source.source_id == "openai:/gpt-4o-mini"
    assert logged["response_length"].source.source_type == "CODE"


def test_builtin_llm_judge_with_an_unparseable_answer_keeps_the_text(store, model_server):
    _ModelStandIn.answer = "Yes, it is relevant."
    results = evaluate_traces(store, "0", [TRACE_ID], ["RelevanceToQuery"],
                              {"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": model_server}, log=False)
    assert results[0].assessments[0].result == "Yes, it is relevant."
    assert _ModelStandIn.requests[0]["body"]["model"] == "gpt-4.1-mini"


def test_judges_need_credentials_and_a_known_provider(store):
    store.register_scorer("0", "mistral_judge", serialize_judge("mistral_judge", "{{ outputs }}?", "mistral:/large"))
    with pytest.raises(MlfError, match="set OPENAI_API_KEY"):
        evaluate_traces(store, "0", [TRACE_ID], ["safety"], {})
    with pytest.raises(MlfError, match="not supported by mlf"):
        evaluate_traces(store, "0", [TRACE_ID], ["mistral_judge"], {})
    assert store.get_trace_info(TRACE_ID).assessments[0].name == "expected_response"  # nothing logged


def test_model_errors_become_scorer_errors(store):
    environ = {"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    results = evaluate_traces(store, "0", [TRACE_ID], ["safety"], environ)
    assert "Could not reach the judge model" in results[0].assessments[0].error
    feedback = [a for a in store.get_trace_info(TRACE_ID).assessments if a.name == "safety"][0]
    assert feedback.error["error_code"] == "SCORER_ERROR"


@pytest.mark.parametrize("instructions", ["{{ inputs }}", "x {{outputs}} y", "{{ expectations }}", "{{trace}}"])
def test_instructions_with_a_template_variable(instructions):
    assert check_instructions(instructions) == instructions


@pytest.mark.parametrize("instructions, fragment", [
    ("no variables", "at least one variable"),
    ("{{ input }} is singular", "Unknown template variable"),
    ("", "at least one variable"),
])
def test_instructions_without_a_known_variable(instructions, fragment):
    with pytest.raises(InvalidParameter, match=fragment):
        check_instructions(instructions)


def test_serialized_judge_has_mlflows_layout():
    data = json.loads(serialize_judge("q", "Is {{ outputs }} ok?", None, "desc"))
    assert data["instructions_judge_pydantic_data"] == {
        "instructions": "Is {{ outputs }} ok?", "model": "openai:/gpt-4.1-mini",
        "feedback_value_type": {"title": "Result", "type": "string"}}
    assert data["serialization_version"] == 1 and data["description"] == "desc"
    with pytest.raises(InvalidParameter, match="provider"):
        serialize_judge("q", "{{ outputs }}", "gpt-4")


def test_scorer_specs_and_prompts():
    assert split_scorer_specs("a, regex_match(pattern='x,y'), b") == ["a", "regex_match(pattern='x,y')", "b"]
    spec = parse_scorer_spec('response_length(max_length=5, unit="words")')
    assert (spec.name, spec.arguments) == ("response_length", {"max_length": 5, "unit": "words"})
    assert render_prompt("{{ inputs }} / {{ outputs }}", {"inputs": {"q": 1}, "outputs": "text"}) == '{"q": 1} / text'
    assert parse_verdict('Sure. {"result": 3, "rationale": "r"}') == (3, "r")
