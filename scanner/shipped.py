"""Regenerate what the package ships pre-computed for the bundled policies and mappings (issue 16, start-up).

Two files, each keyed by the SHA-256 of the exact text it describes, so an
edited module or mapping is simply parsed live:

* ``scanner/engine/bundled_facts.json``: regorus AST facts of the bundled
  Rego modules (see engine/shipped_facts.py);
* ``scanner/bundled_yaml.json``: the bundled mapping files and METADATA blocks,
  already parsed (see shipped_yaml.py).

Run after editing a bundled module, METADATA block or mapping::

    .venv/bin/python -m scanner.shipped

``tests/test_shipped_facts.py`` fails, naming this command, until the files
match the live computation.
"""

from __future__ import annotations

from pathlib import Path

from . import shipped_yaml
from .compliance.frameworks import BUNDLED_MAPPING_DIR
from .engine import shipped_facts
from .policies import BUNDLED_POLICY_DIR, iter_rego_files, metadata_block

REGENERATE = shipped_yaml.REGENERATE


def bundled_yaml_texts() -> list[str]:
    """Every YAML text a scan reads from the bundle: the mapping files and each check's METADATA block."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(BUNDLED_MAPPING_DIR.glob("*.yaml"))]
    for path in iter_rego_files(BUNDLED_POLICY_DIR):
        found = metadata_block(path.read_text(encoding="utf-8"))
        if found is not None:
            texts.append(found[0])
    return texts


def expected() -> dict[Path, str]:
    """Each shipped file and the text it must hold for the bundle as it is now."""
    return {
        shipped_facts.FACTS_FILE: shipped_facts.render(shipped_facts.bundled_modules()),
        shipped_yaml.YAML_FILE: shipped_yaml.render(bundled_yaml_texts()),
    }


def main() -> int:
    for path, text in expected().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
