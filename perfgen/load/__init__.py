"""Loading: YAML with positions, goals discovery, _defaults.yaml, schema, settings, git revisions."""
