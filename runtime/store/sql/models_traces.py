"""ORM classes of the trace tables, on the shared Base.

The tables are mlflow's (tables.py): trace_info keyed by request_id, trace_tags,
trace_request_metadata, assessments, spans, scorers, scorer_versions; links between
traces and runs are rows of the generic entity_associations table.
"""

from runtime.store.sql.models import Base, _mapped  # noqa: F401 - Base re-exported

SqlTraceInfo = _mapped("SqlTraceInfo", "trace_info")
SqlTraceTag = _mapped("SqlTraceTag", "trace_tags")
SqlTraceMetadata = _mapped("SqlTraceMetadata", "trace_request_metadata")
SqlAssessment = _mapped("SqlAssessment", "assessments")
SqlSpan = _mapped("SqlSpan", "spans")
SqlEntityAssociation = _mapped("SqlEntityAssociation", "entity_associations")
SqlScorer = _mapped("SqlScorer", "scorers")
SqlScorerVersion = _mapped("SqlScorerVersion", "scorer_versions")
