"""Run with the real MLflow 3.17.2 client: log traces to MLFLOW_TRACKING_URI and print their ids as JSON.

    python log_traces_real_client.py log <experiment name>
    python log_traces_real_client.py read <trace id> <assessment name>
"""

import json
import sys

import mlflow


def log(experiment_name):
    mlflow.set_experiment(experiment_name)

    @mlflow.trace(span_type="CHAIN")
    def answer(question):
        with mlflow.start_span("retrieve", span_type="RETRIEVER") as span:
            span.set_inputs({"query": question})
            span.set_outputs({"documents": ["doc-1", "doc-2"]})
        with mlflow.start_span("generate", span_type="LLM") as span:
            span.set_inputs({"prompt": f"Answer: {question}"})
            span.set_attribute("mlflow.chat.tokenUsage", {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15})
            span.set_outputs("forty-two")
        mlflow.update_current_trace(tags={"env": "prod", "team": "search"})
        return "forty-two"

    @mlflow.trace(name="failing_tool", span_type="TOOL")
    def failing():
        raise ValueError("tool broke")

    answer("What is six times seven?")
    first = mlflow.get_last_active_trace_id()
    try:
        failing()
    except ValueError:
        pass
    failed = mlflow.get_last_active_trace_id()
    with mlflow.start_run() as run:
        answer("And in a run?")
        in_run = mlflow.get_last_active_trace_id()
    mlflow.flush_trace_async_logging()
    experiment_id = mlflow.get_experiment_by_name(experiment_name).experiment_id
    print(json.dumps({"experiment_id": experiment_id, "answer": first, "failed": failed, "in_run": in_run,
                      "run_id": run.info.run_id}))


def read(trace_id, assessment_name):
    trace = mlflow.get_trace(trace_id)
    found = [a for a in trace.info.assessments if a.name == assessment_name]
    searched = mlflow.search_traces(locations=[trace.info.experiment_id], filter_string="tags.reviewed = 'yes'",
                                    return_type="list")
    print(json.dumps({"value": found[0].value if found else None,
                      "rationale": found[0].rationale if found else None,
                      "source": found[0].source.source_id if found else None,
                      "spans": [s.name for s in trace.data.spans],
                      "searched": [t.info.trace_id for t in searched]}))


if __name__ == "__main__":
    {"log": log, "read": read}[sys.argv[1]](*sys.argv[2:])
