"""The DB-backed gateway of `mlf server`, read side: mlflow's gateway tables (secrets,
endpoints, model_definitions, endpoint_model_mappings) as SQLAlchemy Core tables, the entity
dicts the REST API answers (secrets only ever masked), and the resolution of an endpoint into
provider configurations, with decrypted secrets kept in a small TTL cache.
"""

import json
import threading
import time

import sqlalchemy as sa

from runtime.crypto.tables import metadata, secrets

endpoints = sa.Table(
    "endpoints", metadata,
    sa.Column("endpoint_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(255)),
    sa.Column("created_by", sa.String(255)),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("last_updated_by", sa.String(255)),
    sa.Column("last_updated_at", sa.BigInteger, nullable=False),
    sa.Column("routing_strategy", sa.String(64)),
    sa.Column("fallback_config_json", sa.Text),
    sa.Column("experiment_id", sa.Integer),
    sa.Column("usage_tracking", sa.Boolean, nullable=False),
    sa.Column("workspace", sa.String(63), nullable=False),
)
model_definitions = sa.Table(
    "model_definitions", metadata,
    sa.Column("model_definition_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("secret_id", sa.String(36)),
    sa.Column("provider", sa.String(64), nullable=False),
    sa.Column("model_name", sa.String(256), nullable=False),
    sa.Column("created_by", sa.String(255)),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("last_updated_by", sa.String(255)),
    sa.Column("last_updated_at", sa.BigInteger, nullable=False),
    sa.Column("workspace", sa.String(63), nullable=False),
)
endpoint_model_mappings = sa.Table(
    "endpoint_model_mappings", metadata,
    sa.Column("mapping_id", sa.String(36), primary_key=True),
    sa.Column("endpoint_id", sa.String(36), nullable=False),
    sa.Column("model_definition_id", sa.String(36), nullable=False),
    sa.Column("weight", sa.Float, nullable=False),
    sa.Column("created_by", sa.String(255)),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("linkage_type", sa.String(64), nullable=False),
    sa.Column("fallback_order", sa.Integer),
)
endpoint_tags = sa.Table(
    "endpoint_tags", metadata,
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("value", sa.String(5000)),
    sa.Column("endpoint_id", sa.String(36), primary_key=True),
)
endpoint_bindings = sa.Table(
    "endpoint_bindings", metadata,
    sa.Column("endpoint_id", sa.String(36), primary_key=True),
    sa.Column("resource_type", sa.String(50), primary_key=True),
    sa.Column("resource_id", sa.String(255), primary_key=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(255)),
    sa.Column("last_updated_at", sa.BigInteger, nullable=False),
    sa.Column("last_updated_by", sa.String(255)),
    sa.Column("display_name", sa.String(255)),
)
budget_policies = sa.Table(
    "budget_policies", metadata,
    sa.Column("budget_policy_id", sa.String(36), primary_key=True),
    sa.Column("budget_unit", sa.String(32), nullable=False),
    sa.Column("budget_amount", sa.Float, nullable=False),
    sa.Column("duration_unit", sa.String(32), nullable=False),
    sa.Column("duration_value", sa.Integer, nullable=False),
    sa.Column("target_scope", sa.String(32), nullable=False),
    sa.Column("budget_action", sa.String(32), nullable=False),
    sa.Column("created_by", sa.String(255)),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("last_updated_by", sa.String(255)),
    sa.Column("last_updated_at", sa.BigInteger, nullable=False),
    sa.Column("workspace", sa.String(63), nullable=False, server_default="default"),
    sa.Column("target_value", sa.String(255)),
)


def _json_map(text):
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _fallback_config(text):
    """FallbackConfig from the endpoint's stored JSON (strategy, max_attempts), if any is set."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return {k: value[k] for k in ("strategy", "max_attempts") if value.get(k) is not None} or None


def secret_info(row):
    """GatewaySecretInfo: only the masked values, never the secret."""
    info = {"secret_id": row.secret_id, "secret_name": row.secret_name, "masked_values": _json_map(row.masked_value),
            "created_at": row.created_at, "last_updated_at": row.last_updated_at}
    for key in ("provider", "created_by", "last_updated_by"):
        if getattr(row, key):
            info[key] = getattr(row, key)
    if row.auth_config:
        info["auth_config"] = _json_map(row.auth_config)
    return info


def model_definition_info(row, secret_name=None):
    info = {"model_definition_id": row.model_definition_id, "name": row.name, "provider": row.provider,
            "model_name": row.model_name, "created_at": row.created_at, "last_updated_at": row.last_updated_at}
    for key in ("secret_id", "created_by", "last_updated_by"):
        if getattr(row, key):
            info[key] = getattr(row, key)
    if secret_name:
        info["secret_name"] = secret_name
    return info


class SecretCache:
    """Decrypted secrets by id for `ttl` seconds, at most `max_size` of them (oldest dropped)."""

    def __init__(self, ttl=60, max_size=1000):
        self.ttl, self.max_size = ttl, max_size
        self._items, self._lock = {}, threading.Lock()

    def forget(self, key):
        with self._lock:
            self._items.pop(key, None)

    def get(self, key, load):
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
            if hit and hit[0] > now:
                return hit[1]
        value = load()
        with self._lock:
            if len(self._items) >= self.max_size:
                self._items.pop(min(self._items, key=lambda k: self._items[k][0]))
            self._items[key] = (now + self.ttl, value)
        return value


class GatewayStore:
    def __init__(self, engine, kek, cache, kek_version=1):
        self.engine, self.kek, self.cache, self.kek_version = engine, kek, cache, kek_version

    def _rows(self, query):
        with self.engine.connect() as connection:
            return connection.execute(query).all()

    def list_secrets(self):
        return [secret_info(r) for r in self._rows(sa.select(secrets).order_by(secrets.c.created_at))]

    def get_secret(self, secret_id=None, secret_name=None):
        column, value = (secrets.c.secret_id, secret_id) if secret_id else (secrets.c.secret_name, secret_name)
        rows = self._rows(sa.select(secrets).where(column == value))
        return secret_info(rows[0]) if rows else None

    def _definitions(self, where=None):
        query = sa.select(model_definitions, secrets.c.secret_name).join(
            secrets, secrets.c.secret_id == model_definitions.c.secret_id, isouter=True)
        if where is not None:
            query = query.where(where)
        return [model_definition_info(r, r.secret_name) for r in self._rows(query.order_by(model_definitions.c.created_at))]

    def list_model_definitions(self):
        return self._definitions()

    def get_model_definition(self, model_definition_id):
        found = self._definitions(model_definitions.c.model_definition_id == model_definition_id)
        return found[0] if found else None

    def _endpoint(self, row):
        mappings = self._rows(sa.select(endpoint_model_mappings).where(endpoint_model_mappings.c.endpoint_id == row.endpoint_id))
        definitions = {d["model_definition_id"]: d for d in self._definitions(
            model_definitions.c.model_definition_id.in_([m.model_definition_id for m in mappings]))}
        info = {"endpoint_id": row.endpoint_id, "name": row.name, "created_at": row.created_at,
                "last_updated_at": row.last_updated_at, "usage_tracking": bool(row.usage_tracking),
                "model_mappings": [{
                    "mapping_id": m.mapping_id, "endpoint_id": m.endpoint_id, "model_definition_id": m.model_definition_id,
                    "model_definition": definitions.get(m.model_definition_id), "weight": m.weight,
                    "created_at": m.created_at, "linkage_type": m.linkage_type,
                    **({"fallback_order": m.fallback_order} if m.fallback_order is not None else {})} for m in mappings]}
        tags = self._rows(sa.select(endpoint_tags).where(endpoint_tags.c.endpoint_id == row.endpoint_id)
                          .order_by(endpoint_tags.c.key))
        if tags:
            info["tags"] = [{"key": t.key, **({"value": t.value} if t.value is not None else {})} for t in tags]
        for key in ("created_by", "last_updated_by", "routing_strategy"):
            if getattr(row, key):
                info[key] = getattr(row, key)
        fallback = _fallback_config(row.fallback_config_json)
        if fallback:
            info["fallback_config"] = fallback
        if row.experiment_id is not None:
            info["experiment_id"] = str(row.experiment_id)
        return info

    def list_endpoints(self):
        return [self._endpoint(r) for r in self._rows(sa.select(endpoints).order_by(endpoints.c.created_at))]

    def get_endpoint(self, endpoint_id=None, name=None):
        column, value = (endpoints.c.endpoint_id, endpoint_id) if endpoint_id else (endpoints.c.name, name)
        rows = self._rows(sa.select(endpoints).where(column == value))
        return self._endpoint(rows[0]) if rows else None

    def decrypted_secret(self, secret_id):
        from runtime.crypto.envelope import decrypt_secret

        def load():
            row = self._rows(sa.select(secrets).where(secrets.c.secret_id == secret_id))[0]
            value = decrypt_secret(row.encrypted_value, row.wrapped_dek, self.kek, row.secret_id, row.secret_name)
            return (json.loads(value) if isinstance(value, str) else value), _json_map(row.auth_config)

        return self.cache.get(secret_id, load)

    # --- writes (secrets) -----------------------------------------------------------------
    def create_secret(self, name, value, provider=None, auth_config=None, created_by=None):
        """Encrypt and store a new secret the way mlflow does (id `s-<32 hex>`, JSON text sealed)."""
        import uuid

        from runtime.crypto.envelope import encrypt_secret, mask_secret
        from runtime.errors import MlfError

        secret_id, now = f"s-{uuid.uuid4().hex}", int(time.time() * 1000)
        encrypted, wrapped = encrypt_secret(json.dumps(value), self.kek, secret_id, name)
        row = dict(secret_id=secret_id, secret_name=name, encrypted_value=encrypted, wrapped_dek=wrapped,
                   kek_version=self.kek_version, masked_value=json.dumps(mask_secret(value)), provider=provider,
                   auth_config=json.dumps(auth_config) if auth_config else None, created_by=created_by,
                   last_updated_by=created_by, created_at=now, last_updated_at=now, workspace="default")
        try:
            with self.engine.begin() as connection:
                connection.execute(secrets.insert().values(**row))
        except sa.exc.IntegrityError:
            raise MlfError(f"Secret with name '{name}' already exists", error_code="RESOURCE_ALREADY_EXISTS") from None
        return self.get_secret(secret_id=secret_id)

    def update_secret(self, secret_id, value=None, auth_config=None, updated_by=None):
        from runtime.crypto.envelope import encrypt_secret, mask_secret

        with self.engine.begin() as connection:
            row = connection.execute(sa.select(secrets).where(secrets.c.secret_id == secret_id)).first()
            if row is None:
                return None
            changes = {"last_updated_at": int(time.time() * 1000), "last_updated_by": updated_by}
            if value:
                encrypted, wrapped = encrypt_secret(json.dumps(value), self.kek, secret_id, row.secret_name)
                changes.update(encrypted_value=encrypted, wrapped_dek=wrapped, kek_version=self.kek_version,
                               masked_value=json.dumps(mask_secret(value)))
            if auth_config is not None:
                changes["auth_config"] = json.dumps(auth_config) if auth_config else None
            connection.execute(secrets.update().where(secrets.c.secret_id == secret_id).values(**changes))
        self.cache.forget(secret_id)
        return self.get_secret(secret_id=secret_id)

    def delete_secret(self, secret_id):
        """Remove a secret; model definitions that used it keep no secret (as mlflow's SET NULL)."""
        with self.engine.begin() as connection:
            connection.execute(model_definitions.update().where(model_definitions.c.secret_id == secret_id)
                               .values(secret_id=None))
            deleted = connection.execute(secrets.delete().where(secrets.c.secret_id == secret_id)).rowcount
        self.cache.forget(secret_id)
        return deleted == 1
