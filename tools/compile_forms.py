"""Compile the built-in form definitions (``templates/forms/*.yaml``) to ``perfgen/forms/builtin.json``.

Each definition is stored as plain data with the SHA-256 of its YAML source; perfgen uses the compiled copy
only while the hash matches (perfgen.forms.registry), so a stale file is slower, never wrong. It spares every
build — a no-op rebuild included — the import of a YAML parser.

Usage: ``python tools/compile_forms.py [--check]`` after editing a built-in form; ``--check`` writes nothing
and exits 1 if the file is not current (tests/test_forms.py runs it).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the perfgen of this checkout, never an installed copy
    sys.path.insert(0, str(ROOT))

from perfgen.forms.definition import read_definition  # noqa: E402
from perfgen.load.yamlnodes import load, to_plain  # noqa: E402

SOURCES = ROOT / "templates" / "forms"
TARGET = ROOT / "perfgen" / "forms" / "builtin.json"


def compiled() -> str:
    out = {}
    for path in sorted(SOURCES.glob("*.yaml")):
        data = path.read_bytes()
        form, diags = read_definition(data, path.name)  # checked against the schema, like a repository's
        if form is None:
            raise SystemExit(f"{path}: " + "; ".join(d.message for d in diags))
        root, _ = load(data, path.name)
        out[path.stem] = {"sha256": hashlib.sha256(data).hexdigest(), "definition": to_plain(root)}
    return json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = compiled()
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
    if "--check" in argv:
        if text != current:
            print(f"{TARGET.relative_to(ROOT)} is not current: run python tools/compile_forms.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
