"""Diagnostics: positions, messages in Chinese and English, reports and their printers."""
