"""A client class but neither target_help() nor run_local()."""

from mlf_broken_targets import _client


class Client(_client.CompleteClient):
    pass
