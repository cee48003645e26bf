"""Formatting goals files canonically, comments kept."""
