"""The command line: one short module per command over a library function."""
