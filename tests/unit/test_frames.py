"""Frames to driver parameters: plain Python values only (no numpy scalars, NA or Timestamp)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from bo_oscommerce.frames import frame_records, frame_rows, query_parts, result_frame


def test_values_become_plain_python_with_none_for_missing():
    frame = pd.DataFrame(
        {
            "i": np.array([1, 2], dtype="int64"),
            "n": pd.array([3, None], dtype="Int64"),
            "f": [1.5, np.nan],
            "s": ["Müller", None],
            "t": pd.to_datetime(["2026-11-01 08:00:00", None]),
        }
    )
    rows = frame_rows(frame)
    assert rows == [(1, 3, 1.5, "Müller", datetime(2026, 11, 1, 8, 0)), (2, None, None, None, None)]
    for row in rows:
        for value in row:
            assert value is None or type(value) in (int, float, str, datetime)
    assert frame_records(frame)[0]["s"] == "Müller"


def test_result_frame_reads_in_chunks_and_keeps_columns(monkeypatch):
    import bo_oscommerce.frames as frames

    monkeypatch.setattr(frames, "FETCH", 3)
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t (a INTEGER, b TEXT)"))
        conn.execute(sa.text("INSERT INTO t VALUES (:a, :b)"), [{"a": i, "b": f"x{i}"} for i in range(7)])
        frame = result_frame(conn.execute(sa.text("SELECT a, b FROM t ORDER BY a")))
        empty = result_frame(conn.execute(sa.text("SELECT a, b FROM t WHERE a < 0")))
    assert frame["a"].tolist() == list(range(7))
    assert frame["b"].iloc[-1] == "x6"
    assert list(empty.columns) == ["a", "b"] and empty.empty


def test_query_frame_binds_named_parameters_on_the_driver_cursor():
    from bo_oscommerce.frames import query_frame

    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t (a INTEGER, b TEXT)"))
        conn.execute(sa.text("INSERT INTO t VALUES (:a, :b)"), [{"a": i, "b": f"ä{i}"} for i in range(5)])
        frame = query_frame(conn, sa.text("SELECT b, a FROM t WHERE a >= :low AND b <> :skip ORDER BY a"),
                            {"low": 2, "skip": "ä3"})
        empty = query_frame(conn, sa.text("SELECT a FROM t WHERE a > :low"), {"low": 99})
    assert list(frame.columns) == ["b", "a"]
    assert frame["a"].tolist() == [2, 4] and frame["b"].tolist() == ["ä2", "ä4"]
    assert empty.empty and list(empty.columns) == ["a"]


def test_parts_never_split_a_key_and_together_are_the_whole_result(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'p.db'}")
    keys = ["A1", "A1", "A2", "A3", "A3", "A3", "A3", "A4", "A5", "A5"]
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (k TEXT, n INTEGER)"))
        conn.execute(sa.text("INSERT INTO t VALUES (:k, :n)"),
                     [{"k": k, "n": n} for n, k in enumerate(keys)])  # fmt: skip
    stmt = sa.text("SELECT k, n FROM t ORDER BY k, n")
    with engine.connect() as conn:
        parts = list(query_parts(conn, stmt, rows=3, key="k"))
        plain = list(query_parts(conn, stmt, rows=4))
        empty = list(query_parts(conn, sa.text("SELECT k, n FROM t WHERE 0"), rows=3, key="k"))
    seen: set[str] = set()
    for part in parts:  # a key's rows all in one part
        assert not set(part["k"]) & seen, [p["k"].tolist() for p in parts]
        seen |= set(part["k"])
    assert len(parts) > 2 and max(len(p) for p in parts) <= 3 + 3  # rows, plus one key's rest
    assert [len(p) for p in plain] == [4, 4, 2]
    assert pd.concat(parts)["n"].tolist() == list(range(10))
    assert len(empty) == 1 and empty[0].empty and list(empty[0].columns) == ["k", "n"]
    engine.dispose()


def test_is_in_takes_keys_as_a_set_or_as_a_column_alike() -> None:
    from bo_oscommerce.transform.common import is_in

    values = pd.Series(["A-1", "a-1", None, "B-2", "C-3"], dtype="str")
    wanted = [True, False, False, True, False]
    assert is_in(values, {"A-1", "B-2"}).tolist() == wanted
    assert is_in(values, pd.Series(["B-2", "A-1", "B-2"], dtype="str")).tolist() == wanted
    assert is_in(values, pd.Series(["B-2", "A-1"], dtype=object)).tolist() == wanted
    assert is_in(values, pd.Series([1, 2])).tolist() == [False] * 5  # no text keys: pandas
    assert is_in(values.astype(object), pd.Series(["A-1", "B-2"])).tolist() == wanted


def test_prefetched_parts_come_in_order_each_made_in_one_helper_thread():
    """The next part is made in a helper thread while the caller stages the one before: the
    same parts in the same order, every step (closing included) in that one thread, an
    error raised where the caller reads, and a caller that stops early closes the source."""
    import threading

    from bo_oscommerce.frames import prefetched

    threads: set[str] = set()
    closed: list[str] = []

    def source(count: int, fail_at: int | None = None):
        try:
            for number in range(count):
                threads.add(threading.current_thread().name)
                if number == fail_at:
                    raise ValueError(f"part {number} unreadable")
                yield number
        finally:
            closed.append(threading.current_thread().name)

    assert list(prefetched(source(5))) == [0, 1, 2, 3, 4]
    assert len(threads) == 1 and threading.current_thread().name not in threads
    with pytest.raises(ValueError, match="part 2 unreadable"):
        list(prefetched(source(5, fail_at=2)))
    threads.clear()
    closed.clear()
    for part in prefetched(source(100)):
        if part == 1:
            break
    assert len(closed) == 1 and closed[0] in threads  # closed, in its own thread


def test_rows_frame_equals_pandas_own_inference_column_by_column():
    from datetime import date
    from decimal import Decimal

    from bo_oscommerce.frames import rows_frame

    columns = {
        "text": ["Müller", None, "ä😀"],
        "text_only": ["a", "b", "c"],
        "int": [1, 2, 3],
        "int_missing": [1, None, 3],
        "float": [1.5, None, 2.0],
        "int_float": [1, 2.5, None],
        "bool": [True, False, True],
        "bool_missing": [True, None, False],
        "none": [None, None, None],
        "decimal": [Decimal("1.5"), Decimal("1.25"), None],
        "stamp": [datetime(2026, 11, 1, 8), None, datetime(2026, 11, 2)],
        "day": [date(2026, 11, 1), None, date(2026, 11, 2)],
        "mixed": ["A-1", 2, None],
        "huge": [2**70, 1, None],
        "blob": [b"x", None, b"y"],
        "nan_text": ["a", float("nan"), "b"],
    }
    names = list(columns)
    rows = list(zip(*columns.values(), strict=True))
    got, expected = rows_frame(rows, names), pd.DataFrame(rows, columns=names)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert [str(d) for d in got.dtypes] == [str(d) for d in expected.dtypes]
    assert str(got["decimal"].iloc[0]) == "1.5"  # not rescaled
    empty = rows_frame([], ["a", "b"])
    pd.testing.assert_frame_equal(empty, pd.DataFrame([], columns=["a", "b"]))
    twice = rows_frame([(1, "x")], ["a", "a"])  # duplicate names: pandas builds it
    assert list(twice.columns) == ["a", "a"]
