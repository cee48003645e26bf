from perfgen.cli.main import entry

entry()
