"""Reading reference-data files (rule sets, the metric catalogue) once, at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bcf.errors import ReferenceDataError


def read_yaml(path: Path, what: str) -> Any:
    """Read one reference-data YAML file; a failure names the file and what it should have held.

    :raise ReferenceDataError: the file cannot be read or is not YAML.
    """
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ReferenceDataError(f"{path}: cannot read {what}: {error}") from error
