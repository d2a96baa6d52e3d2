"""Damaged records, interrupted writes and symlinks that lead out of the root."""

import logging
import os

import pytest

from runtime.entities import Metric, Param, RunTag, ViewType
from runtime.errors import InvalidParameter, MlfError, NotFound
from runtime.store.file.store import FileStore, MalformedRecord
from tests.file_store.helpers import leftover_temp_files, new_run

DAMAGE = {
    "empty": "",
    "truncated": "artifact_uri: file:///x\nend_time: null\nexperiment_id: '",
    "not a mapping": "- just\n- a list\n",
    "bad yaml": "run_id: [unclosed\n",
    "wrong run id": None,  # filled in by the test: a valid file naming another run
    "bad status": None,
}


@pytest.fixture
def three_runs(store):
    experiment_id = store.create_experiment("e")
    ids = [new_run(store, experiment_id, name=f"r{i}", start=i).info.run_id for i in range(3)]
    return experiment_id, ids


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_run_meta_is_reported_and_skipped(store, root, three_runs, damage, caplog):
    experiment_id, (good1, bad, good2) = three_runs
    path = root / experiment_id / bad / "meta.yaml"
    text = DAMAGE[damage]
    if damage == "wrong run id":
        text = path.read_text().replace(bad, good1)
    elif damage == "bad status":
        text = path.read_text().replace("status: 1", "status: 42")
    path.write_text(text)
    with caplog.at_level(logging.WARNING, logger="mlf"):
        found = store.search_runs([experiment_id], run_view_type=ViewType.ALL)
    assert {r.info.run_id for r in found} == {good1, good2}
    assert any(bad in record.getMessage() and record.name == "mlf" for record in caplog.records)
    with pytest.raises(MalformedRecord) as raised:
        store.get_run(bad)
    assert isinstance(raised.value, MlfError)
    assert bad in raised.value.message and "malformed" in raised.value.message
    # The others stay fully usable.
    store.log_metric(good2, Metric("m", 1.0, 1, 0))
    assert store.get_run(good2).metrics["m"].value == 1.0


def test_run_folder_without_meta_is_not_a_run(store, root, three_runs, caplog):
    experiment_id, ids = three_runs
    (root / experiment_id / ("a" * 32) / "artifacts").mkdir(parents=True)
    with caplog.at_level(logging.WARNING, logger="mlf"):
        assert {r.info.run_id for r in store.search_runs([experiment_id])} == set(ids)
    assert not caplog.records  # a stray folder is not worth a warning
    with pytest.raises(MalformedRecord):
        store.get_run("a" * 32)


def test_damaged_experiment_is_skipped(store, root, caplog):
    good = store.create_experiment("good")
    bad = store.create_experiment("bad")
    (root / bad / "meta.yaml").write_text("name: 'unterminated\n")
    with caplog.at_level(logging.WARNING, logger="mlf"):
        names = {e.name for e in store.search_experiments()}
    assert names == {"Default", "good"}
    assert any(bad in r.getMessage() for r in caplog.records)
    with pytest.raises(MalformedRecord):
        store.get_experiment(bad)
    assert store.get_experiment(good).name == "good"
    assert store.get_experiment_by_name("good").experiment_id == good


def test_malformed_metric_lines_are_skipped(store, root, three_runs, caplog):
    experiment_id, (run_id, _, _) = three_runs
    path = root / experiment_id / run_id / "metrics" / "m"
    # Legacy two-field lines mean step 0; the last line lacks its newline (hand-written file).
    path.write_text("1 0.5 0\ngarbage here\n2 0.7 1\n0 0.1\n3 0.9 2")
    with caplog.at_level(logging.WARNING, logger="mlf"):
        run = store.get_run(run_id)
    assert run.metrics["m"].value == 0.9
    assert any("garbage" in r.getMessage() for r in caplog.records)
    assert [m.value for m in store.get_metric_history(run_id, "m")] == [0.1, 0.5, 0.7, 0.9]
    # Completing the line and appending more is picked up (the latest value is cached per file).
    with open(path, "a") as handle:
        handle.write("\n4 0.3 1\n")
    assert store.get_run(run_id).metrics["m"].value == 0.9
    with open(path, "a") as handle:
        handle.write("5 0.2 3\n")
    assert store.get_run(run_id).metrics["m"].value == 0.2


def test_no_temp_files_left_after_every_kind_of_write(store, root):
    experiment_id = store.create_experiment("e", tags={"a": "b"})
    store.set_experiment_tag(experiment_id, "c/d", "e")
    store.rename_experiment(experiment_id, "f")
    run_id = new_run(store, experiment_id).info.run_id
    store.log_batch(run_id, [Metric("m", 1.0, 1, 0)], [Param("p", "v")], [RunTag("t", "v")])
    store.update_run_info(run_id, status="FINISHED", end_time=5)
    store.delete_run(run_id)
    store.restore_run(run_id)
    store.delete_experiment(experiment_id)
    store.restore_experiment(experiment_id)
    assert leftover_temp_files(root) == []


def test_a_failed_replace_keeps_the_old_file_and_leaves_no_temp(store, root, monkeypatch):
    experiment_id = store.create_experiment("e")
    run_id = new_run(store, experiment_id).info.run_id
    meta = root / experiment_id / run_id / "meta.yaml"
    before = meta.read_bytes()

    def failing_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        store.update_run_info(run_id, status="FINISHED", end_time=5)
    with pytest.raises(OSError):
        store.set_tag(run_id, RunTag("t", "v"))
    monkeypatch.undo()
    assert meta.read_bytes() == before
    assert leftover_temp_files(root) == []
    assert store.get_run(run_id).info.status == "RUNNING"


def test_interrupted_run_creation_leaves_nothing_visible(store, root, monkeypatch):
    experiment_id = store.create_experiment("e")

    def failing_rename(source, target):
        raise OSError(5, "I/O error")

    monkeypatch.setattr(os, "rename", failing_rename)
    with pytest.raises(OSError):
        new_run(store, experiment_id)
    monkeypatch.undo()
    assert store.search_runs([experiment_id], run_view_type=ViewType.ALL) == []
    assert leftover_temp_files(root) == []


@pytest.fixture
def outside(tmp_path):
    folder = tmp_path / "outside"
    folder.mkdir()
    # Readable as a tag, a param and a metric alike: a leak would show.
    (folder / "secret").write_text("1 2.0 3\n")
    return folder


def test_symlinked_experiment_leading_out_is_ignored(store, root, outside, caplog):
    victim = outside / "123"
    victim.mkdir()
    (victim / "meta.yaml").write_text("experiment_id: '123'\nname: evil\nartifact_location: /x\n")
    os.symlink(victim, root / "123")
    with caplog.at_level(logging.WARNING, logger="mlf"):
        assert "evil" not in {e.name for e in store.search_experiments()}
    with pytest.raises(NotFound):
        store.get_experiment("123")


def test_symlinked_run_leading_out_is_ignored(store, root, outside):
    experiment_id = store.create_experiment("e")
    real = new_run(store, experiment_id).info.run_id
    escaped = "b" * 32
    target = outside / escaped
    os.rename(root / experiment_id / real, target)
    (target / "meta.yaml").write_text((target / "meta.yaml").read_text().replace(real, escaped))
    os.symlink(target, root / experiment_id / escaped)
    assert store.search_runs([experiment_id]) == []
    with pytest.raises(NotFound):
        store.get_run(escaped)


@pytest.mark.parametrize("linked", ["metrics", "params", "tags"])
def test_run_subfolder_symlinked_out_is_neither_read_nor_written(store, root, outside, linked):
    experiment_id = store.create_experiment("e")
    run_id = new_run(store, experiment_id).info.run_id
    folder = root / experiment_id / run_id
    for name in os.listdir(folder / linked):
        os.remove(folder / linked / name)
    os.rmdir(folder / linked)
    os.symlink(outside, folder / linked)
    run = store.get_run(run_id)
    assert "secret" not in run.metrics and "secret" not in run.params and "secret" not in run.tags
    query = {"metrics": "metrics.secret = 2.0", "params": "params.secret LIKE '1%'", "tags": "tags.secret LIKE '1%'"}
    assert store.search_runs([experiment_id], query[linked]) == []
    with pytest.raises(InvalidParameter):
        store.log_batch(run_id, metrics=[Metric("secret", 1.0, 1, 0)] if linked == "metrics" else [],
                        params=[Param("secret", "x")] if linked == "params" else [],
                        tags=[RunTag("secret", "x")] if linked == "tags" else [])
    if linked == "metrics":
        with pytest.raises(InvalidParameter):
            store.get_metric_history(run_id, "secret")
    assert (outside / "secret").read_text() == "1 2.0 3\n"
    assert sorted(os.listdir(outside)) == ["secret"]


def test_single_files_symlinked_out_are_not_read(store, root, outside):
    experiment_id = store.create_experiment("e")
    run_id = new_run(store, experiment_id).info.run_id
    folder = root / experiment_id / run_id
    os.symlink(outside / "secret", folder / "tags" / "stolen")
    os.symlink(outside / "secret", folder / "metrics" / "stolen")
    run = store.get_run(run_id)
    assert "stolen" not in run.tags and "stolen" not in run.metrics
    assert store.search_runs([experiment_id], "metrics.stolen = 2.0") == []
    with pytest.raises(InvalidParameter):
        store.set_tag(run_id, RunTag("stolen", "overwrite"))
    assert (outside / "secret").read_text() == "1 2.0 3\n"


def test_inputs_and_datasets_symlinked_out_are_ignored(store, root, outside):
    from runtime.entities import Dataset, DatasetInput

    experiment_id = store.create_experiment("e")
    run_id = new_run(store, experiment_id).info.run_id
    os.symlink(outside, root / experiment_id / "datasets")
    with pytest.raises(InvalidParameter):
        store.log_inputs(run_id, datasets=[DatasetInput(Dataset("d", "1"), {})])
    os.symlink(outside, root / experiment_id / run_id / "inputs")
    assert store.get_run(run_id).dataset_inputs == []
    assert sorted(os.listdir(outside)) == ["secret"]


def test_symlinks_that_stay_inside_the_root_are_followed(store, root):
    experiment_id = store.create_experiment("e")
    run_id = new_run(store, experiment_id).info.run_id
    shared = root / experiment_id / run_id / "shared-value"
    shared.write_text("inside")
    os.symlink(shared, root / experiment_id / run_id / "tags" / "linked")
    assert store.get_run(run_id).tags["linked"] == "inside"


def test_root_that_is_a_file_is_refused(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(MlfError):
        FileStore(str(path))
