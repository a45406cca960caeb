"""The files of product images: BO's image source and the shop's ``images/`` directory, both
as ``ObjectStoragePath`` (a folder, ``file://``, ``sftp://`` through the SFTP provider,
``s3://``), with their credentials from Airflow connections. ``products.products_image``."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from bo_oscommerce.shop import tables as t
from bo_oscommerce.shop.common import read_by_ids

HEAD_BYTES = 16  # enough to tell the image types apart (transform/images.image_type)


def folder(location: str, conn_id: str | None) -> Any:
    """A folder or URL as an ``ObjectStoragePath`` (a plain path is a local folder)."""
    import logging
    from pathlib import Path

    logging.getLogger("asyncssh").setLevel(logging.WARNING)  # SFTP: not a line per packet

    from airflow.sdk import ObjectStoragePath

    url = location if "://" in location else Path(location).resolve().as_uri()
    return ObjectStoragePath(url, conn_id=conn_id)


def stat(base: Any, relative: str) -> tuple[int, int] | None:
    """Size and modification time (ns) of a file under ``base``; None: no such file."""
    try:
        info = base.fs.info((base / relative).path)
    except (FileNotFoundError, OSError):
        return None
    if info.get("type") not in (None, "file"):
        return None
    return int(info.get("size") or 0), _mtime_ns(info)


def _mtime_ns(info: dict[str, Any]) -> int:
    value = info.get("mtime", info.get("LastModified", info.get("last_modified", 0)))
    if isinstance(value, datetime):
        return int(value.timestamp() * 1e9)
    return int(float(value or 0) * 1e9)


def read(base: Any, relative: str) -> bytes | None:
    try:
        return base.fs.cat_file((base / relative).path)
    except (FileNotFoundError, OSError):
        return None


def upload(target: Any, name: str, data: bytes) -> None:
    """Write ``data`` as ``name`` under a temporary name first, then rename it into place: a
    shopper never gets half a file. A file of that name already holds the same bytes (the
    name carries the content's hash); the rename replaces it atomically all the same."""
    final = (target / name).path
    temporary = (target / f".{name}.{uuid.uuid4().hex[:8]}.part").path
    target.fs.pipe_file(temporary, data)
    try:
        target.fs.mv(temporary, final)
    except Exception:
        target.fs.rm_file(temporary)
        raise


def remove(target: Any, names: Iterable[str]) -> list[str]:
    """Remove these files from the target; returns those removed."""
    removed = []
    for name in names:
        try:
            target.fs.rm_file((target / name).path)
            removed.append(name)
        except FileNotFoundError:
            pass
    return removed


def current_images(conn: sa.Connection, ids: Iterable[int]) -> pd.DataFrame:
    """``products_id``, ``products_image`` of these products."""
    p = t.products.c
    return read_by_ids(conn, sa.select(p.products_id, p.products_image), p.products_id, ids)


def referenced(conn: sa.Connection) -> set[str]:
    """Every image name a product of the shop refers to."""
    p = t.products.c
    query = sa.select(p.products_image).where(p.products_image.is_not(None)).distinct()
    return {str(name) for name in conn.execute(query).scalars()}


def set_images(conn: sa.Connection, rows: pd.DataFrame, run_at: datetime) -> int:
    """``products_image`` of each row's product (``products_id``, ``products_image``; None:
    no image); returns the rows written."""
    if rows.empty:
        return 0
    p = t.products
    stmt = (
        sa.update(p)
        .where(p.c.products_id == sa.bindparam("b_id"))
        .values(products_image=sa.bindparam("b_image"), products_last_modified=run_at)
    )
    conn.execute(stmt, [
        {"b_id": int(i), "b_image": None if pd.isna(n) else str(n)}
        for i, n in zip(rows["products_id"], rows["products_image"], strict=True)
    ])  # fmt: skip
    return len(rows)
