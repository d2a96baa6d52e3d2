"""Handlers of `mlf artifacts ...`."""

from runtime.cli.output import Table


def download(*, run_id, artifact_path, artifact_uri, dst_path, ctx):
    from runtime.artifacts.ops import download as download_artifacts

    return download_artifacts(ctx.tracking_store(), run_id=run_id, artifact_path=artifact_path,
                              artifact_uri=artifact_uri, dst_path=dst_path, tracking_uri=ctx.tracking_uri())


def list_(*, run_id, artifact_path, output, ctx):
    from runtime.artifacts.ops import repository_for_run
    from runtime.validation import validate_artifact_path

    repository = repository_for_run(ctx.tracking_store(), run_id, ctx.tracking_uri())
    infos = repository.list_artifacts(validate_artifact_path(artifact_path))
    rows = [(i.path, "dir" if i.is_dir else "file", i.file_size) for i in infos]
    return Table(["Path", "Type", "Size"], rows, records=[i.to_dict() for i in infos])


def log_artifact(*, local_file, run_id, artifact_path, ctx):
    from runtime.artifacts.ops import repository_for_run

    repository_for_run(ctx.tracking_store(), run_id, ctx.tracking_uri()).log_artifact(local_file, artifact_path)
    return f"Logged artifact from local file {local_file} to artifact_path={artifact_path}"


def log_artifacts(*, local_dir, run_id, artifact_path, ctx):
    from runtime.artifacts.ops import repository_for_run

    repository_for_run(ctx.tracking_store(), run_id, ctx.tracking_uri()).log_artifacts(local_dir, artifact_path)
    return f"Logged artifacts from local dir {local_dir} to artifact_path={artifact_path}"
