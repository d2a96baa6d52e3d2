"""Envelope encryption of the AI gateway's provider secrets, byte-compatible with mlflow."""
