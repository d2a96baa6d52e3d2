"""`mlf crypto rotate-kek`: re-wrap every secret's data key under a KEK derived from a new
passphrase and the next version, in one transaction.

All keys are unwrapped before anything is written, so a wrong current passphrase changes
nothing; the UPDATEs run in one transaction and each is guarded by the old version, so a
concurrent rotation cannot be half-applied. Messages follow mlflow's (stdout for progress,
stderr for warnings), but failures are one line and non-zero, and a version that matches no
secret is an error instead of a silent success.
"""

import sys

from runtime.crypto.envelope import PASSPHRASE_ENV, VERSION_ENV, DecryptionError, derive_kek, rewrap
from runtime.errors import MlfError
from runtime.tracking_uri import SQL_SCHEMES, uri_scheme


def _warning(stderr, old_version, new_version):
    print("\n\u26a0\ufe0f  WARNING: KEK Rotation Operation\n", file=stderr)
    print("This operation will:", file=stderr)
    print("  - Re-wrap all encryption DEKs with a new KEK", file=stderr)
    print(f"  - Update all encrypted data from kek_version {old_version} to {new_version}", file=stderr)
    print("  - Require updating BOTH environment variables after completion:", file=stderr)
    print("    * MLFLOW_CRYPTO_KEK_PASSPHRASE='<new-passphrase>'", file=stderr)
    print(f"    * MLFLOW_CRYPTO_KEK_VERSION='{new_version}'\n", file=stderr)
    print("IMPORTANT: Ensure the MLflow server is shut down before proceeding.\n", file=stderr)


def _confirm(stdin, stderr):
    print("Continue with KEK rotation? [y/N]: ", end="", file=stderr, flush=True)
    answer = stdin.readline().strip().lower()
    return answer in ("y", "yes")


def _versions(environ):
    passphrase = environ.get(PASSPHRASE_ENV)
    if not passphrase:
        raise MlfError(f"{PASSPHRASE_ENV} must be set to the current (old) passphrase before running KEK rotation.")
    raw = environ.get(VERSION_ENV) or "1"
    try:
        old_version = int(raw)
    except ValueError:
        raise MlfError(f"{VERSION_ENV} must be an integer, got {raw!r}.") from None
    return passphrase, old_version, old_version + 1


def _database_uri(ctx, backend_store_uri):
    uri = ctx.tracking_uri(backend_store_uri)
    scheme = uri_scheme(uri)
    if scheme not in SQL_SCHEMES:
        kind = "a file store" if scheme == "file" else "a tracking server"
        raise MlfError(f"Gateway secrets live only in a database backend store; {uri} is {kind}. "
                       "Pass --backend-store-uri with the server's sqlite:, postgresql: or mysql: URI.")
    return uri


def rotate_kek_command(ctx, *, new_passphrase, new_passphrase_file, backend_store_uri, yes):
    from runtime.crypto.passphrase import read_new_passphrase

    stdin = getattr(ctx, "stdin", None) or sys.stdin
    old_passphrase, old_version, new_version = _versions(ctx.environ)
    uri = _database_uri(ctx, backend_store_uri)
    new_passphrase = read_new_passphrase(new_passphrase, new_passphrase_file, stdin=stdin, stderr=ctx.stderr)
    if not yes:
        _warning(ctx.stderr, old_version, new_version)
        if not _confirm(stdin, ctx.stderr):
            print("KEK rotation cancelled.", file=ctx.stderr)
            return
    out = ctx.stdout
    print(f"Creating KEK managers (v{old_version} -> v{new_version})...", file=out, flush=True)
    old_kek, new_kek = derive_kek(old_passphrase, old_version), derive_kek(new_passphrase, new_version)
    print("Connecting to backend store...", file=out, flush=True)
    count = rotate_database(uri, old_kek, new_kek, old_version, new_version, out)
    print(f"\n\u2713 Successfully rotated {count} encryption {'key' if count == 1 else 'keys'} "
          f"from KEK v{old_version} to v{new_version}\n", file=out)
    print("=" * 80, file=out)
    print("CRITICAL: Update BOTH environment variables in your deployment config:", file=out)
    print("=" * 80, file=out)
    print("\n  MLFLOW_CRYPTO_KEK_PASSPHRASE='<new-passphrase>'", file=out)
    print(f"  MLFLOW_CRYPTO_KEK_VERSION='{new_version}'", file=out)
    print("\nFailure to update BOTH variables will cause decryption failures!\n", file=out)


def rotate_database(uri, old_kek, new_kek, old_version, new_version, out):
    import sqlalchemy as sa

    from runtime.crypto.tables import secrets
    from runtime.store.sql.engine import create_engine

    engine = create_engine(uri)
    try:
        if not sa.inspect(engine).has_table("secrets"):
            raise MlfError(f"{uri} has no gateway secrets table: it is not an mlflow 3.7+ tracking database.")
        print("Retrieving encrypted keys to rotate...", file=out, flush=True)
        with engine.begin() as connection:
            rows = connection.execute(sa.select(secrets.c.secret_id, secrets.c.secret_name, secrets.c.wrapped_dek,
                                                secrets.c.kek_version)).all()
            current = [row for row in rows if row.kek_version == old_version]
            if not current:
                if not rows:
                    raise MlfError("The database holds no gateway secrets: nothing to rotate.")
                found = ", ".join(str(v) for v in sorted({row.kek_version for row in rows}))
                raise MlfError(f"No secrets found with kek_version={old_version} (the stored secrets have kek_version "
                               f"{found}); set {VERSION_ENV} to the current version.")
            others = len(rows) - len(current)
            if others:
                print(f"Warning: {others} secret(s) with another kek_version are left as they are.", file=sys.stderr)
            print(f"Found {len(current)} secrets to rotate.", file=out, flush=True)
            rewrapped = []
            for row in current:  # every key is opened before anything is written
                try:
                    rewrapped.append((row.secret_id, rewrap(row.wrapped_dek, old_kek, new_kek)))
                except DecryptionError:
                    raise MlfError(f"KEK rotation failed at secret '{row.secret_name}': the current passphrase "
                                   f"({PASSPHRASE_ENV}) and version ({VERSION_ENV}={old_version}) do not open its key. "
                                   "No changes were made.") from None
            for secret_id, wrapped in rewrapped:
                updated = connection.execute(
                    secrets.update()
                    .where(secrets.c.secret_id == secret_id, secrets.c.kek_version == old_version)
                    .values(wrapped_dek=wrapped, kek_version=new_version))
                if updated.rowcount != 1:
                    raise MlfError("A secret changed during the rotation (is a server or another rotation running?). "
                                   "No changes were made.")
        return len(rewrapped)
    finally:
        engine.dispose()
