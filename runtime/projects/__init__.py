"""MLflow Projects: MLproject parsing, fetching (local or git) and running entry points."""
