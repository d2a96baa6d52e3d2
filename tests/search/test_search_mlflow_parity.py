"""Our parser, evaluation and sorting agree with real MLflow's in-memory search.

Real MLflow (its own venv, run as a subprocess) filters and sorts the same runs and
experiments with SearchUtils / SearchExperimentsUtils, the code its file store uses.
Experiment ids here are single digits: MLflow's file store compares them as text,
its SQL store as numbers, and we follow the SQL store.
"""

import json
import math
import subprocess

import pytest

from runtime.entities import Dataset, DatasetInput, Experiment, Metric, Run, RunInfo
from runtime.search.evaluate import experiment_matches, run_matches, sort_experiments, sort_runs
from runtime.search.filter import (
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_run_filter,
    parse_run_order_by,
)
from runtime.search.paging import decode_token
from tests.support.mlflow_venv import mlflow_python

RUNS = [
    {"id": "r1", "start": 100, "end": 150, "name": "alpha", "status": "FINISHED", "user": "ann",
     "metrics": {"acc": 0.9, "loss": 0.2}, "params": {"lr": "0.01", "opt": "adam"}, "tags": {"team": "red"},
     "datasets": [["train", "d1", "training"]]},
    {"id": "r2", "start": 300, "end": None, "name": "beta-2", "status": "RUNNING", "user": "bob",
     "metrics": {"acc": 0.5}, "params": {"lr": "0.1"}, "tags": {"team": "Blue", "note": "x"},
     "datasets": [["eval", "d2", "eval"], ["train", "d3", None]]},
    {"id": "r3", "start": 300, "end": 400, "name": "Gamma", "status": "FAILED", "user": "ann",
     "metrics": {"acc": math.nan, "loss": 0.1}, "params": {"opt": "SGD"}, "tags": {},
     "datasets": []},
    {"id": "r0", "start": 200, "end": 250, "name": "delta", "status": "FINISHED", "user": "cy",
     "metrics": {"loss": 0.4}, "params": {"lr": "0.01"}, "tags": {"team": "red"},
     "datasets": [["train", "d1", "training"]]},
]

RUN_FILTERS = [
    "",
    "metrics.acc > 0.6",
    "metrics.acc != 0.9",
    "metrics.acc <= 0.9",
    "metrics.loss >= 0.2 and params.lr = '0.01'",
    "params.lr != '0.01'",
    "params.opt LIKE 'a%'",
    "params.opt ILIKE 's%'",
    "params.lr IS NULL",
    "tags.team IS NOT NULL",
    "tags.team = 'red'",
    "tags.team ILIKE 'blue'",
    "tags.note != 'y'",
    "attributes.status = 'FINISHED'",
    "status != 'RUNNING'",
    "run_name LIKE '%a'",
    "attributes.run_name ILIKE 'g%'",
    "`Run name` = 'delta'",
    "user_id = 'ann'",
    "run_id IN ('r1', 'r3')",
    "run_id NOT IN ('r1')",
    "start_time > 150",
    "created <= 200",
    "end_time >= 250",
    "datasets.name = 'train'",
    "datasets.name != 'train'",
    "datasets.digest IN ('d2', 'd3')",
    "datasets.context = 'training'",
    "datasets.context LIKE 'ev%'",
    "metrics.acc > 0.1 and tags.team = 'Blue' and datasets.name = 'eval'",
]

RUN_ORDERS = [
    [],
    ["metrics.acc"],
    ["metrics.acc DESC"],
    ["metrics.loss ASC", "params.lr DESC"],
    ["params.lr"],
    ["params.opt DESC"],
    ["tags.team"],
    ["tags.team DESC", "metrics.loss"],
    ["start_time ASC"],
    ["created DESC"],
    ["end_time"],
    ["attributes.run_name DESC"],
    ["status", "user_id DESC"],
    ["run_id DESC"],
]

EXPERIMENTS = [
    {"id": "0", "name": "Default", "created": 10, "updated": 10, "tags": {}},
    {"id": "3", "name": "beta", "created": 30, "updated": 40, "tags": {"team": "red"}},
    {"id": "1", "name": "alpha", "created": 30, "updated": 35, "tags": {"team": "blue", "x": "1"}},
    {"id": "7", "name": "gamma", "created": 20, "updated": 50, "tags": {"team": "Red"}},
]

EXPERIMENT_FILTERS = [
    "",
    "name = 'beta'",
    "name != 'beta'",
    "name LIKE '%a'",
    "name ILIKE 'D%'",
    "experiment_id = '3'",
    "experiment_id IN ('0', '7')",
    "creation_time >= 30",
    "last_update_time < 40",
    "tags.team = 'red'",
    "tags.team ILIKE 'red'",
    "tags.team != 'red'",
    "tags.x IS NULL",
    "tags.x IS NOT NULL",
    "creation_time = 30 and tags.team LIKE 'b%'",
]

EXPERIMENT_ORDERS = [
    [],
    ["name"],
    ["name DESC"],
    ["creation_time ASC"],
    ["creation_time DESC"],
    ["last_update_time DESC"],
    ["experiment_id DESC"],
]

PEER = r"""
import json, sys
from mlflow.entities import (Dataset, DatasetInput, Experiment, ExperimentTag, InputTag, Metric, Param,
                             Run, RunData, RunInfo, RunInputs, RunTag)
from mlflow.utils.search_utils import SearchExperimentsUtils, SearchUtils

case = json.load(sys.stdin)
runs = []
for r in case["runs"]:
    info = RunInfo(run_id=r["id"], experiment_id="0", user_id=r["user"], status=r["status"],
                   start_time=r["start"], end_time=r["end"], lifecycle_stage="active",
                   artifact_uri="file:///a", run_name=r["name"])
    data = RunData(metrics=[Metric(k, v, 1, 0) for k, v in r["metrics"].items()],
                   params=[Param(k, v) for k, v in r["params"].items()],
                   tags=[RunTag(k, v) for k, v in r["tags"].items()])
    inputs = RunInputs(dataset_inputs=[
        DatasetInput(Dataset(n, d, "local", "src"), [InputTag("mlflow.data.context", c)] if c else [])
        for n, d, c in r["datasets"]])
    runs.append(Run(info, data, inputs))
experiments = [Experiment(e["id"], e["name"], "/a", "active", [ExperimentTag(k, v) for k, v in e["tags"].items()],
                          e["created"], e["updated"]) for e in case["experiments"]]
ids = lambda items, attr: [getattr(getattr(x, "info", x), attr) for x in items]
print(json.dumps({
    "run_filters": [ids(SearchUtils.filter(runs, f), "run_id") for f in case["run_filters"]],
    "run_orders": [ids(SearchUtils.sort(runs, o), "run_id") for o in case["run_orders"]],
    "experiment_filters": [ids(SearchExperimentsUtils.filter(experiments, f), "experiment_id")
                           for f in case["experiment_filters"]],
    "experiment_orders": [ids(SearchExperimentsUtils.sort(experiments, o or ["creation_time DESC", "experiment_id ASC"]),
                              "experiment_id") for o in case["experiment_orders"]],
    "page_tokens": [SearchUtils.create_page_token(n).decode() for n in (1, 5, 63, 1000, 4096)],
}))
"""


def our_runs():
    return [
        Run(
            info=RunInfo(run_id=r["id"], experiment_id="0", run_name=r["name"], user_id=r["user"], status=r["status"],
                         start_time=r["start"], end_time=r["end"], artifact_uri="file:///a"),
            metrics={k: Metric(k, v, 1, 0) for k, v in r["metrics"].items()},
            params=dict(r["params"]),
            tags=dict(r["tags"]),
            dataset_inputs=[DatasetInput(Dataset(n, d, "local", "src"), {"mlflow.data.context": c} if c else {})
                            for n, d, c in r["datasets"]],
        )
        for r in RUNS
    ]


def our_experiments():
    return [Experiment(e["id"], e["name"], "/a", creation_time=e["created"], last_update_time=e["updated"],
                       tags=dict(e["tags"])) for e in EXPERIMENTS]


@pytest.fixture(scope="module")
def mlflow_answers():
    case = {"runs": RUNS, "run_filters": RUN_FILTERS, "run_orders": RUN_ORDERS, "experiments": EXPERIMENTS,
            "experiment_filters": EXPERIMENT_FILTERS, "experiment_orders": EXPERIMENT_ORDERS}
    done = subprocess.run([mlflow_python(), "-c", PEER], input=json.dumps(case), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("index", range(len(RUN_FILTERS)), ids=RUN_FILTERS)
def test_run_filter_matches_mlflow(mlflow_answers, index):
    comparisons = parse_run_filter(RUN_FILTERS[index])
    ours = [run.run_id for run in our_runs() if run_matches(run, comparisons)]
    assert ours == mlflow_answers["run_filters"][index]


@pytest.mark.parametrize("index", range(len(RUN_ORDERS)), ids=[",".join(o) or "default" for o in RUN_ORDERS])
def test_run_order_matches_mlflow(mlflow_answers, index):
    ours = [run.run_id for run in sort_runs(our_runs(), parse_run_order_by(RUN_ORDERS[index]))]
    assert ours == mlflow_answers["run_orders"][index]


@pytest.mark.parametrize("index", range(len(EXPERIMENT_FILTERS)), ids=EXPERIMENT_FILTERS)
def test_experiment_filter_matches_mlflow(mlflow_answers, index):
    comparisons = parse_experiment_filter(EXPERIMENT_FILTERS[index])
    ours = [e.experiment_id for e in our_experiments() if experiment_matches(e, comparisons)]
    assert ours == mlflow_answers["experiment_filters"][index]


@pytest.mark.parametrize("index", range(len(EXPERIMENT_ORDERS)),
                         ids=[",".join(o) or "default" for o in EXPERIMENT_ORDERS])
def test_experiment_order_matches_mlflow(mlflow_answers, index):
    ours = [e.experiment_id for e in sort_experiments(our_experiments(), parse_experiment_order_by(EXPERIMENT_ORDERS[index]))]
    assert ours == mlflow_answers["experiment_orders"][index]


def test_mlflow_page_tokens_decode(mlflow_answers):
    assert [decode_token(t) for t in mlflow_answers["page_tokens"]] == [1, 5, 63, 1000, 4096]
