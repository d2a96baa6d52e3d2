"""ORM classes of the model registry and logged-model tables, on the shared Base.

The tables are mlflow's (tables.py): registry rows are keyed by (workspace, name),
and mlf writes every row into the default workspace. Model versions keep no
model_id column; a version made from a logged model has a models:/<id> source.
"""

from runtime.store.sql.models import Base, _extra_index, _mapped  # noqa: F401 - Base re-exported
from runtime.store.sql.tables import metadata

SqlRegisteredModel = _mapped("SqlRegisteredModel", "registered_models")
SqlModelVersion = _mapped("SqlModelVersion", "model_versions")
SqlRegisteredModelTag = _mapped("SqlRegisteredModelTag", "registered_model_tags")
SqlModelVersionTag = _mapped("SqlModelVersionTag", "model_version_tags")
SqlRegisteredModelAlias = _mapped("SqlRegisteredModelAlias", "registered_model_aliases")
SqlLoggedModel = _mapped("SqlLoggedModel", "logged_models")
SqlLoggedModelMetric = _mapped("SqlLoggedModelMetric", "logged_model_metrics")
SqlLoggedModelParam = _mapped("SqlLoggedModelParam", "logged_model_params")
SqlLoggedModelTag = _mapped("SqlLoggedModelTag", "logged_model_tags")

_versions = metadata.tables["model_versions"]
_logged = metadata.tables["logged_models"]
# Which registered versions came from a run (run deletion, search by run_id).
_extra_index("index_model_versions_run_id", _versions.c.run_id)
# Logged-model search: one experiment's models newest first.
_extra_index("index_logged_models_experiment_id_creation", _logged.c.experiment_id, _logged.c.creation_timestamp_ms)
