"""`traces evaluate --scorers` splits scorers only on top-level commas (not inside quotes or parentheses)."""

import io
import json
from pathlib import Path

from runtime.cli.main import run
from runtime.tracing.entities import Span
from runtime.tracing.otlp import spans_from_export_request

FIXTURE = Path(__file__).resolve().parents[1] / "traces" / "fixtures" / "otlp_export_request.bin"


def test_a_comma_inside_a_quoted_scorer_argument_does_not_split(tmp_path, monkeypatch):
    from runtime.store.factory import get_tracking_store

    spans = [Span.from_proto_json(s) for s in spans_from_export_request(FIXTURE.read_bytes())]
    uri = str(tmp_path / "mlruns")
    store = get_tracking_store(uri, str(tmp_path / "artifacts"))
    store.log_spans("0", spans)
    store.close()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    out, err = io.StringIO(), io.StringIO()
    code = run(["traces", "evaluate", "-x", "0", "--trace-ids", spans[0].request_id, "--output", "json",
                "--scorers", "regex_match(pattern='^(4|No),?'), response_length(max_length=5)"], stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    result = json.loads(out.getvalue())
    assert [(a["name"], a["result"]) for a in result["assessments"]] == [("regex_match", "yes"),
                                                                        ("response_length", "yes")]
