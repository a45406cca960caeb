"""Where tasks hand large data to each other and where run reports are kept.

Both are ``ObjectStoragePath`` locations (``file://`` by default; ``s3://`` and friends when
workers are many), so tasks never share local disk and XCom carries only paths and counts.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where frames are read: a look's task never pays for pandas
    import pandas as pd

_VAR = Path(__file__).resolve().parents[2] / "var"


def _root(env: str, default: Path) -> Any:
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(os.environ.get(env, default.as_uri()))


def staging_root() -> Any:
    return _root("BO_OSC_STAGING_URL", _VAR / "staging")


def staging_dir(tenant: str, run_key: str) -> Any:
    """``BO_OSC_STAGING_URL``/<tenant>/<run>: intermediate frames of one DAG run."""
    return _under(staging_root() / tenant, run_key)


def validation_cache(tenant: str) -> Any:
    """``BO_OSC_STAGING_URL``/<tenant>/_validation: GX verdicts by row content, across runs."""
    return staging_root() / tenant / "_validation"


def report_dir(tenant: str, run_key: str) -> Any:
    """``BO_OSC_REPORTS_URL``/<tenant>/<run>: counts and set-aside rows, kept for reviewers."""
    return _under(reports_root() / tenant, run_key)


def reports_root() -> Any:
    """``BO_OSC_REPORTS_URL``: the reports of every tenant; the web server reads it too."""
    return _root("BO_OSC_REPORTS_URL", _VAR / "reports")


def safe_part(part: str) -> str:
    """A DAG or run id as a file-system-safe folder name."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in part)


def _under(base: Any, run_key: str) -> Any:
    """``run_key`` "<dag_id>/<run_id>" as sub-folders with file-system-safe names."""
    for part in run_key.split("/"):
        base = base / safe_part(part)
    return base


def write_frame(path: Any, frame: pd.DataFrame) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    try:
        frame.to_parquet(buffer, index=False)
    except (ValueError, TypeError):  # pyarrow's ArrowInvalid / ArrowTypeError
        buffer = io.BytesIO()
        _as_text_where_mixed(frame).to_parquet(buffer, index=False)
    with path.open("wb") as handle:
        handle.write(buffer.getvalue())
    return str(path)


def write_parts(folder: Any, frames: Iterable[pd.DataFrame]) -> tuple[str, int]:
    """Frames that together are one table, each as its own file in ``folder``, so that the
    table never has to fit in memory; returns the folder and the number of rows."""
    if folder.exists():  # a task's retry: none of the earlier parts may stay
        folder.rmdir(recursive=True)
    rows = 0
    for number, frame in enumerate(frames):
        write_frame(folder / f"part-{number:05d}.parquet", frame)
        rows += len(frame)
    return str(folder), rows


def _part_files(path: Any) -> list[Any]:
    from airflow.sdk import ObjectStoragePath

    path = ObjectStoragePath(str(path))
    return sorted(path.iterdir(), key=lambda p: p.name) if path.is_dir() else [path]


def count_parts(path: Any) -> int:
    """How many parts ``read_parts`` will yield."""
    return len(_part_files(path))


def read_parts(path: Any, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The parts ``write_parts`` wrote, in order (a single file is its one part); only
    ``columns`` where given."""
    import pandas as pd

    for part in _part_files(path):
        with part.open("rb") as handle:
            yield pd.read_parquet(io.BytesIO(handle.read()), columns=columns)


def _as_text_where_mixed(frame: pd.DataFrame) -> pd.DataFrame:
    """A column holding numbers and text (BO's SQLite keeps '24,90' in a NUMERIC column) is
    staged as text, so the transform can set the bad values aside instead of the run failing."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object and values.dropna().map(type).nunique() > 1:
            out[column] = values.map(lambda v: v if v is None or v != v else str(v))
    return out


def read_json(path: Any) -> Any:
    with path.open("r") as handle:
        return json.loads(handle.read())


def read_frame(path: Any) -> pd.DataFrame:
    """A staged frame; a folder of parts as one frame."""
    import pandas as pd

    parts = list(read_parts(path))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def write_json(path: Any, payload: Any) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        handle.write(json.dumps(payload, indent=2, default=str, ensure_ascii=False))
    return str(path)


def write_csv(path: Any, frame: pd.DataFrame) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        handle.write(frame.to_csv(index=False))
    return str(path)


def write_text(path: Any, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        handle.write(text)
    return str(path)
