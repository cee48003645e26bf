"""One module per CLI command; each is a thin click wrapper around a library function."""
