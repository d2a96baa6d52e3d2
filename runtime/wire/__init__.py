"""MLflow's REST wire model, used alike by the tracking server and the REST clients (see protocol.py)."""
