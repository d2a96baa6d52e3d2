"""`traces evaluate`: run scorers over traces, log their feedback, and shape the results.

Each scorer sees a trace as MLflow's scorers do: ``inputs`` and ``outputs``
(the root span's, else the trace's previews), ``expectations`` (name -> value
of the trace's valid expectations) and ``trace`` (the whole trace as JSON).
A scorer that fails gives an error for that trace instead of a value.
"""

import json
import os
from dataclasses import dataclass, field

from runtime.errors import MlfError, NotFound, UsageError
from runtime.tracing import scorers as catalog
from runtime.tracing.entities import EXPECTATION, FEEDBACK, Assessment, AssessmentSource, SourceType
from runtime.tracing.service import parse_value


@dataclass
class ScoreResult:
    name: str
    result: object = None
    rationale: str = None
    error: str = None


@dataclass
class TraceResult:
    trace_id: str
    assessments: list = field(default_factory=list)


@dataclass
class ResolvedScorer:
    name: str
    builtin: object = None  # a BuiltinScorer
    judge: object = None  # a scorers.Judge (registered, or a built-in LLM judge)
    arguments: dict = field(default_factory=dict)

    @property
    def source(self):
        if self.judge is not None:
            return AssessmentSource(SourceType.LLM_JUDGE, self.judge.model)
        return AssessmentSource(SourceType.CODE, f"mlf.scorers.{self.name}")


def scorer_inputs(trace):
    """{inputs, outputs, expectations, trace} for one trace."""
    root = next((s for s in trace.spans if s.is_root), None)
    inputs = root.inputs if root is not None else parse_value(trace.info.request_preview)
    outputs = root.outputs if root is not None else parse_value(trace.info.response_preview)
    expectations = {a.name: a.value for a in trace.info.assessments if a.kind == EXPECTATION and a.valid is not False}
    return {"inputs": inputs, "outputs": outputs, "expectations": expectations, "trace": trace.to_dict()}


def _output_text(outputs):
    if outputs is None or isinstance(outputs, str):
        return outputs
    return json.dumps(outputs, ensure_ascii=False, default=str)


def resolve_scorers(store, experiment_id, specs):
    resolved = []
    for text in specs:
        spec = catalog.parse_scorer_spec(text)
        entry = catalog.builtin(spec.name)
        if entry is not None:
            if entry.session_level:
                raise UsageError(f"Scorer {entry.name!r} judges whole conversations (sessions); `traces evaluate` "
                                 "scores traces one at a time.")
            missing = [a for a in entry.required_args if a not in spec.arguments]
            if missing and entry.offline:
                raise UsageError(f"Scorer {entry.name!r} needs {', '.join(missing)}: e.g. "
                                 f"{entry.name}({missing[0]}=...)")
            judge = None
            if not entry.offline:
                instructions = entry.instructions
                if spec.arguments.get("guidelines"):
                    instructions += f" Guidelines: {spec.arguments['guidelines']}"
                judge = catalog.Judge(entry.name, instructions, spec.arguments.get("model",
                                                                                  catalog.DEFAULT_JUDGE_MODEL))
            resolved.append(ResolvedScorer(entry.name, entry, judge, spec.arguments))
            continue
        try:
            registered = store.get_scorer(experiment_id, spec.name)
        except NotFound:
            raise UsageError(f"Unknown scorer {spec.name!r}: it is not built in (see `mlf scorers list --builtin`) "
                             f"and not registered in experiment {experiment_id}.") from None
        judge = catalog.judge_from_definition(spec.name, registered.definition, registered.version)
        if judge is None:
            entry = catalog.builtin(registered.definition.get("name") or spec.name)
            if entry is None:
                raise UsageError(f"Registered scorer {spec.name!r} names a built-in scorer mlf does not have.")
            resolved.append(ResolvedScorer(spec.name, entry, None, spec.arguments))
        else:
            resolved.append(ResolvedScorer(spec.name, None, judge, spec.arguments))
    return resolved


def run_scorer(scorer, values, environ):
    """One ScoreResult (errors are captured, not raised)."""
    try:
        if scorer.judge is None:
            function = catalog.DETERMINISTIC[scorer.builtin.name]
            score = function(_output_text(values["outputs"]), expectations=values["expectations"],
                             **scorer.arguments)
            return ScoreResult(scorer.name, score.value, score.rationale)
        from runtime.tracing.llm import complete, parse_verdict, render_prompt

        answer = complete(scorer.judge.model, render_prompt(scorer.judge.instructions, values), environ,
                          base_url=scorer.arguments.get("base_url"))
        result, rationale = parse_verdict(answer)
        return ScoreResult(scorer.name, result, rationale)
    except UsageError:
        raise
    except MlfError as exc:
        return ScoreResult(scorer.name, error=exc.message)
    except Exception as exc:  # noqa: BLE001 - a scorer's own failure is a result, not a crash
        return ScoreResult(scorer.name, error=f"{type(exc).__name__}: {exc}")


def _gather(store, experiment_id, trace_ids):
    traces = []
    for trace_id in trace_ids:
        try:
            trace = store.get_trace(trace_id)
        except NotFound:
            raise UsageError(f"Trace with ID '{trace_id}' not found") from None
        if trace.info.experiment_id != str(experiment_id):
            raise UsageError(f"Trace '{trace_id}' belongs to experiment '{trace.info.experiment_id}', not the "
                             f"specified experiment '{experiment_id}'")
        traces.append(trace)
    return traces


def evaluate_traces(store, experiment_id, trace_ids, scorer_specs, environ=None, progress=None, log=True):
    """Score every trace with every scorer; log the feedback to the traces; return TraceResults."""
    environ = os.environ if environ is None else environ
    if not trace_ids:
        raise UsageError.for_param("trace_ids", "needs at least one trace id.")
    if not scorer_specs:
        raise UsageError.for_param("scorers", "needs at least one scorer.")
    traces = _gather(store, experiment_id, trace_ids)
    scorers = resolve_scorers(store, experiment_id, scorer_specs)
    for scorer in scorers:
        if scorer.judge is not None:
            from runtime.tracing.llm import check_credentials

            check_credentials(scorer.judge.model, environ, scorer.arguments.get("base_url"))
    if progress is not None:
        names = ", ".join(s.name for s in scorers)
        subject = f"trace {traces[0].info.trace_id}" if len(traces) == 1 else f"{len(traces)} traces"
        print(f"Evaluating {subject} with scorers: {names}...", file=progress)
    results = []
    for trace in traces:
        values = scorer_inputs(trace)
        outcome = TraceResult(trace.info.trace_id)
        for scorer in scorers:
            score = run_scorer(scorer, values, environ)
            outcome.assessments.append(score)
            if log:
                error = {"error_code": "SCORER_ERROR", "error_message": score.error} if score.error else None
                store.create_assessment(Assessment(
                    name=scorer.name, kind=FEEDBACK, value=score.result, error=error, trace_id=trace.info.trace_id,
                    source=scorer.source, rationale=score.rationale))
        results.append(outcome)
    return results


def results_json(results):
    """MLflow's shape: one object for one trace, else a list."""
    data = [{"trace_id": r.trace_id, "assessments": [
        {"name": a.name, "result": a.result, "rationale": a.rationale, "error": a.error} for a in r.assessments]}
        for r in results]
    return data[0] if len(data) == 1 else data


def results_rows(results):
    """(columns, rows): one row per trace, one column per scorer (its value, or its error)."""
    names = []
    for result in results:
        for assessment in result.assessments:
            if assessment.name not in names:
                names.append(assessment.name)
    rows = []
    for result in results:
        by_name = {a.name: a for a in result.assessments}
        row = [result.trace_id]
        for name in names:
            assessment = by_name.get(name)
            if assessment is None:
                row.append("")
            elif assessment.error:
                row.append(f"error: {assessment.error}")
            else:
                value = assessment.result
                row.append(value if isinstance(value, str) else json.dumps(value))
        rows.append(row)
    return ["trace_id"] + names, rows
