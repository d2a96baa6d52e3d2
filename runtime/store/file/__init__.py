"""The file store: MLflow's mlruns folder layout, split by capability."""
