"""The AI gateway of `mlf gateway start`: config, providers (pure translations), HTTP app, runner.

Nothing here is imported by `mlf --help`; the handler imports it when the command runs.
"""
