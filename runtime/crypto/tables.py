"""SQLAlchemy Core description of mlflow's `secrets` table (the columns rotation and the server
gateway touch), bound to whatever database holds it."""

import sqlalchemy as sa

metadata = sa.MetaData()

secrets = sa.Table(
    "secrets", metadata,
    sa.Column("secret_id", sa.String(36), primary_key=True),
    sa.Column("secret_name", sa.String(255), nullable=False),
    sa.Column("encrypted_value", sa.LargeBinary, nullable=False),
    sa.Column("wrapped_dek", sa.LargeBinary, nullable=False),
    sa.Column("kek_version", sa.Integer, nullable=False),
    sa.Column("masked_value", sa.String(500), nullable=False),
    sa.Column("provider", sa.String(64)),
    sa.Column("auth_config", sa.Text),
    sa.Column("description", sa.Text),
    sa.Column("created_by", sa.String(255)),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("last_updated_by", sa.String(255)),
    sa.Column("last_updated_at", sa.BigInteger, nullable=False),
    sa.Column("workspace", sa.String(63), nullable=False, server_default="default"),
)
