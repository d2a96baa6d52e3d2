"""`mlf deployments`: deployment targets found as plugins, with mlflow's plugin contract.

A target is a module registered under the entry-point group `mlflow.deployments` (the
entry-point name is the target name) that defines `target_help()`, `run_local(...)` and
exactly one subclass of a deployment-client base class: mlf's (`runtime.deployments.base`)
or mlflow's, when the plugin was written for mlflow. mlf ships the targets databricks,
http, https, openai and sagemaker itself.
"""

from runtime.deployments.base import BaseDeploymentClient

__all__ = ["BaseDeploymentClient"]
