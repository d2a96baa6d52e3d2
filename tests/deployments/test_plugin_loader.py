"""The plugin loader: mlflow's contract, each broken plugin with its own one-line message."""

import pytest


def _error_line(result):
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_valid_plugin_loads(mlf):
    result = mlf("deployments", "list", "-t", "faketarget")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "List of all deployments:\n[{'name': 'fake_deployment_name'}]\n"


@pytest.mark.parametrize("target, message", [
    ("nofunctions", 'The plugin for target "nofunctions" (mlf_broken_targets.missing_functions) does not have '
                    "every required function. Missing interfaces: target_help, run_local"),
    ("twoclients", 'The plugin for target "twoclients" (mlf_broken_targets.two_clients) has more than one child '
                   "class of BaseDeploymentClient (FirstClient, SecondClient): it must define exactly one"),
    ("noclient", 'The plugin for target "noclient" (mlf_broken_targets.no_client) has no child class of '
                 "BaseDeploymentClient: it must define exactly one deployment client class"),
    ("importfails", 'Failed to load the plugin "importfails": ModuleNotFoundError: No module named '
                    "'mlf_package_that_does_not_exist'"),
])
def test_broken_plugins_are_refused_with_their_reason(mlf, target, message):
    result = mlf("deployments", "list", "-t", target)
    assert result.returncode == 1
    assert _error_line(result) == f"Error: {message}"


def test_unknown_target_names_the_installed_ones(mlf):
    result = mlf("deployments", "list", "-t", "nosuch")
    assert result.returncode == 1
    line = _error_line(result)
    assert line.startswith('Error: No plugin found for managing model deployments to "nosuch".')
    assert line.endswith("databricks, http, https, openai, sagemaker")
    assert "faketarget" in line


def test_target_uri_with_a_suffix_picks_the_plugin_by_scheme(mlf):
    result = mlf("deployments", "help", "-t", "faketarget:/some/where")
    assert (result.returncode, result.stdout) == (0, "Target help is called\n")


def test_a_uri_that_names_no_target_is_refused(mlf):
    result = mlf("deployments", "list", "-t", "")
    assert result.returncode == 1
    assert "Deployment URIs must be of the form 'target' or 'target:/suffix'" in _error_line(result)


@pytest.mark.parametrize("args, message", [
    (["list", "-t", "crashing"], 'Error: list failed on target "crashing": ValueError: the service said no over two lines'),
    (["get", "-t", "crashing", "--name", "n"], 'Error: The "crashing" target does not support get'),
    (["help", "-t", "crashing"], "Error: help failed on target \"crashing\": KeyError: 'help'"),
    (["run-local", "-t", "crashing", "--name", "n", "-m", "m"],
     'Error: The "crashing" target does not support run-local (run-local is not available for this target)'),
    (["create-endpoint", "-t", "crashing", "--endpoint", "e"],
     'Error: The "crashing" target does not support create-endpoint (endpoints are not supported by this target)'),
])
def test_plugin_failures_are_one_line(mlf, args, message):
    result = mlf("deployments", *args)
    assert result.returncode == 1
    assert _error_line(result) == message


def test_listing_targets_imports_no_plugin(plugin_site, monkeypatch):
    import sys

    from runtime.deployments import plugins

    monkeypatch.syspath_prepend(str(plugin_site))
    import importlib

    importlib.invalidate_caches()
    before = set(sys.modules)
    targets = plugins.installed_targets()
    assert list(targets)[-5:] == ["databricks", "http", "https", "openai", "sagemaker"]
    assert targets["faketarget"] == "mlflow_test_plugin.fake_deployment_plugin"
    assert not [m for m in set(sys.modules) - before if m.startswith(("mlflow_test_plugin", "mlf_broken_targets"))]


def test_help_lists_installed_targets_without_importing_them(plugin_site, tmp_path):
    import os
    import subprocess
    import sys

    from tests.deployments.conftest import PROJECT_ROOT

    probe = ("import sys, io, contextlib\n"
             "from runtime.cli.main import run\n"
             "for argv in (['deployments', '--help'], ['deployments', 'predict', '--help']):\n"
             "    out = io.StringIO()\n"
             "    with contextlib.redirect_stdout(out):\n"
             "        try:\n"
             "            run(argv)\n"
             "        except SystemExit:\n"
             "            pass\n"
             "    print(out.getvalue())\n"
             "print(sorted(m for m in sys.modules if m.startswith(('mlflow_test_plugin', 'mlf_broken_targets', "
             "'runtime.deployments.', 'runtime.sagemaker', 'boto3', 'requests', 'pandas'))))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin_site), str(PROJECT_ROOT)])}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    *helps, imported = result.stdout.strip().splitlines()
    text = " ".join(" ".join(helps).split())
    assert text.count("Deployment targets installed: nofunctions, twoclients, noclient, importfails, crashing, "
                      "faketarget, databricks, http, https, openai, sagemaker.") == 2
    assert imported == "['runtime.deployments.base', 'runtime.deployments.plugins']"
