"""mlf's own skops reader against skops.io itself: same objects, same trust decisions.

Every estimator here is saved with skops.io.dump and read back both ways. Objects the reader
builds must predict exactly like skops's; files it cannot prove trusted must be handed to
skops (NeedsSkops) without the reader importing anything the file names.
"""

import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import skops.io
from sklearn.datasets import load_iris
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from runtime.models import skops_reader
from runtime.models.skops_reader import NeedsSkops

FEATURES, LABELS = load_iris(return_X_y=True, as_frame=True)

# Estimators made only of the node kinds the reader builds: it must read them itself.
BUILT_BY_MLF = {
    "logistic": lambda: LogisticRegression(max_iter=500),
    "ridge": lambda: Ridge(alpha=0.5),
    "linear": lambda: LinearRegression(),
    "scaled-logistic": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)),
    "pca-svc": lambda: Pipeline([("pca", PCA(n_components=2)), ("svc", SVC())]),
    "naive-bayes": lambda: GaussianNB(),
}
# Trees use skops node kinds the reader leaves to skops.
LEFT_TO_SKOPS = {
    "tree": lambda: DecisionTreeClassifier(random_state=0),
    "forest": lambda: RandomForestClassifier(n_estimators=3, random_state=0),
}


def dumped(tmp_path, estimator, name="model.skops"):
    path = tmp_path / name
    skops.io.dump(estimator, path)
    return path


@pytest.mark.parametrize("name", sorted(BUILT_BY_MLF))
def test_reader_builds_what_skops_builds(tmp_path, name):
    fitted = BUILT_BY_MLF[name]().fit(FEATURES, LABELS)
    path = dumped(tmp_path, fitted)
    ours = skops_reader.load(path)
    theirs = skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))
    assert type(ours) is type(theirs)
    assert np.array_equal(ours.predict(FEATURES), theirs.predict(FEATURES))
    assert np.array_equal(ours.predict(FEATURES), fitted.predict(FEATURES))
    assert sorted(vars(ours)) == sorted(vars(theirs))
    assert ours.get_params().keys() == theirs.get_params().keys()


def test_object_arrays_and_feature_names_survive(tmp_path):
    fitted = LogisticRegression(max_iter=500).fit(FEATURES, LABELS)
    ours = skops_reader.load(dumped(tmp_path, fitted))
    assert ours.feature_names_in_.dtype == object
    assert list(ours.feature_names_in_) == list(FEATURES.columns)
    assert ours.coef_.dtype == fitted.coef_.dtype and np.array_equal(ours.coef_, fitted.coef_)


def test_types_and_dicts_keep_their_key_types(tmp_path):
    encoder = OneHotEncoder(dtype=np.float32, handle_unknown="ignore").fit([["a", 1], ["b", 2]])
    path = dumped(tmp_path, encoder)
    try:
        ours = skops_reader.load(path)
    except NeedsSkops:
        pytest.skip("this scikit-learn stores the encoder with node kinds left to skops")
    theirs = skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))
    assert ours.dtype is np.float32
    assert np.array_equal(ours.transform([["b", 3]]).toarray(), theirs.transform([["b", 3]]).toarray())


@pytest.mark.parametrize("name", sorted(LEFT_TO_SKOPS))
def test_other_node_kinds_are_left_to_skops(tmp_path, name):
    path = dumped(tmp_path, LEFT_TO_SKOPS[name]().fit(FEATURES, LABELS))
    with pytest.raises(NeedsSkops):
        skops_reader.load(path)


def _rewrite_schema(path, edit):
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    schema = json.loads(members["schema.json"])
    edit(schema)
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)


def test_a_type_outside_scikit_learn_is_never_imported(tmp_path):
    path = dumped(tmp_path, LogisticRegression(max_iter=500).fit(FEATURES, LABELS))
    module = "tests.models.planted_module_that_must_not_load"

    def plant(schema):
        schema["__module__"], schema["__class__"] = module, "Payload"

    _rewrite_schema(path, plant)
    with pytest.raises(NeedsSkops, match="Payload"):
        skops_reader.load(path)
    assert module not in sys.modules
    # The caller's own trust list is honoured, as skops honours it.
    with pytest.raises(NeedsSkops):
        skops_reader.load(path, trusted=[f"{module}.Other"])


@pytest.mark.parametrize("type_name", [
    "sklearn.utils._bunch.Bunch",            # not an estimator
    "sklearn.base.BaseEstimator",            # the base class itself
    "sklearn.linear_model._base.LinearModel",  # abstract
    "sklearn.linear_model._logistic._Hidden",  # private name
    "sklearn.utils.estimator_checks.Anything",  # a module all_estimators skips
    "sklearn..linear_model.LogisticRegression",  # not a module path
])
def test_sklearn_types_that_skops_does_not_trust_by_default(tmp_path, type_name):
    path = dumped(tmp_path, LogisticRegression(max_iter=500).fit(FEATURES, LABELS))
    module, _, name = type_name.rpartition(".")

    def plant(schema):
        schema["__module__"], schema["__class__"] = module, name

    _rewrite_schema(path, plant)
    with pytest.raises(NeedsSkops):
        skops_reader.load(path)


def test_other_protocols_and_broken_files_go_to_skops(tmp_path):
    path = dumped(tmp_path, Ridge().fit(FEATURES, LABELS))

    def older(schema):
        schema["protocol"] = 1

    _rewrite_schema(path, older)
    with pytest.raises(NeedsSkops, match="protocol"):
        skops_reader.load(path)
    broken = tmp_path / "broken.skops"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(NeedsSkops):
        skops_reader.load(broken)


def test_serving_an_mlflow_skops_model_does_not_import_skops(mlflow_models):
    script = (
        "import sys, json\n"
        "from runtime.models.pyfunc import load_local\n"
        f"model = load_local({mlflow_models.path('sk_skops')!r})\n"
        "import pandas\n"
        f"rows = pandas.DataFrame({mlflow_models.rows!r}, columns={mlflow_models.columns!r})\n"
        "print(json.dumps({'skops': 'skops' in sys.modules, 'predictions': model.predict(rows).tolist()}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    report = json.loads(result.stdout)
    assert report == {"skops": False, "predictions": mlflow_models.expected["skops"]}
