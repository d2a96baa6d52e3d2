"""`mlf crypto rotate-kek` and the envelope encryption, byte-compatible with mlflow 3.17.2:
real mlflow creates secrets that mlf reads and rotates, mlflow reads them back with the new
passphrase; secrets written by mlf are read by mlflow and rotated by mlflow's own CLI, then read
by mlf. Failures change nothing and say so in one line."""

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
import sqlalchemy as sa

from runtime.crypto.envelope import decrypt_secret, derive_kek, encrypt_secret, mask_secret
from runtime.crypto.tables import metadata, secrets
from tests.support.mlflow_venv import mlflow_python

MLF = [sys.executable, "-m", "runtime"]


def _mlf(args, env, input_text=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    full_env.update(env)
    return subprocess.run(MLF + args, env=full_env, input=input_text, capture_output=True, text=True, timeout=120)


def _rows(uri):
    engine = sa.create_engine(uri)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.select(secrets).order_by(secrets.c.secret_name)).all()
    finally:
        engine.dispose()


def _digest(path):
    """A digest of every secrets row (the file's own bytes change when sqlite switches to WAL)."""
    rows = _rows(f"sqlite:///{path}")
    return hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()


@pytest.fixture
def mlf_db(tmp_path):
    """A sqlite database with mlflow's secrets table and two secrets written by mlf (KEK v1 'old')."""
    path = tmp_path / "gw.db"
    uri = f"sqlite:///{path}"
    engine = sa.create_engine(uri)
    metadata.create_all(engine)
    kek = derive_kek("old", 1)
    with engine.begin() as connection:
        for index, value in enumerate(({"api_key": "sk-one-1234567"}, {"api_key": "sk-two-7654321"})):
            secret_id, name = f"s-{index:032x}", f"sec{index}"
            encrypted, wrapped = encrypt_secret(value, kek, secret_id, name)
            connection.execute(secrets.insert().values(
                secret_id=secret_id, secret_name=name, encrypted_value=encrypted, wrapped_dek=wrapped, kek_version=1,
                masked_value=json.dumps(mask_secret(value)), created_at=1, last_updated_at=1))
    engine.dispose()
    return path, uri


def test_rotation_then_reading_with_the_new_kek(mlf_db):
    path, uri = mlf_db
    result = _mlf(["crypto", "rotate-kek", "--new-passphrase", "new", "-y", "--backend-store-uri", uri],
                  {"MLFLOW_CRYPTO_KEK_PASSPHRASE": "old"})
    assert result.returncode == 0, result.stderr
    assert "Creating KEK managers (v1 -> v2)..." in result.stdout
    assert "\u2713 Successfully rotated 2 encryption keys from KEK v1 to v2" in result.stdout
    assert "MLFLOW_CRYPTO_KEK_VERSION='2'" in result.stdout
    kek = derive_kek("new", 2)
    rows = _rows(uri)
    assert [r.kek_version for r in rows] == [2, 2]
    assert decrypt_secret(rows[1].encrypted_value, rows[1].wrapped_dek, kek, rows[1].secret_id, rows[1].secret_name) == {"api_key": "sk-two-7654321"}


def test_wrong_old_passphrase_changes_nothing(mlf_db):
    path, uri = mlf_db
    before = _digest(path)
    result = _mlf(["crypto", "rotate-kek", "--new-passphrase", "new", "-y", "--backend-store-uri", uri],
                  {"MLFLOW_CRYPTO_KEK_PASSPHRASE": "wrong"})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: KEK rotation failed at secret 'sec0'")
    assert "No changes were made." in lines[0]
    assert _digest(path) == before


def test_version_matching_no_secret_is_an_error(mlf_db):
    path, uri = mlf_db
    before = _digest(path)
    result = _mlf(["crypto", "rotate-kek", "--new-passphrase", "new", "-y", "--backend-store-uri", uri],
                  {"MLFLOW_CRYPTO_KEK_PASSPHRASE": "old", "MLFLOW_CRYPTO_KEK_VERSION": "5"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: No secrets found with kek_version=5 (the stored secrets have kek_version 1); "
        "set MLFLOW_CRYPTO_KEK_VERSION to the current version.")
    assert _digest(path) == before


def test_file_store_and_missing_passphrase_are_clear_errors(tmp_path, mlf_db):
    result = _mlf(["crypto", "rotate-kek", "--new-passphrase", "n", "-y", "--backend-store-uri", str(tmp_path / "mlruns")],
                  {"MLFLOW_CRYPTO_KEK_PASSPHRASE": "old"})
    assert result.returncode == 1 and "Gateway secrets live only in a database backend store" in result.stderr
    result = _mlf(["crypto", "rotate-kek", "--new-passphrase", "n", "-y", "--backend-store-uri", mlf_db[1]], {})
    assert result.returncode == 1
    assert result.stderr.strip() == ("Error: MLFLOW_CRYPTO_KEK_PASSPHRASE must be set to the current (old) passphrase "
                                     "before running KEK rotation.")


def test_new_passphrase_from_stdin_and_confirmation(mlf_db, tmp_path):
    path, uri = mlf_db
    env = {"MLFLOW_CRYPTO_KEK_PASSPHRASE": "old"}
    before = _digest(path)
    declined = _mlf(["crypto", "rotate-kek", "--new-passphrase", "new", "--backend-store-uri", uri], env, input_text="n\n")
    assert declined.returncode == 0 and "KEK rotation cancelled." in declined.stderr
    assert "WARNING: KEK Rotation Operation" in declined.stderr and _digest(path) == before
    no_terminal = _mlf(["crypto", "rotate-kek", "-y", "--backend-store-uri", uri], env, input_text="")
    assert no_terminal.returncode == 2 and "--new-passphrase-file" in no_terminal.stderr
    result = _mlf(["crypto", "rotate-kek", "--new-passphrase-file", "-", "-y", "--backend-store-uri", uri], env,
                  input_text="from-stdin\n")
    assert result.returncode == 0, result.stderr
    row = _rows(uri)[0]
    assert decrypt_secret(row.encrypted_value, row.wrapped_dek, derive_kek("from-stdin", 2), row.secret_id, row.secret_name)


MLFLOW_SCRIPT = textwrap.dedent("""
    import json, sys
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
    store = SqlAlchemyStore(sys.argv[2], sys.argv[3])
    if sys.argv[1] == "create":
        made = [store.create_gateway_secret(f"sec{i}", {"api_key": f"sk-mlflow-secret-{i}"}, provider="openai")
                for i in range(3)]
        print(json.dumps([s.secret_id for s in made]))
    elif sys.argv[1] == "rotate":  # mlflow's own re-wrapping (its 3.17.2 CLI fails on a read-only session)
        from mlflow.store.tracking.dbmodels.models import SqlGatewaySecret
        from mlflow.utils.crypto import KEKManager, rotate_secret_encryption
        old, new = KEKManager(), KEKManager(passphrase=sys.argv[4], kek_version=int(sys.argv[5]))
        with store.ManagedSessionMaker(read_only=False) as session:
            rows = session.query(SqlGatewaySecret).all()
            for row in rows:
                row.wrapped_dek = rotate_secret_encryption(row.encrypted_value, row.wrapped_dek, old, new).wrapped_dek
                row.kek_version = int(sys.argv[5])
        print(json.dumps(len(rows)))
    else:
        ids = json.loads(sys.argv[4])
        print(json.dumps({i: store._get_decrypted_secret(i) for i in ids}))
""")


@pytest.mark.slow
def test_byte_compatible_with_mlflow_both_ways(tmp_path):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    artifacts = str(tmp_path / "artifacts")

    def mlflow(mode, passphrase, version, extra=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        env.update(MLFLOW_CRYPTO_KEK_PASSPHRASE=passphrase, MLFLOW_CRYPTO_KEK_VERSION=str(version))
        argv = [mlflow_python(), "-c", MLFLOW_SCRIPT, mode, uri, artifacts] + (extra or [])
        result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    ids = mlflow("create", "first-pass", 1)
    # mlf reads what mlflow wrote, then rotates it
    rows = {r.secret_id: r for r in _rows(uri)}
    first = derive_kek("first-pass", 1)
    for index, secret_id in enumerate(ids):
        row = rows[secret_id]
        assert decrypt_secret(row.encrypted_value, row.wrapped_dek, first, row.secret_id, row.secret_name) == {"api_key": f"sk-mlflow-secret-{index}"}
        assert json.loads(row.masked_value) == mask_secret({"api_key": f"sk-mlflow-secret-{index}"})
    result = _mlf(["crypto", "rotate-kek", "--new-passphrase", "second-pass", "-y", "--backend-store-uri", uri],
                  {"MLFLOW_CRYPTO_KEK_PASSPHRASE": "first-pass"})
    assert result.returncode == 0, result.stderr
    assert "Successfully rotated 3 encryption keys from KEK v1 to v2" in result.stdout
    # mlflow reads them with the new passphrase and version
    assert mlflow("read", "second-pass", 2, [json.dumps(ids)]) == {i: {"api_key": f"sk-mlflow-secret-{n}"} for n, i in enumerate(ids)}

    # the reverse: a secret written by mlf is read by mlflow, mlflow's CLI rotates, mlf reads
    second = derive_kek("second-pass", 2)
    encrypted, wrapped = encrypt_secret({"api_key": "sk-written-by-mlf"}, second, "s-" + "f" * 32, "from-mlf")
    engine = sa.create_engine(uri)
    with engine.begin() as connection:
        connection.execute(secrets.insert().values(
            secret_id="s-" + "f" * 32, secret_name="from-mlf", encrypted_value=encrypted, wrapped_dek=wrapped, kek_version=2,
            masked_value=json.dumps(mask_secret({"api_key": "sk-written-by-mlf"})), provider="openai",
            created_at=int(time.time() * 1000), last_updated_at=int(time.time() * 1000)))
    engine.dispose()
    assert mlflow("read", "second-pass", 2, [json.dumps(["s-" + "f" * 32])]) == {"s-" + "f" * 32: {"api_key": "sk-written-by-mlf"}}
    assert mlflow("rotate", "second-pass", 2, ["third-pass", "3"]) == 4
    third = derive_kek("third-pass", 3)
    values = {r.secret_name: decrypt_secret(r.encrypted_value, r.wrapped_dek, third, r.secret_id, r.secret_name)
              for r in _rows(uri)}
    assert values == {"sec0": {"api_key": "sk-mlflow-secret-0"}, "sec1": {"api_key": "sk-mlflow-secret-1"},
                      "sec2": {"api_key": "sk-mlflow-secret-2"}, "from-mlf": {"api_key": "sk-written-by-mlf"}}
