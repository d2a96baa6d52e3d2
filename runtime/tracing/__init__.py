"""GenAI tracing: the MLflow 3 trace model, its search grammar, scorers and evaluation."""
