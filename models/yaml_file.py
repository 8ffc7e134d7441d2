"""Reading a configuration file into its model, with errors that name the file and field."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def load_yaml(path: Path, model: type[M], setting: str) -> M:
    """``setting``: the settings field that names the file (e.g. staff_file)."""
    try:
        return model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as err:
        raise ValueError(f"{setting}: cannot read {path}: {err}") from None
    except ValidationError as err:
        raise ValueError(f"{setting} {path}: {err}") from None
