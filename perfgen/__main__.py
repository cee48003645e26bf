from perfgen.cli.launch import entry

entry()
