"""SageMaker: batch transform jobs, SageMaker models and endpoints, and the serving image.

Used by `mlf sagemaker ...` and by the sagemaker deployments target. boto3 is imported only
here, and only when a command runs. mlflow's defaults are kept (region us-west-2, image
mlflow-pyfunc, bucket mlflow-sagemaker-{region}-{account}, resource names and tags).
"""
