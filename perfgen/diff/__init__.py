"""Comparing goals between two revisions or paths."""
