"""Automatic tracing of coding agents (Claude Code)."""
