"""Every trace filter field and operator, on every store; the stores must agree with the hand-computed answer."""

import pytest

from runtime.tracing.entities import TraceInfo
from tests.traces.conftest import BACKENDS, trace_store_on

# name -> (state, request_time, duration, trace name, tags, metadata, client_request_id)
TRACES = {
    "t1": ("OK", 1000, 10, "chat", {"env": "prod", "team": "a"},
           {"mlflow.sourceRun": "{A}", "mlflow.modelId": "m1", "user.key": "Alice"}, "c-1"),
    "t2": ("ERROR", 2000, 200, "chat_v2", {"env": "dev"}, {"mlflow.sourceRun": "{B}"}, None),
    "t3": ("IN_PROGRESS", 3000, None, "Retrieve", {"env": "Prod", "dotted.key": "x"}, {}, None),
    "t4": ("OK", 4000, 50, "tool_call", {}, {"user.key": "bob"}, None),
    "t5": ("OK", 5000, 5, None, {}, {"mlflow.sourceRun": "{C}"}, None),
    "t6": ("ERROR", 6000, 600, "chat%", {"env": "prod "}, {}, "c-6"),
}
ALL = sorted(TRACES)

CASES = [
    # run_id: source run in the metadata, or a linked run (t4 is linked to A)
    ("run_id = '{A}'", ["t1", "t4"]),
    ("run_id != '{A}'", ["t2", "t3", "t5", "t6"]),
    ("run_id IN ('{B}', '{C}')", ["t2", "t5"]),
    ("run_id NOT IN ('{A}', '{B}')", ["t3", "t5", "t6"]),
    ("run_id LIKE '{A}'", ["t1", "t4"]),
    ("run_id ILIKE '{Aupper}'", ["t1", "t4"]),
    # status / state
    ("status = 'OK'", ["t1", "t4", "t5"]),
    ("state = 'ERROR'", ["t2", "t6"]),
    ("status != 'OK'", ["t2", "t3", "t6"]),
    ("status IN ('IN_PROGRESS', 'ERROR')", ["t2", "t3", "t6"]),
    ("status NOT IN ('OK')", ["t2", "t3", "t6"]),
    ("status LIKE 'ER%'", ["t2", "t6"]),
    ("status ILIKE 'ok'", ["t1", "t4", "t5"]),
    ("attributes.status = 'OK'", ["t1", "t4", "t5"]),
    # timestamp_ms
    ("timestamp_ms = 3000", ["t3"]),
    ("timestamp_ms != 3000", ["t1", "t2", "t4", "t5", "t6"]),
    ("timestamp_ms < 3000", ["t1", "t2"]),
    ("timestamp_ms <= 3000", ["t1", "t2", "t3"]),
    ("timestamp_ms > 4000", ["t5", "t6"]),
    ("timestamp_ms >= 4000", ["t4", "t5", "t6"]),
    ("timestamp > 5500", ["t6"]),
    # execution_time_ms (t3 has none: never matches)
    ("execution_time_ms = 50", ["t4"]),
    ("execution_time_ms != 50", ["t1", "t2", "t5", "t6"]),
    ("execution_time_ms < 50", ["t1", "t5"]),
    ("execution_time_ms <= 50", ["t1", "t4", "t5"]),
    ("execution_time_ms > 100", ["t2", "t6"]),
    ("execution_time_ms >= 200", ["t2", "t6"]),
    ("end_time_ms > 4000", ["t4", "t5", "t6"]),
    # name (the mlflow.traceName tag)
    ("name = 'chat'", ["t1"]),
    ("name != 'chat'", ["t2", "t3", "t4", "t6"]),
    ("name LIKE 'chat%'", ["t1", "t2", "t6"]),
    ("name LIKE 'chat\\\\%'", ["t6"]),
    ("name LIKE 'chat_v_'", ["t2"]),
    ("name ILIKE 'retrieve'", ["t3"]),
    ("name LIKE 'retrieve'", []),
    ("name IN ('chat', 'tool_call')", ["t1", "t4"]),
    ("name NOT IN ('chat', 'tool_call')", ["t2", "t3", "t6"]),
    # ids
    ("trace_id = '{t2}'", ["t2"]),
    ("request_id IN ('{t2}', '{t5}')", ["t2", "t5"]),
    ("client_request_id = 'c-6'", ["t6"]),
    ("client_request_id != 'c-6'", ["t1"]),
    # metadata (backticks for dotted keys)
    ("metadata.`user.key` = 'bob'", ["t4"]),
    ("metadata.`user.key` != 'bob'", ["t1"]),
    ("metadata.`user.key` LIKE 'A%'", ["t1"]),
    ("metadata.`user.key` ILIKE 'a%'", ["t1"]),
    ("metadata.`user.key` IN ('bob', 'carol')", ["t4"]),
    ("metadata.`user.key` NOT IN ('bob')", ["t1"]),
    ("metadata.`user.key` IS NULL", ["t2", "t3", "t5", "t6"]),
    ("metadata.`user.key` IS NOT NULL", ["t1", "t4"]),
    ("metadata.`mlflow.modelId` = 'm1'", ["t1"]),
    ("metadata.mlflow.modelId = 'm1'", ["t1"]),
    ('request_metadata."user.key" = \'Alice\'', ["t1"]),
    # tags
    ("tags.env = 'prod'", ["t1"]),
    ("tags.env != 'prod'", ["t2", "t3", "t6"]),
    ("tags.env LIKE 'prod%'", ["t1", "t6"]),
    ("tags.env ILIKE 'prod'", ["t1", "t3"]),
    ("tags.env IN ('dev', 'Prod')", ["t2", "t3"]),
    ("tags.env NOT IN ('dev', 'Prod')", ["t1", "t6"]),
    ("tags.env IS NULL", ["t4", "t5"]),
    ("tags.env IS NOT NULL", ["t1", "t2", "t3", "t6"]),
    ("tags.`dotted.key` = 'x'", ["t3"]),
    ("tags.dotted.key = 'x'", ["t3"]),
    ("tag.team = 'a'", ["t1"]),
    ("tags.`mlflow.traceName` = 'tool_call'", ["t4"]),
    # conjunctions, keyword case, spacing
    ("status = 'OK' AND timestamp_ms > 1000", ["t4", "t5"]),
    ("status = 'ERROR' and tags.env = 'dev' AND execution_time_ms >= 200", ["t2"]),
    ("run_id = '{A}' AND name = 'tool_call'", ["t4"]),
    ("   status='OK'AND name='chat'  ", ["t1"]),
]


def _seed(store):
    run_ids = {label: store.create_run("0").info.run_id for label in "ABC"}
    ids = {}
    for label, (state, start, duration, name, tags, metadata, client_id) in TRACES.items():
        trace_id = "tr-" + f"{int(label[1:]):032x}"
        ids[label] = trace_id
        tags = dict(tags)
        if name is not None:
            tags["mlflow.traceName"] = name
        metadata = {k: v.format(**run_ids) for k, v in metadata.items()}
        store.start_trace(TraceInfo(trace_id=trace_id, experiment_id="0", request_time=start, state=state,
                                    execution_duration=duration, client_request_id=client_id, tags=tags,
                                    trace_metadata=metadata))
    store.link_traces_to_run([ids["t4"]], run_ids["A"])
    return run_ids, ids


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request, tmp_path_factory):
    # Read-only tests share one seeded store per backend (creating databases is the slow part).
    with trace_store_on(request.param, tmp_path_factory.mktemp(request.param)) as store:
        run_ids, ids = _seed(store)
        yield store, run_ids, ids


def _names(infos, ids):
    by_id = {v: k for k, v in ids.items()}
    return sorted(by_id[i.trace_id] for i in infos)


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0] for c in CASES])
def test_filter_field_and_operator(seeded, text, expected):
    store, run_ids, ids = seeded
    text = text.format(**run_ids, **ids, Aupper=run_ids["A"].upper())
    found = store.search_traces(["0"], filter_string=text, max_results=100)
    assert _names(found, ids) == expected


def test_no_filter_returns_all_newest_first(seeded):
    store, _, ids = seeded
    found = store.search_traces(["0"])
    assert [i.trace_id for i in found] == [ids[t] for t in reversed(ALL)]


@pytest.mark.parametrize("order_by, expected", [
    (["timestamp_ms ASC"], ["t1", "t2", "t3", "t4", "t5", "t6"]),
    (["execution_time_ms DESC"], ["t6", "t2", "t4", "t1", "t5", "t3"]),
    (["execution_time_ms"], ["t5", "t1", "t4", "t2", "t6", "t3"]),
    (["status", "timestamp_ms DESC"], ["t6", "t2", "t3", "t5", "t4", "t1"]),
    (["name ASC"], ["t3", "t1", "t6", "t2", "t4", "t5"]),
    (["name DESC"], ["t4", "t2", "t6", "t1", "t3", "t5"]),
    (["trace_id DESC"], ["t6", "t5", "t4", "t3", "t2", "t1"]),
])
def test_order_by(seeded, order_by, expected):
    store, _, ids = seeded
    found = store.search_traces(["0"], order_by=order_by)
    assert [i.trace_id for i in found] == [ids[t] for t in expected]


def test_pagination_walks_every_trace_once(seeded):
    store, _, ids = seeded
    seen, token = [], None
    while True:
        page = store.search_traces(["0"], max_results=4, order_by=["timestamp_ms ASC"], page_token=token)
        seen.extend(i.trace_id for i in page)
        token = page.token
        if token is None:
            break
    assert seen == [ids[t] for t in ALL]


def test_search_returns_full_trace_info(seeded):
    store, run_ids, ids = seeded
    (info,) = store.search_traces(["0"], filter_string="name = 'chat'")
    assert info.tags["env"] == "prod" and info.tags["mlflow.traceName"] == "chat"
    assert info.trace_metadata["user.key"] == "Alice"
    assert info.trace_metadata["mlflow.sourceRun"] == run_ids["A"]
    assert info.execution_duration == 10 and info.request_time == 1000 and info.client_request_id == "c-1"
    assert info.tags["mlflow.artifactLocation"].endswith(f"/0/traces/{ids['t1']}/artifacts")


def test_model_id_argument_filters_on_metadata(seeded):
    store, _, ids = seeded
    assert [i.trace_id for i in store.search_traces(["0"], model_id="m1")] == [ids["t1"]]
