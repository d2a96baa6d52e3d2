"""mlf runtime: the command-line machinery and the engine the handlers call."""

__version__ = "0.1.0"
