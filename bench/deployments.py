"""`deployments` commands as whole processes, mlf against real mlflow, as ratios to `python -c pass`.

    python -m bench.deployments [--runs N] [--mlflow-python PATH]

mlf lists the deployments of the seed's faketarget plugin; mlflow (which cannot load a
plugin written against mlf's base class) lists those of the same kind of plugin written
against its own base class. Both print `help -t sagemaker`. The plugins are installed into
a temporary folder on PYTHONPATH.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bench.procstat import ROOT, clean_env, compile_sources, measure, print_table

PLUGINS = ROOT / "tests" / "deployments"


def main(argv=None):
    from tests.deployments.conftest import install_plugin_project

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--mlflow-python", help="python of a venv with mlflow installed, for the mlflow rows")
    args = parser.parse_args(argv)
    compile_sources()
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp) / "site"
        site.mkdir()
        install_plugin_project(PLUGINS / "faketarget", site)
        install_plugin_project(PLUGINS / "mlflowtarget", site)
        env = clean_env(PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
        python = sys.executable
        baseline = measure([python, "-c", "pass"], args.runs, env)
        rows = []

        def row(label, command):
            wall, peak = measure(command, args.runs, env, cwd=temp)
            rows.append((label, wall, peak))

        mlf = [python, "-m", "runtime", "deployments"]
        row("mlf deployments list -t faketarget", mlf + ["list", "-t", "faketarget"])
        row("mlf deployments help -t sagemaker", mlf + ["help", "-t", "sagemaker"])
        if args.mlflow_python:
            mlflow = [args.mlflow_python, "-m", "mlflow", "deployments"]
            row("mlflow deployments list -t <plugin>", mlflow + ["list", "-t", "mlflowstyle"])
            row("mlflow deployments help -t sagemaker", mlflow + ["help", "-t", "sagemaker"])
        print_table(f"median of {args.runs} runs; baseline python -c pass = {baseline[0] * 1000:.1f} ms, "
                    f"{baseline[1]:.1f} MiB", rows, baseline)


if __name__ == "__main__":
    main()
