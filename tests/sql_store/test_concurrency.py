"""Concurrent writers lose nothing: 16 threads, then 16 processes, logging to one run at once."""

import multiprocessing
import threading
import time

import pytest

from runtime.entities import Metric, Param, RunTag
from runtime.errors import AlreadyExists, InvalidParameter
from tests.sql_store.conftest import open_store

WORKERS = 16


def _run_all(target, count):
    """Start count threads on target(index) behind a barrier; re-raise the first failure."""
    barrier = threading.Barrier(count)
    errors = []

    def body(index):
        try:
            barrier.wait()
            target(index)
        except Exception as exc:  # noqa: BLE001 - collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def test_16_threads_logging_metrics_to_one_run(store):
    run_id = store.create_run("0", "u", 1, {}, "busy").info.run_id
    points_per_thread = 20

    def log(index):
        for point in range(points_per_thread):
            step = index * points_per_thread + point
            store.log_metric(run_id, Metric("shared", float(step), 1000 + step, step))
        store.log_batch(
            run_id,
            metrics=[Metric(f"own-{index}", float(i), i, i) for i in range(50)],
            params=[Param(f"p-{index}", str(index))],
            tags=[RunTag(f"t-{index}", str(index))],
        )

    assert _run_all(log, WORKERS) == []
    history = store.get_metric_history(run_id, "shared")
    assert [m.step for m in history] == list(range(WORKERS * points_per_thread))
    run = store.get_run(run_id)
    assert run.metrics["shared"].step == WORKERS * points_per_thread - 1
    for index in range(WORKERS):
        assert len(store.get_metric_history(run_id, f"own-{index}")) == 50
        assert run.metrics[f"own-{index}"].value == 49.0
        assert run.params[f"p-{index}"] == str(index) and run.tags[f"t-{index}"] == str(index)


def test_16_threads_logging_to_their_own_runs(store):
    run_ids = [store.create_run("0", "u", i, {}, f"r{i}").info.run_id for i in range(WORKERS)]

    def log(index):
        for batch in range(5):
            store.log_batch(run_ids[index], metrics=[Metric("m", float(batch * 100 + i), i, batch * 100 + i) for i in range(100)])

    assert _run_all(log, WORKERS) == []
    for run_id in run_ids:
        assert len(store.get_metric_history(run_id, "m")) == 500
        assert store.get_run(run_id).metrics["m"].value == 499.0


def test_racing_param_values_one_wins_cleanly(store):
    run_id = store.create_run("0", "u", 1, {}, "race").info.run_id
    outcomes = []

    def log(index):
        try:
            store.log_param(run_id, Param("contested", str(index % 2)))
            outcomes.append(index % 2)
        except InvalidParameter:
            outcomes.append("refused")

    assert _run_all(log, WORKERS) == []
    winner = store.get_run(run_id).params["contested"]
    assert len(outcomes) == WORKERS
    assert outcomes.count(int(winner)) == WORKERS // 2 and outcomes.count("refused") == WORKERS // 2


def test_racing_experiment_names_one_wins_cleanly(store):
    created, refused = [], []

    def create(_):
        try:
            created.append(store.create_experiment("contested"))
        except AlreadyExists:
            refused.append(True)

    assert _run_all(create, 8) == []
    assert len(created) == 1 and len(refused) == 7


def _process_worker(uri, directory, run_id, index, points, start_at, queue):
    try:
        store = open_store(uri, directory)
        while time.time() < start_at:  # line the processes up so their writes overlap
            time.sleep(0.005)
        for point in range(points):
            step = index * points + point
            store.log_metric(run_id, Metric("shared", float(step), step, step))
        store.log_batch(run_id, metrics=[Metric(f"own-{index}", float(i), i, i) for i in range(100)])
        store.close()
        queue.put(None)
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        queue.put(repr(exc))


@pytest.mark.slow
def test_16_processes_logging_to_one_run(store, db_uri, tmp_path):
    run_id = store.create_run("0", "u", 1, {}, "multi").info.run_id
    # Fork (imports already done) after closing our pooled connections, so no child
    # inherits a socket; each child opens its own engine (engines are per process).
    store.close()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    points = 25
    start_at = time.time() + 3
    workers = [
        context.Process(target=_process_worker, args=(db_uri, tmp_path, run_id, i, points, start_at, queue))
        for i in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    failures = [queue.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert failures == [None] * WORKERS
    assert [m.step for m in store.get_metric_history(run_id, "shared")] == list(range(WORKERS * points))
    run = store.get_run(run_id)
    assert run.metrics["shared"].step == WORKERS * points - 1
    assert all(run.metrics[f"own-{i}"].value == 99.0 for i in range(WORKERS))
    store.close()


def test_sqlite_writer_retries_while_another_process_holds_the_lock(tmp_path, monkeypatch):
    """With a tiny busy timeout the driver gives up at once ("database is locked"): the
    store must retry the whole transaction until the other writer lets go."""
    import sqlite3

    from runtime.store.sql import engine as engine_module

    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 1)
    uri = f"sqlite:///{tmp_path / 'locked.db'}"
    store = open_store(uri, tmp_path)
    run_id = store.create_run("0", "u", 1, {}, "r").info.run_id
    blocker = sqlite3.connect(tmp_path / "locked.db", isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.6, lambda: blocker.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    store.log_metric(run_id, Metric("m", 1.0, 1, 0))
    waited = time.monotonic() - started
    release.join()
    blocker.close()
    assert waited >= 0.5
    assert [m.value for m in store.get_metric_history(run_id, "m")] == [1.0]
    store.close()
