"""Every table of MLflow's SQL schema at alembic revision dc11669786a5, as SQLAlchemy Core tables.

A database mlf creates must be the one mlflow 3.17.2 creates, so that either can
open what the other wrote: same 64 tables (plus alembic_version), columns, types,
nullability, server defaults, keys, foreign keys, unique and check constraints and
indexes, on sqlite, PostgreSQL and MySQL/MariaDB. Written from the schema facts
observed on databases mlflow created (tests/data/reference/mlflow-sql-schema.md;
tests/sql_compat compares both live). mlf reads and writes only some of these
tables; the rest exist so mlflow finds everything it expects.

Two deliberate differences, both invisible to mlflow: text columns compare by
code point on MySQL/MariaDB (binary collation, see coltypes.py), and
models.MLF_EXTRA_INDEXES adds a few search-path indexes.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    Date,
    Float,
    Identity,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    event,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    false,
    text,
)

from runtime.store.sql.coltypes import ExactString, ExactText, mysql_binary_collation

# The revision a database with exactly this schema records in alembic_version.
SCHEMA_REVISION = "dc11669786a5"
DEFAULT_WORKSPACE = "default"
DEFAULT_WORKSPACE_DESCRIPTION = "Default workspace for legacy resources"

metadata = MetaData()


def _str(length):
    return ExactString(length)


def _text(mysql_type="TEXT"):
    """TEXT everywhere; on MySQL the size class mlflow's column has (TEXT, MEDIUMTEXT or LONGTEXT)."""
    return ExactText(mysql_type)


def _double():
    """FLOAT on sqlite, DOUBLE PRECISION on PostgreSQL, DOUBLE on MySQL (a float of 53 bits)."""
    return Float(precision=53)


def _serial():
    """An auto-numbered BIGINT key (sqlite: INTEGER, the rowid alias)."""
    return BigInteger().with_variant(Integer(), "sqlite")


Table(
    "assessments",
    metadata,
    Column('assessment_id', _str(50)),
    Column('trace_id', _str(50), nullable=False),
    Column('name', _str(250), nullable=False),
    Column('assessment_type', _str(20), nullable=False),
    Column('value', _text(), nullable=False),
    Column('error', _text()),
    Column('created_timestamp', BigInteger(), nullable=False),
    Column('last_updated_timestamp', BigInteger(), nullable=False),
    Column('source_type', _str(50), nullable=False),
    Column('source_id', _str(250)),
    Column('run_id', _str(32)),
    Column('span_id', _str(50)),
    Column('rationale', _text()),
    Column('overrides', _str(50)),
    Column('valid', Boolean(), nullable=False),
    Column('assessment_metadata', _text()),
    Column('experiment_id', Integer()),
    Column('trace_timestamp_ms', BigInteger()),
    Column('aggregate_value', _double()),
    Column('is_numeric_value', Boolean(), nullable=False, server_default=false()),
    PrimaryKeyConstraint('assessment_id', name='assessments_pk'),
    ForeignKeyConstraint(['trace_id'], ['trace_info.request_id'], name='fk_assessments_trace_id', ondelete='CASCADE'),
    Index('idx_assessments_exp_name_valid', 'experiment_id', 'name', 'valid'),
    Index('idx_assessments_exp_trace_ts', 'experiment_id', 'trace_timestamp_ms'),
    Index('idx_assessments_exp_trace_ts_name', 'experiment_id', 'trace_timestamp_ms', 'name'),
    Index('index_assessments_assessment_type', 'assessment_type'),
    Index('index_assessments_last_updated_timestamp', 'last_updated_timestamp'),
    Index('index_assessments_run_id_created_timestamp', 'run_id', 'created_timestamp'),
    Index('index_assessments_trace_id_created_timestamp', 'trace_id', 'created_timestamp'),
)

Table(
    "budget_policies",
    metadata,
    Column('budget_policy_id', _str(36)),
    Column('budget_unit', _str(32), nullable=False),
    Column('budget_amount', Float(), nullable=False),
    Column('duration_unit', _str(32), nullable=False),
    Column('duration_value', Integer(), nullable=False),
    Column('target_scope', _str(32), nullable=False),
    Column('budget_action', _str(32), nullable=False),
    Column('created_by', _str(255)),
    Column('created_at', BigInteger(), nullable=False),
    Column('last_updated_by', _str(255)),
    Column('last_updated_at', BigInteger(), nullable=False),
    Column('workspace', _str(63), nullable=False, server_default='default'),
    Column('target_value', _str(255)),
    PrimaryKeyConstraint('budget_policy_id', name='budget_policies_pk'),
    Index('idx_budget_policies_target_value', 'target_value'),
    Index('idx_budget_policies_workspace', 'workspace'),
)

Table(
    "datasets",
    metadata,
    Column('dataset_uuid', _str(36), nullable=False),
    Column('experiment_id', Integer()),
    Column('name', _str(500)),
    Column('digest', _str(36)),
    Column('dataset_source_type', _str(36), nullable=False),
    Column('dataset_source', _text(), nullable=False),
    Column('dataset_schema', _text("MEDIUMTEXT")),
    Column('dataset_profile', _text("MEDIUMTEXT")),
    PrimaryKeyConstraint('experiment_id', 'name', 'digest', name='dataset_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id'], name='fk_datasets_experiment_id_experiments', ondelete='CASCADE'),
    Index('index_datasets_dataset_uuid', 'dataset_uuid'),
    Index('index_datasets_experiment_id_dataset_source_type', 'experiment_id', 'dataset_source_type'),
)

Table(
    "endpoint_bindings",
    metadata,
    Column('endpoint_id', _str(36)),
    Column('resource_type', _str(50)),
    Column('resource_id', _str(255)),
    Column('created_at', BigInteger(), nullable=False),
    Column('created_by', _str(255)),
    Column('last_updated_at', BigInteger(), nullable=False),
    Column('last_updated_by', _str(255)),
    Column('display_name', _str(255)),
    PrimaryKeyConstraint('endpoint_id', 'resource_type', 'resource_id', name='endpoint_bindings_pk'),
    ForeignKeyConstraint(['endpoint_id'], ['endpoints.endpoint_id'], name='fk_endpoint_bindings_endpoint_id', ondelete='CASCADE'),
)

Table(
    "endpoint_model_mappings",
    metadata,
    Column('mapping_id', _str(36)),
    Column('endpoint_id', _str(36), nullable=False),
    Column('model_definition_id', _str(36), nullable=False),
    Column('weight', Float(), nullable=False),
    Column('created_by', _str(255)),
    Column('created_at', BigInteger(), nullable=False),
    Column('linkage_type', _str(64), nullable=False, server_default='PRIMARY'),
    Column('fallback_order', Integer()),
    PrimaryKeyConstraint('mapping_id', name='endpoint_model_mappings_pk'),
    ForeignKeyConstraint(['endpoint_id'], ['endpoints.endpoint_id'], name='fk_endpoint_model_mappings_endpoint_id', ondelete='CASCADE'),
    ForeignKeyConstraint(['model_definition_id'], ['model_definitions.model_definition_id'], name='fk_endpoint_model_mappings_model_definition_id'),
    Index('index_endpoint_model_mappings_endpoint_id', 'endpoint_id'),
    Index('index_endpoint_model_mappings_model_definition_id', 'model_definition_id'),
    Index('unique_endpoint_model_linkage_mapping', 'endpoint_id', 'model_definition_id', 'linkage_type', unique=True),
)

Table(
    "endpoint_tags",
    metadata,
    Column('key', _str(250)),
    Column('value', _str(5000)),
    Column('endpoint_id', _str(36)),
    PrimaryKeyConstraint('key', 'endpoint_id', name='endpoint_tag_pk'),
    ForeignKeyConstraint(['endpoint_id'], ['endpoints.endpoint_id'], name='fk_endpoint_tags_endpoint_id', ondelete='CASCADE'),
    Index('index_endpoint_tags_endpoint_id', 'endpoint_id'),
)

Table(
    "endpoints",
    metadata,
    Column('endpoint_id', _str(36)),
    Column('name', _str(255)),
    Column('created_by', _str(255)),
    Column('created_at', BigInteger(), nullable=False),
    Column('last_updated_by', _str(255)),
    Column('last_updated_at', BigInteger(), nullable=False),
    Column('routing_strategy', _str(64)),
    Column('fallback_config_json', _text()),
    Column('experiment_id', Integer()),
    Column('usage_tracking', Boolean(), nullable=False, server_default='0'),
    Column('workspace', _str(63), nullable=False, server_default='default'),
    PrimaryKeyConstraint('endpoint_id', name='endpoints_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id'], name='fk_endpoints_experiment_id', ondelete='SET NULL'),
    UniqueConstraint('workspace', 'name', name='uq_endpoints_workspace_name'),
    Index('idx_endpoints_workspace', 'workspace'),
)

Table(
    "entity_associations",
    metadata,
    Column('association_id', _str(36), nullable=False),
    Column('source_type', _str(36)),
    Column('source_id', _str(36)),
    Column('destination_type', _str(36)),
    Column('destination_id', _str(36)),
    Column('created_time', BigInteger()),
    PrimaryKeyConstraint('source_type', 'source_id', 'destination_type', 'destination_id', name='entity_associations_pk'),
    Index('index_entity_associations_association_id', 'association_id'),
    Index('index_entity_associations_reverse_lookup', 'destination_type', 'destination_id', 'source_type', 'source_id'),
)

Table(
    "evaluation_dataset_records",
    metadata,
    Column('dataset_record_id', _str(36)),
    Column('dataset_id', _str(36), nullable=False),
    Column('inputs', JSON(), nullable=False),
    Column('expectations', JSON()),
    Column('tags', JSON()),
    Column('source', JSON()),
    Column('source_id', _str(36)),
    Column('source_type', _str(255)),
    Column('created_time', BigInteger()),
    Column('last_update_time', BigInteger()),
    Column('created_by', _str(255)),
    Column('last_updated_by', _str(255)),
    Column('input_hash', _str(64), nullable=False),
    Column('outputs', JSON()),
    PrimaryKeyConstraint('dataset_record_id', name='evaluation_dataset_records_pk'),
    ForeignKeyConstraint(['dataset_id'], ['evaluation_datasets.dataset_id'], name='fk_evaluation_dataset_records_dataset_id', ondelete='CASCADE'),
    UniqueConstraint('dataset_id', 'input_hash', name='unique_dataset_input'),
    Index('index_evaluation_dataset_records_dataset_id', 'dataset_id'),
)

Table(
    "evaluation_dataset_tags",
    metadata,
    Column('dataset_id', _str(36)),
    Column('key', _str(255)),
    Column('value', _str(5000)),
    PrimaryKeyConstraint('dataset_id', 'key', name='evaluation_dataset_tags_pk'),
    ForeignKeyConstraint(['dataset_id'], ['evaluation_datasets.dataset_id'], name='fk_evaluation_dataset_tags_dataset_id', ondelete='CASCADE'),
    Index('index_evaluation_dataset_tags_dataset_id', 'dataset_id'),
)

Table(
    "evaluation_datasets",
    metadata,
    Column('dataset_id', _str(36)),
    Column('name', _str(255), nullable=False),
    Column('schema', _text()),
    Column('profile', _text()),
    Column('digest', _str(64)),
    Column('created_time', BigInteger()),
    Column('last_update_time', BigInteger()),
    Column('created_by', _str(255)),
    Column('last_updated_by', _str(255)),
    Column('workspace', _str(63), nullable=False, server_default='default'),
    PrimaryKeyConstraint('dataset_id', name='evaluation_datasets_pk'),
    Index('idx_evaluation_datasets_workspace', 'workspace'),
    Index('index_evaluation_datasets_created_time', 'created_time'),
    Index('index_evaluation_datasets_name', 'name'),
)

Table(
    "experiment_tags",
    metadata,
    Column('key', _str(250)),
    Column('value', _text("MEDIUMTEXT")),
    Column('experiment_id', Integer()),
    PrimaryKeyConstraint('key', 'experiment_id', name='experiment_tag_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id']),
)

Table(
    "experiments",
    metadata,
    Column('experiment_id', Integer(), autoincrement=True),
    Column('name', _str(256), nullable=False),
    Column('artifact_location', _str(256)),
    Column('lifecycle_stage', _str(32)),
    Column('creation_time', BigInteger()),
    Column('last_update_time', BigInteger()),
    Column('workspace', _str(63), nullable=False, server_default='default'),
    PrimaryKeyConstraint('experiment_id', name='experiment_pk'),
    UniqueConstraint('workspace', 'name', name='uq_experiments_workspace_name'),
    CheckConstraint("lifecycle_stage IN ('active', 'deleted')", name='experiments_lifecycle_stage'),
    Index('idx_experiments_workspace', 'workspace'),
    Index('idx_experiments_workspace_creation_time', 'workspace', 'creation_time'),
)

Table(
    "guardrail_configs",
    metadata,
    Column('endpoint_id', _str(36)),
    Column('guardrail_id', _str(36)),
    Column('execution_order', Integer()),
    Column('created_by', _str(255)),
    Column('created_at', BigInteger(), nullable=False),
    Column('workspace', _str(63), nullable=False, server_default='default'),
    PrimaryKeyConstraint('endpoint_id', 'guardrail_id', name='guardrail_configs_pk'),
    ForeignKeyConstraint(['endpoint_id'], ['endpoints.endpoint_id'], name='fk_guardrail_configs_endpoint_id', ondelete='CASCADE'),
    ForeignKeyConstraint(['guardrail_id'], ['guardrails.guardrail_id'], name='fk_guardrail_configs_guardrail_id', ondelete='CASCADE'),
    Index('idx_guardrail_configs_endpoint_id', 'endpoint_id'),
    Index('idx_guardrail_configs_guardrail_id', 'guardrail_id'),
)

Table(
    "guardrails",
    metadata,
    Column('guardrail_id', _str(36)),
    Column('name', _str(255), nullable=False),
    Column('scorer_id', _str(36), nullable=False),
    Column('scorer_version', Integer(), nullable=False),
    Column('stage', _str(32), nullable=False),
    Column('action', _str(32), nullable=False),
    Column('action_endpoint_id', _str(36)),
    Column('created_by', _str(255)),
    Column('created_at', BigInteger(), nullable=False),
    Column('last_updated_by', _str(255)),
    Column('last_updated_at', BigInteger(), nullable=False),
    Column('workspace', _str(63), nullable=False, server_default='default'),
    PrimaryKeyConstraint('guardrail_id', name='guardrails_pk'),
    ForeignKeyConstraint(['action_endpoint_id'], ['endpoints.endpoint_id'], name='fk_guardrails_action_endpoint_id', ondelete='SET NULL'),
    ForeignKeyConstraint(['scorer_id', 'scorer_version'], ['scorer_versions.scorer_id', 'scorer_versions.scorer_version'], name='fk_guardrails_scorer_version'),
    Index('idx_guardrails_scorer', 'scorer_id', 'scorer_version'),
    Index('idx_guardrails_workspace', 'workspace'),
)

Table(
    "input_tags",
    metadata,
    Column('input_uuid', _str(36)),
    Column('name', _str(255)),
    Column('value', _str(500), nullable=False),
    PrimaryKeyConstraint('input_uuid', 'name', name='input_tags_pk'),
)

Table(
    "inputs",
    metadata,
    Column('input_uuid', _str(36), nullable=False),
    Column('source_type', _str(36)),
    Column('source_id', _str(36)),
    Column('destination_type', _str(36)),
    Column('destination_id', _str(36)),
    Column('step', BigInteger(), nullable=False, server_default='0'),
    PrimaryKeyConstraint('source_type', 'source_id', 'destination_type', 'destination_id', name='inputs_pk'),
    Index('index_inputs_destination_type_destination_id_source_type', 'destination_type', 'destination_id', 'source_type'),
    Index('index_inputs_input_uuid', 'input_uuid'),
)

Table(
    "issues",
    metadata,
    Column('issue_id', _str(36)),
    Column('experiment_id', Integer(), nullable=False),
    Column('name', _str(250), nullable=False),
    Column('description', _text(), nullable=False),
    Column('status', _str(50), nullable=False),
    Column('severity', _str(50)),
    Column('root_causes', _text()),
    Column('source_run_id', _str(32)),
    Column('categories', _text()),
    Column('created_timestamp', BigInteger(), nullable=False),
    Column('last_updated_timestamp', BigInteger(), nullable=False),
    Column('created_by', _str(255)),
    PrimaryKeyConstraint('issue_id', name='issues_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id'], name='fk_issues_experiment_id', ondelete='CASCADE'),
    ForeignKeyConstraint(['source_run_id'], ['runs.run_uuid'], name='fk_issues_source_run_id', ondelete='SET NULL'),
    Index('index_issues_experiment_id', 'experiment_id'),
    Index('index_issues_source_run_id', 'source_run_id'),
    Index('index_issues_status', 'status'),
)

Table(
    "job_locks",
    metadata,
    Column('lock_key', _str(255)),
    Column('job_id', _str(36), nullable=False),
    Column('acquired_at', BigInteger(), nullable=False),
    PrimaryKeyConstraint('lock_key', name='job_locks_pk'),
    ForeignKeyConstraint(['job_id'], ['jobs.id'], name='fk_job_locks_job_id', ondelete='CASCADE'),
    Index('index_job_locks_job_id', 'job_id'),
)

Table(
    "jobs",
    metadata,
    Column('id', _str(36)),
    Column('creation_time', BigInteger(), nullable=False),
    Column('job_name', _str(500), nullable=False),
    Column('params', _text(), nullable=False),
    Column('timeout', _double()),
    Column('status', Integer(), nullable=False),
    Column('result', _text()),
    Column('retry_count', Integer(), nullable=False),
    Column('last_update_time', BigInteger(), nullable=False),
    Column('workspace', _str(63), nullable=False, server_default='default'),
    Column('status_details', JSON()),
    Column('creator', _str(255)),
    Column('executor_backend', _str(255)),
    Column('lease_expires_at', BigInteger()),
    Column('status_message', _text()),
    Column('progress', JSON()),
    Column('progress_updated_at', BigInteger()),
    Column('token_hash', _str(64)),
    Column('scoped_permissions', JSON()),
    Column('next_attempt_at', BigInteger()),
    PrimaryKeyConstraint('id', name='jobs_pk'),
    Index('index_jobs_name_status_creation_time', 'job_name', 'workspace', 'status', 'creation_time'),
    Index('index_jobs_status_lease_expires_at', 'status', 'lease_expires_at'),
)

Table(
    "label_schemas",
    metadata,
    Column('schema_id', _str(36)),
    Column('experiment_id', Integer(), nullable=False),
    Column('name', _str(250), nullable=False),
    Column('type', _str(16), nullable=False),
    Column('instruction', _text()),
    Column('enable_comment', Boolean(), nullable=False, server_default='0'),
    Column('input_type', _str(32), nullable=False),
    Column('input_config', _text(), nullable=False),
    Column('created_by', _str(255)),
    Column('created_time', BigInteger(), nullable=False),
    Column('last_update_time', BigInteger(), nullable=False),
    Column('is_default', Boolean(), nullable=False, server_default=false()),
    PrimaryKeyConstraint('schema_id', name='label_schemas_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id'], name='fk_label_schemas_experiment_id', ondelete='CASCADE'),
    UniqueConstraint('experiment_id', 'name', name='uq_label_schemas_exp_name'),
    Index('index_label_schemas_experiment_id', 'experiment_id'),
)

Table(
    "latest_metrics",
    metadata,
    Column('key', _str(250)),
    Column('value', _double(), nullable=False),
    Column('timestamp', BigInteger()),
    Column('step', BigInteger(), nullable=False),
    Column('is_nan', Boolean(create_constraint=True), nullable=False),
    Column('run_uuid', _str(32)),
    PrimaryKeyConstraint('key', 'run_uuid', name='latest_metric_pk'),
    ForeignKeyConstraint(['run_uuid'], ['runs.run_uuid']),
    Index('index_latest_metrics_run_uuid', 'run_uuid'),
)

Table(
    "logged_model_metrics",
    metadata,
    Column('model_id', _str(36)),
    Column('metric_name', _str(500)),
    Column('metric_timestamp_ms', BigInteger()),
    Column('metric_step', BigInteger()),
    Column('metric_value', _double()),
    Column('experiment_id', Integer(), nullable=False),
    Column('run_id', _str(32)),
    Column('dataset_uuid', _str(36)),
    Column('dataset_name', _str(500)),
    Column('dataset_digest', _str(36)),
    PrimaryKeyConstraint('model_id', 'metric_name', 'metric_timestamp_ms', 'metric_step', 'run_id', name='logged_model_metrics_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id'], name='fk_logged_model_metrics_experiment_id'),
    ForeignKeyConstraint(['model_id'], ['logged_models.model_id'], name='fk_logged_model_metrics_model_id', ondelete='CASCADE'),
    ForeignKeyConstraint(['run_id'], ['runs.run_uuid'], name='fk_logged_model_metrics_run_id', ondelete='CASCADE'),
    Index('index_logged_model_metrics_model_id', 'model_id'),
)

Table(
    "logged_model_params",
    metadata,
    Column('model_id', _str(36)),
    Column('experiment_id', Integer(), nullable=False),
    Column('param_key', _str(255)),
    Column('param_value', _text(), nullable=False),
    PrimaryKeyConstraint('model_id', 'param_key', name='logged_model_params_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id'], name='fk_logged_model_params_experiment_id'),
    ForeignKeyConstraint(['model_id'], ['logged_models.model_id'], name='fk_logged_model_params_model_id', ondelete='CASCADE'),
)

Table(
    "logged_model_tags",
    metadata,
    Column('model_id', _str(36)),
    Column('experiment_id', Integer(), nullable=False),
    Column('tag_key', _str(255)),
    Column('tag_value', _text(), nullable=False),
    PrimaryKeyConstraint('model_id', 'tag_key', name='logged_model_tags_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id'], name='fk_logged_model_tags_experiment_id'),
    ForeignKeyConstraint(['model_id'], ['logged_models.model_id'], name='fk_logged_model_tags_model_id', ondelete='CASCADE'),
)

Table(
    "logged_models",
    metadata,
    Column('model_id', _str(36)),
    Column('experiment_id', Integer(), nullable=False),
    Column('name', _str(500), nullable=False),
    Column('artifact_location', _str(1000), nullable=False),
    Column('creation_timestamp_ms', BigInteger(), nullable=False),
    Column('last_updated_timestamp_ms', BigInteger(), nullable=False),
    Column('status', Integer(), nullable=False),
    Column('lifecycle_stage', _str(32)),
    Column('model_type', _str(500)),
    Column('source_run_id', _str(32)),
    Column('status_message', _str(1000)),
    PrimaryKeyConstraint('model_id', name='logged_models_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id'], name='fk_logged_models_experiment_id', ondelete='CASCADE'),
    CheckConstraint("lifecycle_stage IN ('active', 'deleted')", name='logged_models_lifecycle_stage_check'),
)

Table(
    "mcp_access_endpoints",
    metadata,
    Column('id', _str(36)),
    Column('workspace', _str(63), nullable=False, server_default='default'),
    Column('server_name', _str(256), nullable=False),
    Column('server_version', _str(128)),
    Column('server_alias', _str(256)),
    Column('url', _str(2048), nullable=False),
    Column('transport_type', _str(32), nullable=False, server_default='streamable-http'),
    Column('created_by', _str(256)),
    Column('last_updated_by', _str(256)),
    Column('created_at', BigInteger(), nullable=False),
    Column('last_updated_at', BigInteger(), nullable=False),
    PrimaryKeyConstraint('id', name='mcp_access_endpoints_pk'),
    ForeignKeyConstraint(['workspace', 'server_name'], ['mcp_servers.workspace', 'mcp_servers.name'], name='mcp_access_endpoints_server_fkey', ondelete='CASCADE', onupdate='CASCADE'),
    Index('ix_mcp_access_endpoints_alias', 'workspace', 'server_name', 'server_alias'),
    Index('ix_mcp_access_endpoints_server_name', 'workspace', 'server_name'),
    Index('ix_mcp_access_endpoints_version', 'workspace', 'server_name', 'server_version'),
)

Table(
    "mcp_server_aliases",
    metadata,
    Column('workspace', _str(63), server_default='default'),
    Column('name', _str(256)),
    Column('alias', _str(256)),
    Column('version', _str(128), nullable=False),
    PrimaryKeyConstraint('workspace', 'name', 'alias', name='mcp_server_aliases_pk'),
    ForeignKeyConstraint(['workspace', 'name'], ['mcp_servers.workspace', 'mcp_servers.name'], name='mcp_server_aliases_server_fkey', ondelete='CASCADE', onupdate='CASCADE'),
)

Table(
    "mcp_server_tags",
    metadata,
    Column('workspace', _str(63), server_default='default'),
    Column('name', _str(256)),
    Column('key', _str(250)),
    Column('value', _str(5000)),
    PrimaryKeyConstraint('workspace', 'name', 'key', name='mcp_server_tags_pk'),
    ForeignKeyConstraint(['workspace', 'name'], ['mcp_servers.workspace', 'mcp_servers.name'], name='mcp_server_tags_server_fkey', ondelete='CASCADE', onupdate='CASCADE'),
)

Table(
    "mcp_server_version_tags",
    metadata,
    Column('workspace', _str(63), server_default='default'),
    Column('name', _str(256)),
    Column('version', _str(128)),
    Column('key', _str(250)),
    Column('value', _str(5000)),
    PrimaryKeyConstraint('workspace', 'name', 'version', 'key', name='mcp_server_version_tags_pk'),
    ForeignKeyConstraint(['workspace', 'name', 'version'], ['mcp_server_versions.workspace', 'mcp_server_versions.name', 'mcp_server_versions.version'], name='mcp_server_version_tags_version_fkey', ondelete='CASCADE', onupdate='CASCADE'),
)

Table(
    "mcp_server_versions",
    metadata,
    Column('workspace', _str(63), server_default='default'),
    Column('name', _str(256)),
    Column('version', _str(128)),
    Column('version_major', Integer(), nullable=False),
    Column('version_minor', Integer(), nullable=False),
    Column('version_patch', Integer(), nullable=False),
    Column('version_prerelease_sort_key', _str(512), nullable=False),
    Column('server_json', JSON(), nullable=False),
    Column('status', _str(20), nullable=False, server_default='draft'),
    Column('tools', JSON()),
    Column('source', _str(512)),
    Column('connect_options', JSON()),
    Column('created_by', _str(256)),
    Column('last_updated_by', _str(256)),
    Column('created_at', BigInteger(), nullable=False),
    Column('last_updated_at', BigInteger(), nullable=False),
    PrimaryKeyConstraint('workspace', 'name', 'version', name='mcp_server_versions_pk'),
    ForeignKeyConstraint(['workspace', 'name'], ['mcp_servers.workspace', 'mcp_servers.name'], name='mcp_server_versions_server_fkey', ondelete='CASCADE', onupdate='CASCADE'),
    Index('idx_mcp_server_versions_latest', 'workspace', 'name', 'status', 'version_major', 'version_minor', 'version_patch'),
)

Table(
    "mcp_servers",
    metadata,
    Column('workspace', _str(63), server_default='default'),
    Column('name', _str(256)),
    Column('display_name', _str(256)),
    Column('description', _text()),
    Column('icons', JSON()),
    Column('created_by', _str(256)),
    Column('last_updated_by', _str(256)),
    Column('created_at', BigInteger(), nullable=False),
    Column('last_updated_at', BigInteger(), nullable=False),
    PrimaryKeyConstraint('workspace', 'name', name='mcp_servers_pk'),
)

Table(
    "metrics",
    metadata,
    Column('key', _str(250)),
    Column('value', _double()),
    Column('timestamp', BigInteger()),
    Column('run_uuid', _str(32)),
    Column('step', BigInteger(), server_default='0'),
    Column('is_nan', Boolean(create_constraint=True), server_default='0'),
    PrimaryKeyConstraint('key', 'timestamp', 'step', 'run_uuid', 'value', 'is_nan', name='metric_pk'),
    ForeignKeyConstraint(['run_uuid'], ['runs.run_uuid']),
    Index('index_metrics_run_uuid', 'run_uuid'),
    Index('index_metrics_run_uuid_key_step', 'run_uuid', 'key', 'step'),
    # mlflow's MySQL databases carry this check twice (once from the Boolean type).
    CheckConstraint('is_nan IN (0, 1)').ddl_if(dialect="mysql"),
)

Table(
    "model_definitions",
    metadata,
    Column('model_definition_id', _str(36)),
    Column('name', _str(255), nullable=False),
    Column('secret_id', _str(36)),
    Column('provider', _str(64), nullable=False),
    Column('model_name', _str(256), nullable=False),
    Column('created_by', _str(255)),
    Column('created_at', BigInteger(), nullable=False),
    Column('last_updated_by', _str(255)),
    Column('last_updated_at', BigInteger(), nullable=False),
    Column('workspace', _str(63), nullable=False, server_default='default'),
    PrimaryKeyConstraint('model_definition_id', name='model_definitions_pk'),
    ForeignKeyConstraint(['secret_id'], ['secrets.secret_id'], name='fk_model_definitions_secret_id', ondelete='SET NULL'),
    UniqueConstraint('workspace', 'name', name='uq_model_definitions_workspace_name'),
    Index('idx_model_definitions_workspace', 'workspace'),
    Index('index_model_definitions_provider', 'provider'),
    Index('index_model_definitions_secret_id', 'secret_id'),
)

Table(
    "model_version_tags",
    metadata,
    Column('key', _str(250)),
    Column('value', _text()),
    Column('name', _str(256)),
    Column('version', Integer()),
    Column('workspace', _str(63), server_default='default'),
    PrimaryKeyConstraint('workspace', 'key', 'name', 'version', name='model_version_tag_pk'),
    ForeignKeyConstraint(['workspace', 'name', 'version'], ['model_versions.workspace', 'model_versions.name', 'model_versions.version'], name='fk_model_version_tags_model_versions', onupdate='CASCADE'),
    Index('idx_model_version_tags_workspace_name_version', 'workspace', 'name', 'version'),
)

Table(
    "model_versions",
    metadata,
    Column('name', _str(256)),
    Column('version', Integer()),
    Column('creation_time', BigInteger()),
    Column('last_updated_time', BigInteger()),
    Column('description', _str(5000)),
    Column('user_id', _str(256)),
    Column('current_stage', _str(20)),
    Column('source', _str(500)),
    Column('run_id', _str(32)),
    Column('status', _str(20)),
    Column('status_message', _str(500)),
    Column('run_link', _str(500)),
    Column('storage_location', _str(500)),
    Column('workspace', _str(63), server_default='default'),
    PrimaryKeyConstraint('workspace', 'name', 'version', name='model_version_pk'),
    ForeignKeyConstraint(['workspace', 'name'], ['registered_models.workspace', 'registered_models.name'], name='fk_model_versions_registered_models', onupdate='CASCADE'),
)

Table(
    "online_scoring_configs",
    metadata,
    Column('online_scoring_config_id', _str(36)),
    Column('scorer_id', _str(36), nullable=False),
    Column('sample_rate', _double(), nullable=False),
    Column('experiment_id', Integer(), nullable=False),
    Column('filter_string', _text()),
    PrimaryKeyConstraint('online_scoring_config_id', name='online_scoring_config_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id'], name='fk_online_scoring_configs_experiment_id'),
    ForeignKeyConstraint(['scorer_id'], ['scorers.scorer_id'], name='fk_online_scoring_configs_scorer_id', ondelete='CASCADE'),
)

Table(
    "params",
    metadata,
    Column('key', _str(250)),
    Column('value', _str(8000), nullable=False),
    Column('run_uuid', _str(32)),
    PrimaryKeyConstraint('key', 'run_uuid', name='param_pk'),
    ForeignKeyConstraint(['run_uuid'], ['runs.run_uuid']),
    Index('index_params_run_uuid', 'run_uuid'),
)

Table(
    "registered_model_aliases",
    metadata,
    Column('alias', _str(256)),
    Column('version', Integer(), nullable=False),
    Column('name', _str(256)),
    Column('workspace', _str(63), server_default='default'),
    PrimaryKeyConstraint('workspace', 'name', 'alias', name='registered_model_alias_pk'),
    ForeignKeyConstraint(['workspace', 'name'], ['registered_models.workspace', 'registered_models.name'], name='fk_registered_model_aliases_registered_models', ondelete='CASCADE', onupdate='CASCADE'),
)

Table(
    "registered_model_tags",
    metadata,
    Column('key', _str(250)),
    Column('value', _str(5000)),
    Column('name', _str(256)),
    Column('workspace', _str(63), server_default='default'),
    PrimaryKeyConstraint('workspace', 'key', 'name', name='registered_model_tag_pk'),
    ForeignKeyConstraint(['workspace', 'name'], ['registered_models.workspace', 'registered_models.name'], name='fk_registered_model_tags_registered_models', onupdate='CASCADE'),
    Index('idx_registered_model_tags_workspace_name', 'workspace', 'name'),
)

Table(
    "registered_models",
    metadata,
    Column('name', _str(256)),
    Column('creation_time', BigInteger()),
    Column('last_updated_time', BigInteger()),
    Column('description', _str(5000)),
    Column('workspace', _str(63), server_default='default'),
    PrimaryKeyConstraint('workspace', 'name', name='registered_model_pk'),
    Index('idx_registered_models_workspace', 'workspace'),
)

Table(
    "review_queue_items",
    metadata,
    Column('queue_id', _str(36)),
    Column('item_type', _str(16), nullable=False),
    Column('item_id', _str(50)),
    Column('status', _str(16), nullable=False),
    Column('completed_by', _str(250)),
    Column('completed_time_ms', BigInteger()),
    Column('creation_time_ms', BigInteger(), nullable=False),
    Column('last_update_time_ms', BigInteger(), nullable=False),
    PrimaryKeyConstraint('queue_id', 'item_id', name='review_queue_items_pk'),
    ForeignKeyConstraint(['queue_id'], ['review_queues.queue_id'], name='fk_review_queue_items_queue_id', ondelete='CASCADE'),
    Index('index_review_queue_items_item_id', 'item_id'),
    Index('index_review_queue_items_queue_id_status', 'queue_id', 'status'),
)

Table(
    "review_queue_label_schemas",
    metadata,
    Column('queue_id', _str(36)),
    Column('schema_id', _str(36)),
    PrimaryKeyConstraint('queue_id', 'schema_id', name='review_queue_label_schemas_pk'),
    ForeignKeyConstraint(['queue_id'], ['review_queues.queue_id'], name='fk_review_queue_label_schemas_queue_id', ondelete='CASCADE'),
    Index('index_review_queue_label_schemas_schema_id', 'schema_id'),
)

Table(
    "review_queue_users",
    metadata,
    Column('queue_id', _str(36)),
    Column('user_id', _str(250)),
    PrimaryKeyConstraint('queue_id', 'user_id', name='review_queue_users_pk'),
    ForeignKeyConstraint(['queue_id'], ['review_queues.queue_id'], name='fk_review_queue_users_queue_id', ondelete='CASCADE'),
    Index('index_review_queue_users_user_id', 'user_id'),
)

Table(
    "review_queues",
    metadata,
    Column('queue_id', _str(36)),
    Column('experiment_id', Integer(), nullable=False),
    Column('name', _str(250), nullable=False),
    Column('queue_type', _str(16), nullable=False),
    Column('created_by', _str(255)),
    Column('creation_time_ms', BigInteger(), nullable=False),
    Column('last_update_time_ms', BigInteger(), nullable=False),
    Column('name_key', _str(250), nullable=False),
    PrimaryKeyConstraint('queue_id', name='review_queues_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id'], name='fk_review_queues_experiment_id', ondelete='CASCADE'),
    UniqueConstraint('experiment_id', 'name_key', name='uq_review_queues_experiment_name_key'),
    Index('index_review_queues_experiment_id', 'experiment_id'),
)

Table(
    "runs",
    metadata,
    Column('run_uuid', _str(32)),
    Column('name', _str(250)),
    Column('source_type', _str(20)),
    Column('source_name', _str(500)),
    Column('entry_point_name', _str(50)),
    Column('user_id', _str(256)),
    Column('status', _str(9)),
    Column('start_time', BigInteger()),
    Column('end_time', BigInteger()),
    Column('source_version', _str(50)),
    Column('lifecycle_stage', _str(20)),
    Column('artifact_uri', _str(200)),
    Column('experiment_id', Integer()),
    Column('deleted_time', BigInteger()),
    PrimaryKeyConstraint('run_uuid', name='run_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id']),
    CheckConstraint("status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')"),
    CheckConstraint("lifecycle_stage IN ('active', 'deleted')", name='runs_lifecycle_stage'),
    CheckConstraint("source_type IN ('NOTEBOOK', 'JOB', 'LOCAL', 'UNKNOWN', 'PROJECT')", name='source_type'),
)

Table(
    "scheduler_leases",
    metadata,
    Column('lease_key', _str(255)),
    Column('acquired_at', BigInteger(), nullable=False),
    Column('ttl_seconds', Integer(), nullable=False),
    PrimaryKeyConstraint('lease_key', name='scheduler_leases_pk'),
)

Table(
    "scorer_versions",
    metadata,
    Column('scorer_id', _str(36)),
    Column('scorer_version', Integer()),
    Column('serialized_scorer', _text(), nullable=False),
    Column('creation_time', BigInteger()),
    PrimaryKeyConstraint('scorer_id', 'scorer_version', name='scorer_version_pk'),
    ForeignKeyConstraint(['scorer_id'], ['scorers.scorer_id'], name='fk_scorer_versions_scorer_id', ondelete='CASCADE'),
    Index('index_scorer_versions_scorer_id', 'scorer_id'),
)

Table(
    "scorers",
    metadata,
    Column('experiment_id', Integer(), nullable=False),
    Column('scorer_name', _str(256), nullable=False),
    Column('scorer_id', _str(36)),
    PrimaryKeyConstraint('scorer_id', name='scorer_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id'], name='fk_scorers_experiment_id', ondelete='CASCADE'),
    Index('index_scorers_experiment_id_scorer_name', 'experiment_id', 'scorer_name', unique=True),
)

Table(
    "secrets",
    metadata,
    Column('secret_id', _str(36)),
    Column('secret_name', _str(255), nullable=False),
    Column('encrypted_value', LargeBinary(), nullable=False),
    Column('wrapped_dek', LargeBinary(), nullable=False),
    Column('kek_version', Integer(), nullable=False),
    Column('masked_value', _str(500), nullable=False),
    Column('provider', _str(64)),
    Column('auth_config', _text()),
    Column('description', _text()),
    Column('created_by', _str(255)),
    Column('created_at', BigInteger(), nullable=False),
    Column('last_updated_by', _str(255)),
    Column('last_updated_at', BigInteger(), nullable=False),
    Column('workspace', _str(63), nullable=False, server_default='default'),
    PrimaryKeyConstraint('secret_id', name='secrets_pk'),
    UniqueConstraint('workspace', 'secret_name', name='uq_secrets_workspace_secret_name'),
    Index('idx_secrets_workspace', 'workspace'),
)

Table(
    "span_metrics",
    metadata,
    Column('trace_id', _str(50)),
    Column('span_id', _str(50)),
    Column('key', _str(250)),
    Column('value', _double()),
    PrimaryKeyConstraint('trace_id', 'span_id', 'key', name='span_metrics_pk'),
    ForeignKeyConstraint(['trace_id', 'span_id'], ['spans.trace_id', 'spans.span_id'], name='fk_span_metrics_span', ondelete='CASCADE'),
    Index('index_span_metrics_trace_id_span_id', 'trace_id', 'span_id'),
)

Table(
    "spans",
    metadata,
    Column('trace_id', _str(50)),
    Column('experiment_id', Integer(), nullable=False),
    Column('span_id', _str(50)),
    Column('parent_span_id', _str(50)),
    Column('name', _text()),
    Column('type', _str(500)),
    Column('status', _str(50), nullable=False),
    Column('start_time_unix_nano', BigInteger(), nullable=False),
    Column('end_time_unix_nano', BigInteger()),
    Column('duration_ns', BigInteger(), Computed('end_time_unix_nano - start_time_unix_nano', persisted=True)),
    Column('content', _text("LONGTEXT"), nullable=False),
    Column('input_cost', _double()),
    Column('output_cost', _double()),
    Column('total_cost', _double()),
    Column('model_name', _str(500)),
    Column('model_provider', _str(500)),
    PrimaryKeyConstraint('trace_id', 'span_id', name='spans_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id'], name='fk_spans_experiment_id'),
    ForeignKeyConstraint(['trace_id'], ['trace_info.request_id'], name='fk_spans_trace_id', ondelete='CASCADE'),
    Index('idx_spans_cost_exp_time_cover', 'experiment_id', 'start_time_unix_nano'),
    Index('idx_spans_cost_trace_time_cover', 'trace_id', 'start_time_unix_nano'),
    Index('index_spans_experiment_id_duration', 'experiment_id', 'duration_ns'),
    Index('index_spans_experiment_id_start_time', 'experiment_id', 'start_time_unix_nano'),
    Index('index_spans_experiment_id_status_type', 'experiment_id', 'status', 'type'),
    Index('index_spans_experiment_id_type_status', 'experiment_id', 'type', 'status'),
)

Table(
    "sql_assessment_daily_rollups",
    metadata,
    Column('id', _serial(), Identity(), autoincrement=True),
    Column('experiment_id', Integer(), nullable=False),
    Column('rollup_day', Date(), nullable=False),
    Column('metric_name', _str(250), nullable=False),
    Column('grouping_set', _str(50), nullable=False),
    Column('sample_count', BigInteger(), nullable=False),
    Column('sum_value', _double()),
    Column('min_value', _double()),
    Column('max_value', _double()),
    PrimaryKeyConstraint('id', name='sql_assessment_daily_rollups_pk'),
    Index('idx_assessment_rollups_lookup', 'experiment_id', 'rollup_day', 'metric_name', 'grouping_set'),
)

Table(
    "sql_span_cost_daily_rollups",
    metadata,
    Column('id', _serial(), Identity(), autoincrement=True),
    Column('experiment_id', Integer(), nullable=False),
    Column('rollup_day', Date(), nullable=False),
    Column('metric_name', _str(250), nullable=False),
    Column('grouping_set', _str(50), nullable=False),
    Column('model_name', _str(500)),
    Column('model_provider', _str(500)),
    Column('sample_count', BigInteger(), nullable=False),
    Column('sum_value', _double()),
    Column('min_value', _double()),
    Column('max_value', _double()),
    PrimaryKeyConstraint('id', name='sql_span_cost_daily_rollups_pk'),
    Index('idx_span_cost_rollups_lookup', 'experiment_id', 'rollup_day', 'metric_name', 'grouping_set', 'model_name',
          'model_provider', mysql_length={'model_name': 64, 'model_provider': 64}),
)

Table(
    "sql_trace_metric_daily_rollups",
    metadata,
    Column('id', _serial(), Identity(), autoincrement=True),
    Column('experiment_id', Integer(), nullable=False),
    Column('rollup_day', Date(), nullable=False),
    Column('metric_name', _str(250), nullable=False),
    Column('grouping_set', _str(50), nullable=False),
    Column('trace_status', _str(50)),
    Column('sample_count', BigInteger(), nullable=False),
    Column('sum_value', _double()),
    Column('min_value', _double()),
    Column('max_value', _double()),
    Column('p50_value', _double()),
    Column('p90_value', _double()),
    Column('p99_value', _double()),
    PrimaryKeyConstraint('id', name='sql_trace_metric_daily_rollups_pk'),
    Index('idx_trace_rollups_lookup', 'experiment_id', 'rollup_day', 'metric_name', 'grouping_set', 'trace_status'),
)

Table(
    "sql_trace_rollup_rebuild_queue",
    metadata,
    Column('experiment_id', Integer()),
    Column('rollup_day', Date()),
    Column('rollup_family', _str(50)),
    PrimaryKeyConstraint('experiment_id', 'rollup_day', 'rollup_family', name='sql_trace_rollup_rebuild_queue_pk'),
)

Table(
    "tags",
    metadata,
    Column('key', _str(250)),
    Column('value', _str(8000)),
    Column('run_uuid', _str(32)),
    PrimaryKeyConstraint('key', 'run_uuid', name='tag_pk'),
    ForeignKeyConstraint(['run_uuid'], ['runs.run_uuid']),
    Index('index_tags_run_uuid', 'run_uuid'),
)

Table(
    "trace_info",
    metadata,
    Column('request_id', _str(50)),
    Column('experiment_id', Integer(), nullable=False),
    Column('timestamp_ms', BigInteger(), nullable=False),
    Column('execution_time_ms', BigInteger()),
    Column('status', _str(50), nullable=False),
    Column('client_request_id', _str(50)),
    Column('request_preview', _str(1000)),
    Column('response_preview', _str(1000)),
    Column('db_payload_generation', Integer(), nullable=False, server_default='0'),
    Column('trace_name', _str(4096)),
    Column('session_id', _str(250)),
    Column('input_tokens', BigInteger()),
    Column('output_tokens', BigInteger()),
    Column('total_tokens', BigInteger()),
    Column('cache_read_input_tokens', BigInteger()),
    Column('cache_creation_input_tokens', BigInteger()),
    Column('cache_creation_input_tokens_above_1hr', BigInteger()),
    Column('input_cost', _double()),
    Column('output_cost', _double()),
    Column('total_cost', _double()),
    PrimaryKeyConstraint('request_id', name='trace_info_pk'),
    ForeignKeyConstraint(['experiment_id'], ['experiments.experiment_id'], name='fk_trace_info_experiment_id', ondelete='CASCADE'),
    Index('index_trace_info_experiment_id_session_id', 'experiment_id', 'session_id'),
    Index('index_trace_info_experiment_id_timestamp_ms', 'experiment_id', 'timestamp_ms'),
    Index('index_trace_info_timestamp_ms_request_id', 'timestamp_ms', 'request_id'),
)

Table(
    "trace_metrics",
    metadata,
    Column('request_id', _str(50)),
    Column('key', _str(250)),
    Column('value', _double()),
    PrimaryKeyConstraint('request_id', 'key', name='trace_metrics_pk'),
    ForeignKeyConstraint(['request_id'], ['trace_info.request_id'], name='fk_trace_metrics_request_id', ondelete='CASCADE'),
    Index('index_trace_metrics_request_id', 'request_id'),
)

Table(
    "trace_request_metadata",
    metadata,
    Column('key', _str(250)),
    Column('value', _str(8000)),
    Column('request_id', _str(50)),
    PrimaryKeyConstraint('key', 'request_id', name='trace_request_metadata_pk'),
    ForeignKeyConstraint(['request_id'], ['trace_info.request_id'], name='fk_trace_request_metadata_request_id', ondelete='CASCADE'),
    Index('index_trace_request_metadata_request_id', 'request_id'),
)

Table(
    "trace_tags",
    metadata,
    Column('key', _str(250)),
    Column('value', _str(8000)),
    Column('request_id', _str(50)),
    PrimaryKeyConstraint('key', 'request_id', name='trace_tag_pk'),
    ForeignKeyConstraint(['request_id'], ['trace_info.request_id'], name='fk_trace_tags_request_id', ondelete='CASCADE'),
    Index('index_trace_tags_request_id', 'request_id'),
)

Table(
    "webhook_events",
    metadata,
    Column('webhook_id', _str(256)),
    Column('entity', _str(50)),
    Column('action', _str(50)),
    PrimaryKeyConstraint('webhook_id', 'entity', 'action', name='webhook_event_pk'),
    ForeignKeyConstraint(['webhook_id'], ['webhooks.webhook_id'], ondelete='CASCADE'),
    Index('idx_webhook_events_action', 'action'),
    Index('idx_webhook_events_entity', 'entity'),
    Index('idx_webhook_events_entity_action', 'entity', 'action'),
)

Table(
    "webhooks",
    metadata,
    Column('webhook_id', _str(256)),
    Column('name', _str(256), nullable=False),
    Column('description', _str(1000)),
    Column('url', _str(500), nullable=False),
    Column('status', _str(20), nullable=False, server_default='ACTIVE'),
    Column('secret', _str(1000)),
    Column('creation_timestamp', BigInteger()),
    Column('last_updated_timestamp', BigInteger()),
    Column('deleted_timestamp', BigInteger()),
    Column('workspace', _str(63), nullable=False, server_default='default'),
    PrimaryKeyConstraint('webhook_id', name='webhook_pk'),
    Index('idx_webhooks_name', 'name'),
    Index('idx_webhooks_status', 'status'),
    Index('idx_webhooks_workspace', 'workspace'),
)

Table(
    "workspaces",
    metadata,
    Column('name', _str(63)),
    Column('description', _text()),
    Column('default_artifact_root', _text()),
    Column('trace_archival_location', _text()),
    Column('trace_archival_retention', _str(32)),
    PrimaryKeyConstraint('name', name='workspaces_pk'),
)


# Indexes and one nullability that mlflow's MySQL databases have and its others do not
# (left there by MySQL itself for foreign keys of earlier revisions).
for _table, _name, _columns in (
    ("runs", "experiment_id", ("experiment_id",)),
    ("logged_models", "fk_logged_models_experiment_id", ("experiment_id",)),
    ("model_version_tags", "name", ("name", "version")),
    ("registered_model_tags", "name", ("name",)),
):
    Index(_name, *(metadata.tables[_table].c[c] for c in _columns)).ddl_if(dialect="mysql")


# (dialect, table, column) -> nullability where it differs from the definition above.
DIALECT_NULLABLE = {("mysql", "jobs", "job_name"): True}


def apply_dialect_quirks(table_name, connection):
    """What CREATE TABLE cannot say per backend: mlflow's MySQL jobs table has a nullable job_name."""
    if table_name == "jobs" and connection.dialect.name == "mysql":
        collation = mysql_binary_collation(connection.dialect)
        connection.exec_driver_sql(
            f"ALTER TABLE jobs MODIFY job_name VARCHAR(500) CHARACTER SET utf8mb4 COLLATE {collation} NULL")


@event.listens_for(metadata.tables["jobs"], "after_create")
def _after_jobs_created(table, connection, **_):
    apply_dialect_quirks(table.name, connection)
