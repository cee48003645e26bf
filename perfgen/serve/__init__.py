"""``perfgen serve``: a live preview of a goals repository, like ``mkdocs serve``.

The repository is built (:mod:`perfgen.build`, the normal incremental build) into a private folder and served
over HTTP on the loopback interface. Each page carries its goals file's diagnostics (injected when served,
the built files stay as the build wrote them); a file with errors keeps its last good page under a banner of
its errors, or gets a page listing them. The sources are polled for changes (:mod:`.watch`); each change
rebuilds (:mod:`.site`) and the open pages reload themselves through a long-polled endpoint (:mod:`.pages`,
:mod:`.server`). :mod:`.app` ties these together; ``perfgen.cli.serve`` is the command.
"""
