"""Checking: the domain rules and the runner that applies them to a project."""
