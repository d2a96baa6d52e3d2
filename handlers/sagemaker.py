"""Handlers of `mlf sagemaker ...`: thin wrappers over runtime.sagemaker."""


def build_and_push_container(*, build, push, container, network, install_java, env_manager, mlflow_home, ctx):
    from runtime.sagemaker import container as image

    return image.build_and_push(container, build, push, network, install_java, env_manager, mlflow_home)


def deploy_transform_job(*, job_name, model_uri, input_data_type, input_uri, content_type, output_path,
                         compression_type, split_type, accept, assemble_with, input_filter, output_filter,
                         join_resource, execution_role_arn, bucket, image_url, region_name, instance_type,
                         instance_count, vpc_config, flavor, archive, asynchronous, timeout, ctx):
    from runtime.sagemaker import transform

    return transform.deploy_transform_job(
        job_name, model_uri, input_data_type, input_uri, content_type, output_path, compression_type, split_type,
        accept, assemble_with, input_filter, output_filter, join_resource, execution_role_arn, bucket, image_url,
        region_name, instance_type, instance_count, vpc_config, flavor, archive, not asynchronous, timeout)


def push_model(*, model_name, model_uri, execution_role_arn, bucket, image_url, region_name, vpc_config, flavor,
               ctx):
    from runtime.sagemaker import transform

    return transform.push_model(model_name, model_uri, execution_role_arn, bucket, image_url, region_name,
                                vpc_config, flavor)


def terminate_transform_job(*, job_name, region_name, archive, asynchronous, timeout, ctx):
    from runtime.sagemaker import transform

    return transform.terminate_transform_job(job_name, region_name, archive, not asynchronous, timeout)
