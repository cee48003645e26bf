"""Formatting goals files canonically, comments kept.

The pieces, each its own module: :mod:`.scalars` (the quoting rule), :mod:`.printer` (the tree and the
layout it prints; also :func:`dump_project` for ``perfgen import``), :mod:`.comments` (reading a file into
the tree, comments attached), :mod:`.verify` (meaning and comments unchanged), :mod:`.formatter`
(:func:`format_text`, the four together), :mod:`.files` (reading and replacing a file on disk safely) and
:mod:`.batch` (``perfgen fmt`` over files and folders).
"""

from perfgen.fmt.batch import FormatRun, format_paths
from perfgen.fmt.files import ChangedMeanwhile, GoalsFile, read_goals_file, replace_goals_file
from perfgen.fmt.formatter import format_text
from perfgen.fmt.printer import dump_defaults, dump_project
from perfgen.fmt.verify import FormatSafetyError

__all__ = ["ChangedMeanwhile", "FormatRun", "FormatSafetyError", "GoalsFile", "dump_defaults", "dump_project",
           "format_paths", "format_text", "read_goals_file", "replace_goals_file"]
