"""Every field the sync writes, declared once per target table (ADR 11).

A ``FieldMap`` lists a table's fields: the target column, where its value comes from (a
column of the transform's frame, or a function of it), whether it is written only when the
row is created, whether a text is made to fit the column (cut, cleaned) or checked and set
aside, the label reasons name it by, and the three-way merge field it belongs to. From the
declaration come the frame construction (``frame``), the text fitting (``fit``), the GX
column checks (``checks``) and, for BO, the parameters of the ``include/sql/bo`` statement
it feeds (``records``; ``tests/unit/test_fields.py`` proves each statement's parameters are
its declaration's). The first password (``customers.customers_password``) is the model of a
create-only field: written with the account, never again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bo_oscommerce.transform.common import Cleaned

Source = str | Callable[[pd.DataFrame], Any] | None


@dataclass(frozen=True)
class Field:
    """One target column and how the sync fills it."""

    target: str
    source: Source = None  # a column of the transform's frame (default: ``target``), or f(frame)
    label: str | None = None  # how reasons name it; None: no column checks
    create_only: bool = False  # written with the row, never again
    fit: bool = False  # a text made to fit the column (a cleaning rule), not set aside for it
    not_null: bool = True  # the NOT NULL check (off where a business rule says it better)
    merge: str | None = None  # the three-way merge field it holds (customers)
    key: bool = False  # names the row a statement writes (its WHERE)
    visible: bool = False  # a name: empty, or only spaces, is set aside

    def values(self, frame: pd.DataFrame) -> Any:
        if callable(self.source):
            return self.source(frame)
        return frame[self.source or self.target]


@dataclass(frozen=True)
class FieldMap:
    """A target table's fields. ``owner``: whose columns they are ("shop" or "BO", as reasons
    say it); ``statement``: the BO statement whose parameters they are; ``per_language``: text
    columns held once per shop language (``<target>__<code>`` in frames)."""

    table: str
    fields: tuple[Field, ...]
    owner: str = "shop"
    statement: str | None = None
    per_language: bool = False
    checked: tuple[str, ...] = field(default=())  # extra frame columns the checks name

    def __iter__(self) -> Any:
        return iter(self.fields)

    def targets(self, *, created: bool = True) -> list[str]:
        """The target columns (``created`` False: those written to an existing row too)."""
        return [f.target for f in self.fields if created or not f.create_only]

    def create_only(self) -> list[str]:
        return [f.target for f in self.fields if f.create_only]

    def get(self, target: str) -> Field:
        for one in self.fields:
            if one.target == target:
                return one
        raise KeyError(f"{self.table}.{target} is not declared")

    def merged(self) -> dict[str, list[str]]:
        """Merge field -> the target columns holding it."""
        out: dict[str, list[str]] = {}
        for one in self.fields:
            if one.merge:
                out.setdefault(one.merge, []).append(one.target)
        return out

    def frame(self, source: pd.DataFrame, *, created: bool = True) -> pd.DataFrame:
        """The target columns built from ``source`` (same index)."""
        return pd.DataFrame(
            {f.target: f.values(source) for f in self.fields if created or not f.create_only},
            index=source.index,
        )

    def complete(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A new row's every column: the fields ``frame`` holds already (by target), and the
        create-only ones from their sources in ``frame``."""
        return pd.DataFrame(
            {f.target: f.values(frame) if f.create_only else frame[f.target] for f in self},
            index=frame.index,
        )

    def parameters(self, frame: pd.DataFrame) -> dict[str, list[Any]]:
        """The statement's parameters, column by column (name -> plain Python values)."""
        from bo_oscommerce.frames import frame_columns

        names = self.targets()
        columns = frame_columns(frame[names])
        for at, name in enumerate(names):  # Timestamps hide only in columns of mixed objects
            if frame[name].dtype == object:
                columns[at] = [
                    v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in columns[at]
                ]
        return dict(zip(names, columns, strict=True))

    def records(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        """The statement's parameters, one dict per row, as plain Python values."""
        columns = self.parameters(frame)
        names = list(columns)
        rows = zip(*columns.values(), strict=True)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def rows(self, data: pd.DataFrame | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """The statement's parameters from a frame (``records``) or from ready rows; a row
        that lacks a declared field raises (no statement runs with a parameter missing)."""
        if isinstance(data, pd.DataFrame):
            return self.records(data)
        names = self.targets()
        try:
            return [{name: row[name] for name in names} for row in data]
        except KeyError as exc:
            raise KeyError(f"{self.statement or self.table}: no value for {exc}") from None

    def columns_in(self, frame_columns: Iterable[str], codes: Sequence[str] = ()) -> list[Any]:
        """(frame column, field) of each field present: per language for language maps."""
        present = set(frame_columns)
        pairs = []
        for one in self.fields:
            names = [f"{one.target}__{c}" for c in codes] if self.per_language else [one.target]
            pairs += [(name, one) for name in names if name in present]
        return pairs

    def fit(
        self,
        frame: pd.DataFrame,
        columns: Any,
        keys: pd.Series,
        cleaned: Cleaned,
        codes: Sequence[str] = (),
    ) -> pd.DataFrame:
        """Texts of ``fit`` fields made to fit their columns (``columns``: the target's
        ``ShopColumns``); each rule that fired lists its rows' ``keys`` in ``cleaned``."""
        frame = frame.copy(deep=False)  # copy-on-write: the caller's frame stays as it was
        from bo_oscommerce.transform.text import fit_text

        for name, one in self.columns_in(frame.columns, codes):
            if not one.fit or not columns.has(self.table, one.target) or frame.empty:
                continue
            frame[name], fired = fit_text(frame[name], columns.spec(self.table, one.target))
            for rule, mask in fired.items():
                if self.owner == "BO":
                    rule = rule.replace(one.target, f"BO {self.table}.{one.target}")
                cleaned.add(rule, keys[mask.to_numpy(dtype=bool)])
        return frame

    def checks(self, columns: Any, codes: Sequence[str] = ()) -> list[Any]:
        """GX checks that every labelled field fits its column (``columns``: the target's
        ``ShopColumns``; a column the target lacks is skipped), language by language."""
        from bo_oscommerce.quality.suites import column_checks, name_check

        checks = []
        owner = "BO's" if self.owner == "BO" else "the shop's"
        for code in codes if self.per_language else [None]:
            for one in self.fields:
                if one.label is None or not columns.has(self.table, one.target):
                    continue
                name = f"{one.target}__{code}" if code else one.target
                label = f"{one.label} ({code})" if code else one.label
                if one.visible:
                    checks.append(name_check(name, label))
                spec = columns.spec(self.table, one.target)
                checks += column_checks(name, spec, label, not_null=one.not_null, owner=owner)
        return checks

    def byte_checked(self, columns: Any, codes: Sequence[str] = ()) -> tuple[str, ...]:
        """Frame columns whose checks count UTF-8 bytes (the suite adds their lengths)."""
        names = []
        for one in self.fields:
            if not (one.label and columns.has(self.table, one.target)):
                continue
            if columns.spec(self.table, one.target).max_bytes is not None:
                per = [f"{one.target}__{c}" for c in codes]
                names += per if self.per_language else [one.target]
        return tuple(names)


def statement_map(statement: str, table: str, *fields: Field) -> FieldMap:
    """A BO statement's parameters (write-backs, links, markers)."""
    return FieldMap(table, tuple(fields), owner="BO", statement=statement)


def keys(*names: str) -> tuple[Field, ...]:
    return tuple(Field(n, key=True) for n in names)


def plain(*names: str) -> tuple[Field, ...]:
    return tuple(Field(n) for n in names)
