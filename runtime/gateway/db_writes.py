"""The DB-backed gateway's writes besides secrets: endpoints (with their model mappings, tags and
bindings), model definitions and budget policies, on mlflow's tables with mlflow's id formats
(`e-`, `d-`, `m-`, `bp-` + 32 hex) so mlflow reads what mlf writes and back. Every write is one
transaction; a missing referenced row is RESOURCE_DOES_NOT_EXIST, a taken name
RESOURCE_ALREADY_EXISTS.
"""

import json
import time
import uuid

import sqlalchemy as sa

from runtime.errors import AlreadyExists, InvalidParameter, NotFound
from runtime.gateway.db import (budget_policies, endpoint_bindings, endpoint_model_mappings, endpoint_tags, endpoints,
                                model_definitions)
from runtime.crypto.tables import secrets

LINKAGE_TYPES = ("PRIMARY", "FALLBACK")
ROUTING_STRATEGIES = ("REQUEST_BASED_TRAFFIC_SPLIT",)
FALLBACK_STRATEGIES = ("SEQUENTIAL",)
BUDGET_UNITS = ("USD",)
DURATION_UNITS = ("MINUTES", "HOURS", "DAYS", "WEEKS", "MONTHS")
TARGET_SCOPES = ("GLOBAL", "WORKSPACE", "ENDPOINT", "USER")
BUDGET_ACTIONS = ("ALERT", "REJECT")


def _now():
    return int(time.time() * 1000)


def _new_id(prefix):
    return f"{prefix}-{uuid.uuid4().hex}"


def _exists(connection, table, column, value, what):
    if connection.execute(sa.select(column).where(column == value)).first() is None:
        raise NotFound(f"{what} not found ({column.name}='{value}')")


def _fallback_json(fallback_config, configs):
    fallback_ids = [c["model_definition_id"] for c in configs if c["linkage_type"] == "FALLBACK"]
    if not fallback_config and not fallback_ids:
        return None
    fallback_config = fallback_config or {}
    return json.dumps({"strategy": fallback_config.get("strategy"), "max_attempts": fallback_config.get("max_attempts"),
                       "model_definition_ids": fallback_ids})


class GatewayWriter:
    """Writes through a GatewayStore's engine; answers with the store's entity dicts."""

    def __init__(self, store):
        self.store, self.engine = store, store.engine

    # --- model definitions ------------------------------------------------------------------
    def create_model_definition(self, name, secret_id, provider, model_name, created_by=None):
        definition_id, now = _new_id("d"), _now()
        with self.engine.begin() as connection:
            _exists(connection, secrets, secrets.c.secret_id, secret_id, "GatewaySecret")
            if connection.execute(sa.select(model_definitions.c.name).where(model_definitions.c.name == name)).first():
                raise AlreadyExists(f"Model definition with name '{name}' already exists")
            connection.execute(model_definitions.insert().values(
                model_definition_id=definition_id, name=name, secret_id=secret_id, provider=provider,
                model_name=model_name, created_by=created_by, last_updated_by=created_by, created_at=now,
                last_updated_at=now, workspace="default"))
        return self.store.get_model_definition(definition_id)

    def update_model_definition(self, definition_id, updated_by=None, **changes):
        changes = {k: v for k, v in changes.items() if v is not None}
        with self.engine.begin() as connection:
            _exists(connection, model_definitions, model_definitions.c.model_definition_id, definition_id,
                    "GatewayModelDefinition")
            if changes.get("secret_id"):
                _exists(connection, secrets, secrets.c.secret_id, changes["secret_id"], "GatewaySecret")
            if changes.get("name") and connection.execute(sa.select(model_definitions.c.name).where(
                    (model_definitions.c.name == changes["name"])
                    & (model_definitions.c.model_definition_id != definition_id))).first():
                raise AlreadyExists(f"Model definition with name '{changes['name']}' already exists")
            connection.execute(model_definitions.update().where(
                model_definitions.c.model_definition_id == definition_id).values(
                last_updated_at=_now(), last_updated_by=updated_by, **changes))
        return self.store.get_model_definition(definition_id)

    def delete_model_definition(self, definition_id):
        """Refused while an endpoint still uses the model: its mapping would point nowhere."""
        with self.engine.begin() as connection:
            _exists(connection, model_definitions, model_definitions.c.model_definition_id, definition_id,
                    "GatewayModelDefinition")
            used = connection.execute(sa.select(endpoint_model_mappings.c.endpoint_id).where(
                endpoint_model_mappings.c.model_definition_id == definition_id)).first()
            if used:
                raise InvalidParameter(f"Model definition '{definition_id}' is used by endpoint '{used.endpoint_id}': "
                                       "detach it from the endpoint first.")
            connection.execute(model_definitions.delete().where(model_definitions.c.model_definition_id == definition_id))

    # --- endpoints ------------------------------------------------------------------------
    def _insert_mappings(self, connection, endpoint_id, configs, created_by, now):
        wanted = {c["model_definition_id"] for c in configs}
        found = {r.model_definition_id for r in connection.execute(sa.select(model_definitions.c.model_definition_id)
                                                                   .where(model_definitions.c.model_definition_id.in_(wanted)))}
        if wanted - found:
            raise NotFound(f"Model definitions not found: {', '.join(sorted(wanted - found))}")
        for config in configs:
            connection.execute(endpoint_model_mappings.insert().values(
                mapping_id=_new_id("m"), endpoint_id=endpoint_id, created_by=created_by, created_at=now, **config))

    def _name_free(self, connection, name, endpoint_id=None):
        query = sa.select(endpoints.c.endpoint_id).where(endpoints.c.name == name)
        if endpoint_id:
            query = query.where(endpoints.c.endpoint_id != endpoint_id)
        if connection.execute(query).first():
            raise AlreadyExists(f"Endpoint with name '{name}' already exists")

    def create_endpoint(self, name, configs, created_by=None, routing_strategy=None, fallback_config=None,
                        experiment_id=None, usage_tracking=False, tracking_experiment=None):
        """`tracking_experiment(name, endpoint_id)` gives the experiment id when usage tracking is on
        and none was named (mlflow makes `gateway/<name>`); it runs before the endpoint's own
        transaction, once the name is known to be free."""
        if not configs:
            raise InvalidParameter("Endpoint must have at least one model configuration")
        endpoint_id, now = _new_id("e"), _now()
        if usage_tracking and experiment_id is None and tracking_experiment is not None:
            with self.engine.connect() as connection:
                self._name_free(connection, name)
            experiment_id = int(tracking_experiment(name, endpoint_id))
        with self.engine.begin() as connection:
            self._name_free(connection, name)
            connection.execute(endpoints.insert().values(
                endpoint_id=endpoint_id, name=name, created_by=created_by, last_updated_by=created_by, created_at=now,
                last_updated_at=now, routing_strategy=routing_strategy,
                fallback_config_json=_fallback_json(fallback_config, configs), experiment_id=experiment_id,
                usage_tracking=bool(usage_tracking), workspace="default"))
            self._insert_mappings(connection, endpoint_id, configs, created_by, now)
        return self.store.get_endpoint(endpoint_id=endpoint_id)

    def update_endpoint(self, endpoint_id, name=None, updated_by=None, configs=None, routing_strategy=None,
                        fallback_config=None, experiment_id=None, usage_tracking=None):
        """`configs`, when given, replaces the endpoint's model mappings as a whole."""
        now = _now()
        changes = {"last_updated_at": now, "last_updated_by": updated_by}
        with self.engine.begin() as connection:
            _exists(connection, endpoints, endpoints.c.endpoint_id, endpoint_id, "GatewayEndpoint")
            if name:
                self._name_free(connection, name, endpoint_id)
                changes["name"] = name
            if routing_strategy:
                changes["routing_strategy"] = routing_strategy
            if experiment_id is not None:
                changes["experiment_id"] = experiment_id
            if usage_tracking is not None:
                changes["usage_tracking"] = bool(usage_tracking)
            if configs is not None:
                if not configs:
                    raise InvalidParameter("Endpoint must have at least one model configuration")
                connection.execute(endpoint_model_mappings.delete().where(endpoint_model_mappings.c.endpoint_id == endpoint_id))
                self._insert_mappings(connection, endpoint_id, configs, updated_by, now)
            if configs is not None or fallback_config is not None:
                if configs is None:
                    configs = [{"model_definition_id": r.model_definition_id, "linkage_type": r.linkage_type}
                               for r in connection.execute(sa.select(endpoint_model_mappings).where(
                                   endpoint_model_mappings.c.endpoint_id == endpoint_id))]
                changes["fallback_config_json"] = _fallback_json(fallback_config, configs)
            connection.execute(endpoints.update().where(endpoints.c.endpoint_id == endpoint_id).values(**changes))
        return self.store.get_endpoint(endpoint_id=endpoint_id)

    def delete_endpoint(self, endpoint_id):
        """The endpoint with its mappings, tags and bindings (mlflow's ON DELETE CASCADE, done
        explicitly because SQLite enforces foreign keys only when asked)."""
        with self.engine.begin() as connection:
            _exists(connection, endpoints, endpoints.c.endpoint_id, endpoint_id, "GatewayEndpoint")
            for table in (endpoint_model_mappings, endpoint_tags, endpoint_bindings):
                connection.execute(table.delete().where(table.c.endpoint_id == endpoint_id))
            connection.execute(endpoints.delete().where(endpoints.c.endpoint_id == endpoint_id))

    def attach_model(self, endpoint_id, config, created_by=None):
        mapping_id, now = _new_id("m"), _now()
        with self.engine.begin() as connection:
            _exists(connection, endpoints, endpoints.c.endpoint_id, endpoint_id, "GatewayEndpoint")
            _exists(connection, model_definitions, model_definitions.c.model_definition_id,
                    config["model_definition_id"], "GatewayModelDefinition")
            taken = connection.execute(sa.select(endpoint_model_mappings.c.mapping_id).where(
                (endpoint_model_mappings.c.endpoint_id == endpoint_id)
                & (endpoint_model_mappings.c.model_definition_id == config["model_definition_id"])
                & (endpoint_model_mappings.c.linkage_type == config["linkage_type"]))).first()
            if taken:
                raise AlreadyExists(f"Model definition '{config['model_definition_id']}' is already attached to "
                                    f"endpoint '{endpoint_id}' as {config['linkage_type']}")
            connection.execute(endpoint_model_mappings.insert().values(
                mapping_id=mapping_id, endpoint_id=endpoint_id, created_by=created_by, created_at=now, **config))
            connection.execute(endpoints.update().where(endpoints.c.endpoint_id == endpoint_id).values(last_updated_at=now))
        return next(m for m in self.store.get_endpoint(endpoint_id=endpoint_id)["model_mappings"]
                    if m["mapping_id"] == mapping_id)

    def detach_model(self, endpoint_id, definition_id):
        with self.engine.begin() as connection:
            deleted = connection.execute(endpoint_model_mappings.delete().where(
                (endpoint_model_mappings.c.endpoint_id == endpoint_id)
                & (endpoint_model_mappings.c.model_definition_id == definition_id))).rowcount
            if not deleted:
                raise NotFound(f"Model definition '{definition_id}' is not attached to endpoint '{endpoint_id}'")
            connection.execute(endpoints.update().where(endpoints.c.endpoint_id == endpoint_id).values(last_updated_at=_now()))

    # --- tags and bindings ----------------------------------------------------------------
    def set_tag(self, endpoint_id, key, value):
        with self.engine.begin() as connection:
            _exists(connection, endpoints, endpoints.c.endpoint_id, endpoint_id, "GatewayEndpoint")
            where = (endpoint_tags.c.endpoint_id == endpoint_id) & (endpoint_tags.c.key == key)
            if connection.execute(endpoint_tags.update().where(where).values(value=value)).rowcount == 0:
                connection.execute(endpoint_tags.insert().values(endpoint_id=endpoint_id, key=key, value=value))

    def delete_tag(self, endpoint_id, key):
        with self.engine.begin() as connection:
            _exists(connection, endpoints, endpoints.c.endpoint_id, endpoint_id, "GatewayEndpoint")
            connection.execute(endpoint_tags.delete().where(
                (endpoint_tags.c.endpoint_id == endpoint_id) & (endpoint_tags.c.key == key)))

    def create_binding(self, endpoint_id, resource_type, resource_id, created_by=None):
        now = _now()
        row = dict(endpoint_id=endpoint_id, resource_type=resource_type, resource_id=resource_id, created_at=now,
                   created_by=created_by, last_updated_at=now, last_updated_by=created_by)
        with self.engine.begin() as connection:
            _exists(connection, endpoints, endpoints.c.endpoint_id, endpoint_id, "GatewayEndpoint")
            if connection.execute(sa.select(endpoint_bindings.c.endpoint_id).where(self._binding(
                    endpoint_id, resource_type, resource_id))).first():
                raise AlreadyExists(f"Binding of {resource_type} '{resource_id}' to endpoint '{endpoint_id}' already exists")
            connection.execute(endpoint_bindings.insert().values(**row))
        return binding_info(row)

    @staticmethod
    def _binding(endpoint_id, resource_type, resource_id):
        return ((endpoint_bindings.c.endpoint_id == endpoint_id) & (endpoint_bindings.c.resource_type == resource_type)
                & (endpoint_bindings.c.resource_id == resource_id))

    def delete_binding(self, endpoint_id, resource_type, resource_id):
        with self.engine.begin() as connection:
            if not connection.execute(endpoint_bindings.delete().where(
                    self._binding(endpoint_id, resource_type, resource_id))).rowcount:
                raise NotFound(f"Binding of {resource_type} '{resource_id}' to endpoint '{endpoint_id}' not found")

    def list_bindings(self, endpoint_id=None, resource_type=None, resource_id=None):
        query = sa.select(endpoint_bindings).order_by(endpoint_bindings.c.created_at)
        for column, value in (("endpoint_id", endpoint_id), ("resource_type", resource_type), ("resource_id", resource_id)):
            if value:
                query = query.where(endpoint_bindings.c[column] == value)
        with self.engine.connect() as connection:
            return [binding_info(r._mapping) for r in connection.execute(query)]

    # --- budget policies ------------------------------------------------------------------
    def create_budget(self, fields, created_by=None):
        policy_id, now = _new_id("bp"), _now()
        with self.engine.begin() as connection:
            self._check_budget_target(connection, fields)
            connection.execute(budget_policies.insert().values(
                budget_policy_id=policy_id, created_by=created_by, last_updated_by=created_by, created_at=now,
                last_updated_at=now, workspace="default", **fields))
        return self.get_budget(policy_id)

    @staticmethod
    def _check_budget_target(connection, fields):
        """An ENDPOINT budget must name an existing endpoint, or it would never apply."""
        if fields.get("target_scope") == "ENDPOINT":
            _exists(connection, endpoints, endpoints.c.endpoint_id, fields.get("target_value"), "GatewayEndpoint")

    def update_budget(self, policy_id, fields, updated_by=None):
        with self.engine.begin() as connection:
            row = connection.execute(sa.select(budget_policies).where(budget_policies.c.budget_policy_id == policy_id)).first()
            if row is None:
                raise NotFound(f"BudgetPolicy not found (budget_policy_id='{policy_id}')")
            self._check_budget_target(connection, {**row._mapping, **fields})
            connection.execute(budget_policies.update().where(budget_policies.c.budget_policy_id == policy_id).values(
                last_updated_at=_now(), last_updated_by=updated_by, **fields))
        return self.get_budget(policy_id)

    def delete_budget(self, policy_id):
        with self.engine.begin() as connection:
            if not connection.execute(budget_policies.delete().where(budget_policies.c.budget_policy_id == policy_id)).rowcount:
                raise NotFound(f"BudgetPolicy not found (budget_policy_id='{policy_id}')")

    def get_budget(self, policy_id):
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(budget_policies).where(budget_policies.c.budget_policy_id == policy_id)).first()
        if row is None:
            raise NotFound(f"BudgetPolicy not found (budget_policy_id='{policy_id}')")
        return budget_info(row)

    def list_budgets(self, max_results, offset):
        query = (sa.select(budget_policies).order_by(budget_policies.c.created_at, budget_policies.c.budget_policy_id)
                 .offset(offset).limit(max_results + 1))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [budget_info(r) for r in rows[:max_results]], len(rows) > max_results


def binding_info(row):
    info = {k: row[k] for k in ("endpoint_id", "resource_type", "resource_id", "created_at", "last_updated_at")}
    for key in ("created_by", "last_updated_by", "display_name"):
        if row.get(key):
            info[key] = row[key]
    return info


def budget_info(row):
    info = {"budget_policy_id": row.budget_policy_id, "budget_unit": row.budget_unit, "budget_amount": row.budget_amount,
            "duration": {"unit": row.duration_unit, "value": row.duration_value}, "target_scope": row.target_scope,
            "budget_action": row.budget_action, "created_at": row.created_at, "last_updated_at": row.last_updated_at}
    for key in ("created_by", "last_updated_by", "target_value"):
        if getattr(row, key):
            info[key] = getattr(row, key)
    return info
