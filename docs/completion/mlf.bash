# bash completion for mlf.
# Generated from spec/ by `python -m generator`; edit the spec, not this file.
#
# Use it with `source mlf.bash`, or install it as
# /usr/share/bash-completion/completions/mlf.
# Works with bash 3.2 and later; needs nothing from the bash-completion package.

# The words that name subcommands of a command path (aliases included).
_mlf_subcommands() {
    case "$1" in
        "") REPLY="artifacts autolog crypto db deployments experiments gateway gc mcp models run runs sagemaker scorers server ui traces" ;;
        "artifacts") REPLY="download list log-artifact log-artifacts" ;;
        "autolog") REPLY="claude" ;;
        "autolog claude") REPLY="stop-hook" ;;
        "crypto") REPLY="rotate-kek" ;;
        "db") REPLY="delete-trace-rollups upgrade" ;;
        "deployments") REPLY="create create-endpoint delete delete-endpoint explain get get-endpoint help list list-endpoints predict run-local update update-endpoint" ;;
        "experiments") REPLY="create csv delete get rename restore search" ;;
        "gateway") REPLY="start" ;;
        "mcp") REPLY="run" ;;
        "models") REPLY="build-docker generate-dockerfile predict prepare-env serve update-pip-requirements" ;;
        "runs") REPLY="create delete describe link-traces list restore" ;;
        "sagemaker") REPLY="build-and-push-container deploy-transform-job push-model terminate-transform-job" ;;
        "scorers") REPLY="list register-llm-judge" ;;
        "traces") REPLY="delete delete-assessment delete-tag evaluate get get-assessment log-expectation log-feedback search set-tag update-assessment" ;;
        *) REPLY="" ;;
    esac
}

# The command path reached from path $1 through the word $2; fails for other words.
_mlf_child() {
    case "$1|$2" in
        "|artifacts") REPLY="artifacts" ;;
        "|autolog") REPLY="autolog" ;;
        "|crypto") REPLY="crypto" ;;
        "|db") REPLY="db" ;;
        "|deployments") REPLY="deployments" ;;
        "|experiments") REPLY="experiments" ;;
        "|gateway") REPLY="gateway" ;;
        "|gc") REPLY="gc" ;;
        "|mcp") REPLY="mcp" ;;
        "|models") REPLY="models" ;;
        "|run") REPLY="run" ;;
        "|runs") REPLY="runs" ;;
        "|sagemaker") REPLY="sagemaker" ;;
        "|scorers") REPLY="scorers" ;;
        "|server") REPLY="server" ;;
        "|ui") REPLY="server" ;;
        "|traces") REPLY="traces" ;;
        "artifacts|download") REPLY="artifacts download" ;;
        "artifacts|list") REPLY="artifacts list" ;;
        "artifacts|log-artifact") REPLY="artifacts log-artifact" ;;
        "artifacts|log-artifacts") REPLY="artifacts log-artifacts" ;;
        "autolog|claude") REPLY="autolog claude" ;;
        "autolog claude|stop-hook") REPLY="autolog claude stop-hook" ;;
        "crypto|rotate-kek") REPLY="crypto rotate-kek" ;;
        "db|delete-trace-rollups") REPLY="db delete-trace-rollups" ;;
        "db|upgrade") REPLY="db upgrade" ;;
        "deployments|create") REPLY="deployments create" ;;
        "deployments|create-endpoint") REPLY="deployments create-endpoint" ;;
        "deployments|delete") REPLY="deployments delete" ;;
        "deployments|delete-endpoint") REPLY="deployments delete-endpoint" ;;
        "deployments|explain") REPLY="deployments explain" ;;
        "deployments|get") REPLY="deployments get" ;;
        "deployments|get-endpoint") REPLY="deployments get-endpoint" ;;
        "deployments|help") REPLY="deployments help" ;;
        "deployments|list") REPLY="deployments list" ;;
        "deployments|list-endpoints") REPLY="deployments list-endpoints" ;;
        "deployments|predict") REPLY="deployments predict" ;;
        "deployments|run-local") REPLY="deployments run-local" ;;
        "deployments|update") REPLY="deployments update" ;;
        "deployments|update-endpoint") REPLY="deployments update-endpoint" ;;
        "experiments|create") REPLY="experiments create" ;;
        "experiments|csv") REPLY="experiments csv" ;;
        "experiments|delete") REPLY="experiments delete" ;;
        "experiments|get") REPLY="experiments get" ;;
        "experiments|rename") REPLY="experiments rename" ;;
        "experiments|restore") REPLY="experiments restore" ;;
        "experiments|search") REPLY="experiments search" ;;
        "gateway|start") REPLY="gateway start" ;;
        "mcp|run") REPLY="mcp run" ;;
        "models|build-docker") REPLY="models build-docker" ;;
        "models|generate-dockerfile") REPLY="models generate-dockerfile" ;;
        "models|predict") REPLY="models predict" ;;
        "models|prepare-env") REPLY="models prepare-env" ;;
        "models|serve") REPLY="models serve" ;;
        "models|update-pip-requirements") REPLY="models update-pip-requirements" ;;
        "runs|create") REPLY="runs create" ;;
        "runs|delete") REPLY="runs delete" ;;
        "runs|describe") REPLY="runs describe" ;;
        "runs|link-traces") REPLY="runs link-traces" ;;
        "runs|list") REPLY="runs list" ;;
        "runs|restore") REPLY="runs restore" ;;
        "sagemaker|build-and-push-container") REPLY="sagemaker build-and-push-container" ;;
        "sagemaker|deploy-transform-job") REPLY="sagemaker deploy-transform-job" ;;
        "sagemaker|push-model") REPLY="sagemaker push-model" ;;
        "sagemaker|terminate-transform-job") REPLY="sagemaker terminate-transform-job" ;;
        "scorers|list") REPLY="scorers list" ;;
        "scorers|register-llm-judge") REPLY="scorers register-llm-judge" ;;
        "traces|delete") REPLY="traces delete" ;;
        "traces|delete-assessment") REPLY="traces delete-assessment" ;;
        "traces|delete-tag") REPLY="traces delete-tag" ;;
        "traces|evaluate") REPLY="traces evaluate" ;;
        "traces|get") REPLY="traces get" ;;
        "traces|get-assessment") REPLY="traces get-assessment" ;;
        "traces|log-expectation") REPLY="traces log-expectation" ;;
        "traces|log-feedback") REPLY="traces log-feedback" ;;
        "traces|search") REPLY="traces search" ;;
        "traces|set-tag") REPLY="traces set-tag" ;;
        "traces|update-assessment") REPLY="traces update-assessment" ;;
        *) return 1 ;;
    esac
}

# Every option spelling of a command path.
_mlf_options() {
    case "$1" in
        "") REPLY="--version --env-file --help" ;;
        "artifacts") REPLY="--help" ;;
        "artifacts download") REPLY="--run-id -r --artifact-path -a --artifact-uri -u --dst-path -d --help" ;;
        "artifacts list") REPLY="--run-id -r --artifact-path -a --output --help" ;;
        "artifacts log-artifact") REPLY="--local-file -l --run-id -r --artifact-path -a --help" ;;
        "artifacts log-artifacts") REPLY="--local-dir -l --run-id -r --artifact-path -a --help" ;;
        "autolog") REPLY="--help" ;;
        "autolog claude") REPLY="--directory -d --tracking-uri -u --experiment-id -e --experiment-name -n --disable --status --local --non-interactive -y --mlflow-cmd --help" ;;
        "autolog claude stop-hook") REPLY="--help" ;;
        "crypto") REPLY="--help" ;;
        "crypto rotate-kek") REPLY="--new-passphrase --new-passphrase-file --backend-store-uri --yes -y --help" ;;
        "db") REPLY="--help" ;;
        "db delete-trace-rollups") REPLY="--yes --help" ;;
        "db upgrade") REPLY="--help" ;;
        "deployments") REPLY="--help" ;;
        "deployments create") REPLY="--endpoint --config -C --name --target -t --model-uri -m --flavor -f --help" ;;
        "deployments create-endpoint") REPLY="--config -C --endpoint --target -t --help" ;;
        "deployments delete") REPLY="--endpoint --config -C --name --target -t --help" ;;
        "deployments delete-endpoint") REPLY="--endpoint --target -t --help" ;;
        "deployments explain") REPLY="--name --endpoint --target -t --input-path -I --output-path -O --help" ;;
        "deployments get") REPLY="--endpoint --name --target -t --help" ;;
        "deployments get-endpoint") REPLY="--endpoint --target -t --help" ;;
        "deployments help") REPLY="--target -t --help" ;;
        "deployments list") REPLY="--endpoint --target -t --help" ;;
        "deployments list-endpoints") REPLY="--target -t --help" ;;
        "deployments predict") REPLY="--name --endpoint --target -t --input-path -I --output-path -O --help" ;;
        "deployments run-local") REPLY="--config -C --name --target -t --model-uri -m --flavor -f --help" ;;
        "deployments update") REPLY="--endpoint --config -C --name --target -t --model-uri -m --flavor -f --help" ;;
        "deployments update-endpoint") REPLY="--config -C --endpoint --target -t --help" ;;
        "experiments") REPLY="--help" ;;
        "experiments create") REPLY="--experiment-name -n --artifact-location -l --help" ;;
        "experiments csv") REPLY="--experiment-id -x --filename -o --help" ;;
        "experiments delete") REPLY="--experiment-id -x --help" ;;
        "experiments get") REPLY="--experiment-id -x --experiment-name -n --output --help" ;;
        "experiments rename") REPLY="--experiment-id -x --new-name --help" ;;
        "experiments restore") REPLY="--experiment-id -x --help" ;;
        "experiments search") REPLY="--view -v --max-results --output --help" ;;
        "gateway") REPLY="--help" ;;
        "gateway start") REPLY="--config-path --host --port --workers --help" ;;
        "gc") REPLY="--older-than --backend-store-uri --artifacts-destination --run-ids --experiment-ids --logged-model-ids --tracking-uri --dry-run --help" ;;
        "mcp") REPLY="--help" ;;
        "mcp run") REPLY="--help" ;;
        "models") REPLY="--help" ;;
        "models build-docker") REPLY="--model-uri -m --name -n --env-manager --mlflow-home --install-java --install-mlflow --enable-mlserver --help" ;;
        "models generate-dockerfile") REPLY="--model-uri -m --output-directory -d --env-manager --mlflow-home --install-java --install-mlflow --enable-mlserver --help" ;;
        "models predict") REPLY="--model-uri -m --input-path -i --output-path -o --content-type -t --env-manager --install-mlflow --pip-requirements-override -r --env --help" ;;
        "models prepare-env") REPLY="--model-uri -m --env-manager --install-mlflow --help" ;;
        "models serve") REPLY="--model-uri -m --port -p --host -h --timeout -t --workers -w --env-manager --no-conda --install-mlflow --enable-mlserver --help" ;;
        "models update-pip-requirements") REPLY="--model-uri -m --help" ;;
        "run") REPLY="--entry-point -e --version -v --param-list -P --docker-args -A --experiment-name --experiment-id --backend -b --backend-config -c --env-manager --storage-dir --run-id --run-name --build-image --help" ;;
        "runs") REPLY="--help" ;;
        "runs create") REPLY="--experiment-id --experiment-name --run-name --description --tags -t --status --parent-run-id --help" ;;
        "runs delete") REPLY="--run-id --help" ;;
        "runs describe") REPLY="--run-id --output --help" ;;
        "runs link-traces") REPLY="--run-id --trace-id -t --help" ;;
        "runs list") REPLY="--experiment-id --view -v --output --help" ;;
        "runs restore") REPLY="--run-id --help" ;;
        "sagemaker") REPLY="--help" ;;
        "sagemaker build-and-push-container") REPLY="--build --no-build --push --no-push --container -c --network --install-java --env-manager --mlflow-home --help" ;;
        "sagemaker deploy-transform-job") REPLY="--job-name -n --model-uri -m --input-data-type --input-uri -u --content-type --output-path -o --compression-type --split-type -s --accept -a --assemble-with --input-filter --output-filter --join-resource -j --execution-role-arn -e --bucket -b --image-url -i --region-name --instance-type -t --instance-count -c --vpc-config -v --flavor -f --archive --async --timeout --help" ;;
        "sagemaker push-model") REPLY="--model-name -n --model-uri -m --execution-role-arn -e --bucket -b --image-url -i --region-name --vpc-config -v --flavor -f --help" ;;
        "sagemaker terminate-transform-job") REPLY="--job-name -n --region-name -r --archive --async --timeout --help" ;;
        "scorers") REPLY="--help" ;;
        "scorers list") REPLY="--experiment-id -x --builtin -b --output --help" ;;
        "scorers register-llm-judge") REPLY="--name -n --instructions -i --model -m --experiment-id -x --description -d --base-url --extra-headers --help" ;;
        "server") REPLY="--backend-store-uri --registry-store-uri --default-artifact-root --serve-artifacts --no-serve-artifacts --artifacts-only --artifacts-destination --host -h --port -p --workers -w --static-prefix --allowed-hosts --cors-allowed-origins --disable-security-middleware --x-frame-options --gunicorn-opts --waitress-opts --uvicorn-opts --dev --expose-prometheus --secrets-cache-ttl --secrets-cache-max-size --help" ;;
        "traces") REPLY="--help" ;;
        "traces delete") REPLY="--experiment-id -x --trace-ids --max-timestamp-millis --max-traces --help" ;;
        "traces delete-assessment") REPLY="--trace-id --assessment-id --help" ;;
        "traces delete-tag") REPLY="--trace-id --key --help" ;;
        "traces evaluate") REPLY="--experiment-id -x --trace-ids --scorers --output --help" ;;
        "traces get") REPLY="--trace-id --extract-fields --verbose --help" ;;
        "traces get-assessment") REPLY="--trace-id --assessment-id --help" ;;
        "traces log-expectation") REPLY="--trace-id --name --value --source-type --source-id --metadata --span-id --help" ;;
        "traces log-feedback") REPLY="--trace-id --name --value --source-type --source-id --rationale --metadata --span-id --help" ;;
        "traces search") REPLY="--experiment-id -x --filter-string --max-results --order-by --page-token --run-id --include-spans --no-include-spans --model-id --sql-warehouse-id --output --extract-fields --verbose --help" ;;
        "traces set-tag") REPLY="--trace-id --key --value --help" ;;
        "traces update-assessment") REPLY="--trace-id --assessment-id --value --rationale --metadata --help" ;;
        *) REPLY="" ;;
    esac
}

# How the value of option $2 of path $1 is completed: text, file, dir or
# choice:<a,b,...>. Fails for flags, which take no value.
_mlf_option_value() {
    case "$1|$2" in
        "|--env-file") REPLY="file" ;;
        "artifacts download|--run-id"|"artifacts download|-r") REPLY="text" ;;
        "artifacts download|--artifact-path"|"artifacts download|-a") REPLY="text" ;;
        "artifacts download|--artifact-uri"|"artifacts download|-u") REPLY="text" ;;
        "artifacts download|--dst-path"|"artifacts download|-d") REPLY="dir" ;;
        "artifacts list|--run-id"|"artifacts list|-r") REPLY="text" ;;
        "artifacts list|--artifact-path"|"artifacts list|-a") REPLY="text" ;;
        "artifacts list|--output") REPLY="choice:json,table,csv" ;;
        "artifacts log-artifact|--local-file"|"artifacts log-artifact|-l") REPLY="file" ;;
        "artifacts log-artifact|--run-id"|"artifacts log-artifact|-r") REPLY="text" ;;
        "artifacts log-artifact|--artifact-path"|"artifacts log-artifact|-a") REPLY="text" ;;
        "artifacts log-artifacts|--local-dir"|"artifacts log-artifacts|-l") REPLY="dir" ;;
        "artifacts log-artifacts|--run-id"|"artifacts log-artifacts|-r") REPLY="text" ;;
        "artifacts log-artifacts|--artifact-path"|"artifacts log-artifacts|-a") REPLY="text" ;;
        "autolog claude|--directory"|"autolog claude|-d") REPLY="file" ;;
        "autolog claude|--tracking-uri"|"autolog claude|-u") REPLY="text" ;;
        "autolog claude|--experiment-id"|"autolog claude|-e") REPLY="text" ;;
        "autolog claude|--experiment-name"|"autolog claude|-n") REPLY="text" ;;
        "autolog claude|--mlflow-cmd") REPLY="text" ;;
        "crypto rotate-kek|--new-passphrase") REPLY="text" ;;
        "crypto rotate-kek|--new-passphrase-file") REPLY="file" ;;
        "crypto rotate-kek|--backend-store-uri") REPLY="text" ;;
        "deployments create|--endpoint") REPLY="text" ;;
        "deployments create|--config"|"deployments create|-C") REPLY="text" ;;
        "deployments create|--name") REPLY="text" ;;
        "deployments create|--target"|"deployments create|-t") REPLY="text" ;;
        "deployments create|--model-uri"|"deployments create|-m") REPLY="text" ;;
        "deployments create|--flavor"|"deployments create|-f") REPLY="text" ;;
        "deployments create-endpoint|--config"|"deployments create-endpoint|-C") REPLY="text" ;;
        "deployments create-endpoint|--endpoint") REPLY="text" ;;
        "deployments create-endpoint|--target"|"deployments create-endpoint|-t") REPLY="text" ;;
        "deployments delete|--endpoint") REPLY="text" ;;
        "deployments delete|--config"|"deployments delete|-C") REPLY="text" ;;
        "deployments delete|--name") REPLY="text" ;;
        "deployments delete|--target"|"deployments delete|-t") REPLY="text" ;;
        "deployments delete-endpoint|--endpoint") REPLY="text" ;;
        "deployments delete-endpoint|--target"|"deployments delete-endpoint|-t") REPLY="text" ;;
        "deployments explain|--name") REPLY="text" ;;
        "deployments explain|--endpoint") REPLY="text" ;;
        "deployments explain|--target"|"deployments explain|-t") REPLY="text" ;;
        "deployments explain|--input-path"|"deployments explain|-I") REPLY="text" ;;
        "deployments explain|--output-path"|"deployments explain|-O") REPLY="text" ;;
        "deployments get|--endpoint") REPLY="text" ;;
        "deployments get|--name") REPLY="text" ;;
        "deployments get|--target"|"deployments get|-t") REPLY="text" ;;
        "deployments get-endpoint|--endpoint") REPLY="text" ;;
        "deployments get-endpoint|--target"|"deployments get-endpoint|-t") REPLY="text" ;;
        "deployments help|--target"|"deployments help|-t") REPLY="text" ;;
        "deployments list|--endpoint") REPLY="text" ;;
        "deployments list|--target"|"deployments list|-t") REPLY="text" ;;
        "deployments list-endpoints|--target"|"deployments list-endpoints|-t") REPLY="text" ;;
        "deployments predict|--name") REPLY="text" ;;
        "deployments predict|--endpoint") REPLY="text" ;;
        "deployments predict|--target"|"deployments predict|-t") REPLY="text" ;;
        "deployments predict|--input-path"|"deployments predict|-I") REPLY="text" ;;
        "deployments predict|--output-path"|"deployments predict|-O") REPLY="text" ;;
        "deployments run-local|--config"|"deployments run-local|-C") REPLY="text" ;;
        "deployments run-local|--name") REPLY="text" ;;
        "deployments run-local|--target"|"deployments run-local|-t") REPLY="text" ;;
        "deployments run-local|--model-uri"|"deployments run-local|-m") REPLY="text" ;;
        "deployments run-local|--flavor"|"deployments run-local|-f") REPLY="text" ;;
        "deployments update|--endpoint") REPLY="text" ;;
        "deployments update|--config"|"deployments update|-C") REPLY="text" ;;
        "deployments update|--name") REPLY="text" ;;
        "deployments update|--target"|"deployments update|-t") REPLY="text" ;;
        "deployments update|--model-uri"|"deployments update|-m") REPLY="text" ;;
        "deployments update|--flavor"|"deployments update|-f") REPLY="text" ;;
        "deployments update-endpoint|--config"|"deployments update-endpoint|-C") REPLY="text" ;;
        "deployments update-endpoint|--endpoint") REPLY="text" ;;
        "deployments update-endpoint|--target"|"deployments update-endpoint|-t") REPLY="text" ;;
        "experiments create|--experiment-name"|"experiments create|-n") REPLY="text" ;;
        "experiments create|--artifact-location"|"experiments create|-l") REPLY="text" ;;
        "experiments csv|--experiment-id"|"experiments csv|-x") REPLY="text" ;;
        "experiments csv|--filename"|"experiments csv|-o") REPLY="file" ;;
        "experiments delete|--experiment-id"|"experiments delete|-x") REPLY="text" ;;
        "experiments get|--experiment-id"|"experiments get|-x") REPLY="text" ;;
        "experiments get|--experiment-name"|"experiments get|-n") REPLY="text" ;;
        "experiments get|--output") REPLY="choice:table,json" ;;
        "experiments rename|--experiment-id"|"experiments rename|-x") REPLY="text" ;;
        "experiments rename|--new-name") REPLY="text" ;;
        "experiments restore|--experiment-id"|"experiments restore|-x") REPLY="text" ;;
        "experiments search|--view"|"experiments search|-v") REPLY="text" ;;
        "experiments search|--max-results") REPLY="text" ;;
        "experiments search|--output") REPLY="choice:table,json,csv" ;;
        "gateway start|--config-path") REPLY="text" ;;
        "gateway start|--host") REPLY="text" ;;
        "gateway start|--port") REPLY="text" ;;
        "gateway start|--workers") REPLY="text" ;;
        "gc|--older-than") REPLY="text" ;;
        "gc|--backend-store-uri") REPLY="text" ;;
        "gc|--artifacts-destination") REPLY="text" ;;
        "gc|--run-ids") REPLY="text" ;;
        "gc|--experiment-ids") REPLY="text" ;;
        "gc|--logged-model-ids") REPLY="text" ;;
        "gc|--tracking-uri") REPLY="text" ;;
        "models build-docker|--model-uri"|"models build-docker|-m") REPLY="text" ;;
        "models build-docker|--name"|"models build-docker|-n") REPLY="text" ;;
        "models build-docker|--env-manager") REPLY="text" ;;
        "models build-docker|--mlflow-home") REPLY="text" ;;
        "models build-docker|--install-java") REPLY="text" ;;
        "models generate-dockerfile|--model-uri"|"models generate-dockerfile|-m") REPLY="text" ;;
        "models generate-dockerfile|--output-directory"|"models generate-dockerfile|-d") REPLY="dir" ;;
        "models generate-dockerfile|--env-manager") REPLY="text" ;;
        "models generate-dockerfile|--mlflow-home") REPLY="text" ;;
        "models generate-dockerfile|--install-java") REPLY="text" ;;
        "models predict|--model-uri"|"models predict|-m") REPLY="text" ;;
        "models predict|--input-path"|"models predict|-i") REPLY="text" ;;
        "models predict|--output-path"|"models predict|-o") REPLY="text" ;;
        "models predict|--content-type"|"models predict|-t") REPLY="text" ;;
        "models predict|--env-manager") REPLY="text" ;;
        "models predict|--pip-requirements-override"|"models predict|-r") REPLY="text" ;;
        "models predict|--env") REPLY="text" ;;
        "models prepare-env|--model-uri"|"models prepare-env|-m") REPLY="text" ;;
        "models prepare-env|--env-manager") REPLY="text" ;;
        "models serve|--model-uri"|"models serve|-m") REPLY="text" ;;
        "models serve|--port"|"models serve|-p") REPLY="text" ;;
        "models serve|--host"|"models serve|-h") REPLY="text" ;;
        "models serve|--timeout"|"models serve|-t") REPLY="text" ;;
        "models serve|--workers"|"models serve|-w") REPLY="text" ;;
        "models serve|--env-manager") REPLY="text" ;;
        "models update-pip-requirements|--model-uri"|"models update-pip-requirements|-m") REPLY="text" ;;
        "run|--entry-point"|"run|-e") REPLY="text" ;;
        "run|--version"|"run|-v") REPLY="text" ;;
        "run|--param-list"|"run|-P") REPLY="text" ;;
        "run|--docker-args"|"run|-A") REPLY="text" ;;
        "run|--experiment-name") REPLY="text" ;;
        "run|--experiment-id") REPLY="text" ;;
        "run|--backend"|"run|-b") REPLY="text" ;;
        "run|--backend-config"|"run|-c") REPLY="file" ;;
        "run|--env-manager") REPLY="text" ;;
        "run|--storage-dir") REPLY="dir" ;;
        "run|--run-id") REPLY="text" ;;
        "run|--run-name") REPLY="text" ;;
        "runs create|--experiment-id") REPLY="text" ;;
        "runs create|--experiment-name") REPLY="text" ;;
        "runs create|--run-name") REPLY="text" ;;
        "runs create|--description") REPLY="text" ;;
        "runs create|--tags"|"runs create|-t") REPLY="text" ;;
        "runs create|--status") REPLY="choice:FINISHED,FAILED,KILLED" ;;
        "runs create|--parent-run-id") REPLY="text" ;;
        "runs delete|--run-id") REPLY="text" ;;
        "runs describe|--run-id") REPLY="text" ;;
        "runs describe|--output") REPLY="choice:json,table" ;;
        "runs link-traces|--run-id") REPLY="text" ;;
        "runs link-traces|--trace-id"|"runs link-traces|-t") REPLY="text" ;;
        "runs list|--experiment-id") REPLY="text" ;;
        "runs list|--view"|"runs list|-v") REPLY="text" ;;
        "runs list|--output") REPLY="choice:table,json,csv" ;;
        "runs restore|--run-id") REPLY="text" ;;
        "sagemaker build-and-push-container|--container"|"sagemaker build-and-push-container|-c") REPLY="text" ;;
        "sagemaker build-and-push-container|--network") REPLY="text" ;;
        "sagemaker build-and-push-container|--install-java") REPLY="text" ;;
        "sagemaker build-and-push-container|--env-manager") REPLY="text" ;;
        "sagemaker build-and-push-container|--mlflow-home") REPLY="text" ;;
        "sagemaker deploy-transform-job|--job-name"|"sagemaker deploy-transform-job|-n") REPLY="text" ;;
        "sagemaker deploy-transform-job|--model-uri"|"sagemaker deploy-transform-job|-m") REPLY="text" ;;
        "sagemaker deploy-transform-job|--input-data-type") REPLY="text" ;;
        "sagemaker deploy-transform-job|--input-uri"|"sagemaker deploy-transform-job|-u") REPLY="text" ;;
        "sagemaker deploy-transform-job|--content-type") REPLY="text" ;;
        "sagemaker deploy-transform-job|--output-path"|"sagemaker deploy-transform-job|-o") REPLY="text" ;;
        "sagemaker deploy-transform-job|--compression-type") REPLY="text" ;;
        "sagemaker deploy-transform-job|--split-type"|"sagemaker deploy-transform-job|-s") REPLY="text" ;;
        "sagemaker deploy-transform-job|--accept"|"sagemaker deploy-transform-job|-a") REPLY="text" ;;
        "sagemaker deploy-transform-job|--assemble-with") REPLY="text" ;;
        "sagemaker deploy-transform-job|--input-filter") REPLY="text" ;;
        "sagemaker deploy-transform-job|--output-filter") REPLY="text" ;;
        "sagemaker deploy-transform-job|--join-resource"|"sagemaker deploy-transform-job|-j") REPLY="text" ;;
        "sagemaker deploy-transform-job|--execution-role-arn"|"sagemaker deploy-transform-job|-e") REPLY="text" ;;
        "sagemaker deploy-transform-job|--bucket"|"sagemaker deploy-transform-job|-b") REPLY="text" ;;
        "sagemaker deploy-transform-job|--image-url"|"sagemaker deploy-transform-job|-i") REPLY="text" ;;
        "sagemaker deploy-transform-job|--region-name") REPLY="text" ;;
        "sagemaker deploy-transform-job|--instance-type"|"sagemaker deploy-transform-job|-t") REPLY="text" ;;
        "sagemaker deploy-transform-job|--instance-count"|"sagemaker deploy-transform-job|-c") REPLY="text" ;;
        "sagemaker deploy-transform-job|--vpc-config"|"sagemaker deploy-transform-job|-v") REPLY="text" ;;
        "sagemaker deploy-transform-job|--flavor"|"sagemaker deploy-transform-job|-f") REPLY="text" ;;
        "sagemaker deploy-transform-job|--timeout") REPLY="text" ;;
        "sagemaker push-model|--model-name"|"sagemaker push-model|-n") REPLY="text" ;;
        "sagemaker push-model|--model-uri"|"sagemaker push-model|-m") REPLY="text" ;;
        "sagemaker push-model|--execution-role-arn"|"sagemaker push-model|-e") REPLY="text" ;;
        "sagemaker push-model|--bucket"|"sagemaker push-model|-b") REPLY="text" ;;
        "sagemaker push-model|--image-url"|"sagemaker push-model|-i") REPLY="text" ;;
        "sagemaker push-model|--region-name") REPLY="text" ;;
        "sagemaker push-model|--vpc-config"|"sagemaker push-model|-v") REPLY="text" ;;
        "sagemaker push-model|--flavor"|"sagemaker push-model|-f") REPLY="text" ;;
        "sagemaker terminate-transform-job|--job-name"|"sagemaker terminate-transform-job|-n") REPLY="text" ;;
        "sagemaker terminate-transform-job|--region-name"|"sagemaker terminate-transform-job|-r") REPLY="text" ;;
        "sagemaker terminate-transform-job|--timeout") REPLY="text" ;;
        "scorers list|--experiment-id"|"scorers list|-x") REPLY="text" ;;
        "scorers list|--output") REPLY="choice:table,json" ;;
        "scorers register-llm-judge|--name"|"scorers register-llm-judge|-n") REPLY="text" ;;
        "scorers register-llm-judge|--instructions"|"scorers register-llm-judge|-i") REPLY="text" ;;
        "scorers register-llm-judge|--model"|"scorers register-llm-judge|-m") REPLY="text" ;;
        "scorers register-llm-judge|--experiment-id"|"scorers register-llm-judge|-x") REPLY="text" ;;
        "scorers register-llm-judge|--description"|"scorers register-llm-judge|-d") REPLY="text" ;;
        "scorers register-llm-judge|--base-url") REPLY="text" ;;
        "scorers register-llm-judge|--extra-headers") REPLY="text" ;;
        "server|--backend-store-uri") REPLY="text" ;;
        "server|--registry-store-uri") REPLY="text" ;;
        "server|--default-artifact-root") REPLY="text" ;;
        "server|--artifacts-destination") REPLY="text" ;;
        "server|--host"|"server|-h") REPLY="text" ;;
        "server|--port"|"server|-p") REPLY="text" ;;
        "server|--workers"|"server|-w") REPLY="text" ;;
        "server|--static-prefix") REPLY="text" ;;
        "server|--allowed-hosts") REPLY="text" ;;
        "server|--cors-allowed-origins") REPLY="text" ;;
        "server|--x-frame-options") REPLY="text" ;;
        "server|--gunicorn-opts") REPLY="text" ;;
        "server|--waitress-opts") REPLY="text" ;;
        "server|--uvicorn-opts") REPLY="text" ;;
        "server|--expose-prometheus") REPLY="dir" ;;
        "server|--secrets-cache-ttl") REPLY="text" ;;
        "server|--secrets-cache-max-size") REPLY="text" ;;
        "traces delete|--experiment-id"|"traces delete|-x") REPLY="text" ;;
        "traces delete|--trace-ids") REPLY="text" ;;
        "traces delete|--max-timestamp-millis") REPLY="text" ;;
        "traces delete|--max-traces") REPLY="text" ;;
        "traces delete-assessment|--trace-id") REPLY="text" ;;
        "traces delete-assessment|--assessment-id") REPLY="text" ;;
        "traces delete-tag|--trace-id") REPLY="text" ;;
        "traces delete-tag|--key") REPLY="text" ;;
        "traces evaluate|--experiment-id"|"traces evaluate|-x") REPLY="text" ;;
        "traces evaluate|--trace-ids") REPLY="text" ;;
        "traces evaluate|--scorers") REPLY="text" ;;
        "traces evaluate|--output") REPLY="choice:table,json" ;;
        "traces get|--trace-id") REPLY="text" ;;
        "traces get|--extract-fields") REPLY="text" ;;
        "traces get-assessment|--trace-id") REPLY="text" ;;
        "traces get-assessment|--assessment-id") REPLY="text" ;;
        "traces log-expectation|--trace-id") REPLY="text" ;;
        "traces log-expectation|--name") REPLY="text" ;;
        "traces log-expectation|--value") REPLY="text" ;;
        "traces log-expectation|--source-type") REPLY="choice:HUMAN,LLM_JUDGE,CODE" ;;
        "traces log-expectation|--source-id") REPLY="text" ;;
        "traces log-expectation|--metadata") REPLY="text" ;;
        "traces log-expectation|--span-id") REPLY="text" ;;
        "traces log-feedback|--trace-id") REPLY="text" ;;
        "traces log-feedback|--name") REPLY="text" ;;
        "traces log-feedback|--value") REPLY="text" ;;
        "traces log-feedback|--source-type") REPLY="choice:HUMAN,LLM_JUDGE,CODE" ;;
        "traces log-feedback|--source-id") REPLY="text" ;;
        "traces log-feedback|--rationale") REPLY="text" ;;
        "traces log-feedback|--metadata") REPLY="text" ;;
        "traces log-feedback|--span-id") REPLY="text" ;;
        "traces search|--experiment-id"|"traces search|-x") REPLY="text" ;;
        "traces search|--filter-string") REPLY="text" ;;
        "traces search|--max-results") REPLY="text" ;;
        "traces search|--order-by") REPLY="text" ;;
        "traces search|--page-token") REPLY="text" ;;
        "traces search|--run-id") REPLY="text" ;;
        "traces search|--model-id") REPLY="text" ;;
        "traces search|--sql-warehouse-id") REPLY="text" ;;
        "traces search|--output") REPLY="choice:table,json" ;;
        "traces search|--extract-fields") REPLY="text" ;;
        "traces set-tag|--trace-id") REPLY="text" ;;
        "traces set-tag|--key") REPLY="text" ;;
        "traces set-tag|--value") REPLY="text" ;;
        "traces update-assessment|--trace-id") REPLY="text" ;;
        "traces update-assessment|--assessment-id") REPLY="text" ;;
        "traces update-assessment|--value") REPLY="text" ;;
        "traces update-assessment|--rationale") REPLY="text" ;;
        "traces update-assessment|--metadata") REPLY="text" ;;
        *) return 1 ;;
    esac
}

# How each positional argument of a path is completed (a trailing "..."
# marks an argument that takes every remaining word).
_mlf_arguments() {
    case "$1" in
        "autolog claude") _mlf_kinds=( "text" ) ;;
        "db delete-trace-rollups") _mlf_kinds=( "text" ) ;;
        "db upgrade") _mlf_kinds=( "text" ) ;;
        "models update-pip-requirements") _mlf_kinds=( "choice:add,remove" "text..." ) ;;
        "run") _mlf_kinds=( "text" ) ;;
        *) _mlf_kinds=() ;;
    esac
}

# Fill COMPREPLY with the completions of kind $1 for the word $2.
_mlf_complete_value() {
    local IFS=$'\n'
    case "$1" in
        choice:*)
            local choices="${1#choice:}"
            COMPREPLY=($(compgen -W "${choices//,/$'\n'}" -- "$2")) ;;
        file)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -- "$2")) ;;
        dir)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -d -- "$2")) ;;
        *) COMPREPLY=() ;;
    esac
}

_mlf() {
    local cur="${COMP_WORDS[COMP_CWORD]}" path="" word REPLY
    local -a _mlf_kinds
    local i=1 positionals=0 options_done=""
    COMPREPLY=()

    # Walk the words before the cursor: follow subcommands, skip option values,
    # count positional arguments of the command reached.
    while (( i < COMP_CWORD )); do
        word="${COMP_WORDS[i]}"
        if [[ -z $options_done && $word == "--" ]]; then
            options_done=1
        elif [[ -z $options_done && $word == -* ]]; then
            if [[ $word != *=* ]] && _mlf_option_value "$path" "$word"; then
                # "--opt=value" arrives as three words when COMP_WORDBREAKS holds "=".
                [[ ${COMP_WORDS[i+1]} == "=" ]] && (( i++ ))
                (( i++ ))
            fi
        elif [[ -z $options_done ]] && _mlf_child "$path" "$word"; then
            path="$REPLY"
            positionals=0
        else
            (( positionals++ ))
        fi
        (( i++ ))
    done

    # The value of an option: "--opt value", "--opt=value" split at "=", or "--opt=value" whole.
    local option="" prefix=""
    if (( COMP_CWORD >= 2 )) && [[ ${COMP_WORDS[COMP_CWORD-1]} == "=" ]]; then
        option="${COMP_WORDS[COMP_CWORD-2]}"
    elif [[ $cur == "=" ]] && (( COMP_CWORD >= 1 )); then
        option="${COMP_WORDS[COMP_CWORD-1]}"
        cur=""
    elif [[ $cur == --*=* ]]; then
        option="${cur%%=*}"
        prefix="$option="
        cur="${cur#*=}"
    elif (( COMP_CWORD >= 1 )); then
        option="${COMP_WORDS[COMP_CWORD-1]}"
    fi
    if [[ -z $options_done && $option == -* ]] && _mlf_option_value "$path" "$option"; then
        _mlf_complete_value "$REPLY" "$cur"
        if [[ -n $prefix ]]; then
            COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
        fi
        return 0
    fi

    if [[ -z $options_done && $cur == -* ]]; then
        _mlf_options "$path"
        COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
        return 0
    fi

    _mlf_subcommands "$path"
    if [[ -n $REPLY ]]; then
        COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
        return 0
    fi

    _mlf_arguments "$path"
    local count=${#_mlf_kinds[@]}
    if (( count > 0 )); then
        local kind=""
        if (( positionals < count )); then
            kind="${_mlf_kinds[positionals]}"
        elif [[ ${_mlf_kinds[count-1]} == *... ]]; then
            kind="${_mlf_kinds[count-1]}"
        fi
        _mlf_complete_value "${kind%...}" "$cur"
        return 0
    fi

    # A command without positional arguments: offer its options.
    _mlf_options "$path"
    COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
    return 0
}

complete -F _mlf mlf
