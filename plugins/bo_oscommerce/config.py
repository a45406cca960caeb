"""Tenant (Mandant) settings: one YAML file lists every BO client and its defaults.

The file holds no secrets: database credentials live in Airflow connections, named here by id.
Each tenant is validated on its own, so one broken tenant never hides the others.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_TENANTS_FILE = Path(__file__).resolve().parents[2] / "dags" / "tenants.yaml"
TENANT_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ENTITIES = ("categories", "products", "stock")
DIRECTIONS = ("to_shop", "from_shop")


class Schedules(BaseModel):
    """Cron expressions or presets (``@daily``); ``null`` means manual runs only."""

    model_config = ConfigDict(extra="forbid")
    catalog: str | None = "@daily"
    stock: str | None = "@hourly"  # a safety net: the stock watcher starts the runs
    customers: str | None = "0 * * * *"
    orders: str | None = "@hourly"  # a safety net: the order watcher starts the runs


class OrderStatuses(BaseModel):
    """osCommerce ``orders_status_id`` values (upstream: 1 Pending, 2 Processing, 3 Delivered).
    ``pending``: the statuses a new order is in (the shop's default status, and any a payment
    module sets on success); Processing moves only from these, Delivered only from these or
    Processing, so a status the merchant set by hand is never moved."""

    model_config = ConfigDict(extra="forbid")
    pending: list[int] = Field(default_factory=lambda: [1], min_length=1)
    processing: int = 2
    delivered: int = 3

    @field_validator("pending", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, int) else value

    @model_validator(mode="after")
    def _forward_only(self) -> OrderStatuses:
        if self.processing in self.pending or self.delivered in self.pending:
            raise ValueError(
                "a pending status cannot be Processing or Delivered: the status steps would "
                "move an order from the status they set (order_statuses.pending)"
            )
        if self.processing == self.delivered:
            raise ValueError("Processing and Delivered must be different statuses")
        return self

    def all(self) -> list[int]:
        return [*self.pending, self.processing, self.delivered]


class OrderMails(BaseModel):
    """Which status changes send the buyer an e-mail (Email an Besteller moeglich)."""

    model_config = ConfigDict(extra="forbid")
    processing: bool = False
    delivered: bool = False


class Defaults(BaseModel):
    """Voreinstellungen: what a tenant inherits unless it sets its own value."""

    model_config = ConfigDict(extra="forbid")
    price_source: Literal["list", "shop"] = "list"
    price_includes_vat: bool = False
    stock_source: Literal["available", "total"] = "available"
    languages: dict[str, str] = Field(default_factory=lambda: {"D": "de", "E": "en"})
    default_language: str = "D"
    schedules: Schedules = Field(default_factory=Schedules)
    order_statuses: OrderStatuses = Field(default_factory=OrderStatuses)
    master_id_column: str | None = "products_master"
    # osCommerce reads its datetime columns as the shop server's local time
    shop_timezone: str = "Europe/Berlin"
    # a new shop customer's first password: the postal code (PLZ als Default-Passwort), or a
    # random one with a reset link mailed to the customer (password_reset.php)
    initial_password: Literal["postcode", "reset_link"] = "postcode"
    # an account the sync did not create (a customer registered with a contact's e-mail) is
    # linked, but BO's data goes into it only once confirmed (reset DAG, scope
    # confirm_customer); true: confirm every such account at first contact (a shop and a BO
    # the merchant knows to belong together)
    adopt_existing_accounts: bool = False
    # phpass cost of that first password: 2^cost MD5 rounds (the shop itself uses 15 and
    # accepts 7..30); see docs/adr/0006-initial-password-cost.md
    password_cost: int = Field(10, ge=7, le=30)
    # for reset_link: the storefront's address (catalog folder) and the welcome e-mail's sender
    shop_url: str | None = None
    mail_from: str | None = None
    smtp_conn_id: str = "smtp_default"
    # orders: every order BO does not have is imported, except in the statuses that are not
    # yet a sale (null: the shop's statuses named "Preparing ...", where payment modules park
    # unpaid orders), and except orders placed before order_import_since (a shop's history
    # before the sync); an order is taken once nothing was written to it for
    # order_settle_seconds (the shop's clock); one that is not fully written after
    # order_grace_minutes is set aside; the e-mails to buyers and their language
    order_hold_statuses: list[int] | None = None
    order_import_since: date | None = None
    order_settle_seconds: int = Field(10, ge=0)
    order_grace_minutes: int = Field(30, ge=0)
    order_mails: OrderMails = Field(default_factory=OrderMails)
    # seconds between two looks of the triggerer at the shop's orders: a new or changed order
    # starts the orders DAG once it has settled (order_settle_seconds); null: no watcher, the
    # orders schedule alone
    watch_orders_seconds: float | None = Field(10.0, ge=1)
    # seconds between two looks of the triggerer at BO's stock bookings: a booking starts the
    # stock DAG; null: no watcher, the stock schedule alone
    watch_stock_seconds: float | None = Field(30.0, ge=1)
    mail_language: Literal["de", "en"] = "de"
    store_name: str = ""
    # catalog syncs work in chunks of about this many rows of BO's article extract (an article
    # and its text rows stay together): memory depends on it, not on the catalog's size
    catalog_chunk_rows: int = Field(25_000, ge=100)
    # run reports older than this are removed by the report task; 0 keeps them for ever
    report_retention_days: int = Field(90, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, value: Any) -> Any:
        if isinstance(value, dict) and "order_import_statuses" in value:
            raise ValueError(
                "order_import_statuses is gone: every order BO does not have is imported now, "
                "except in order_hold_statuses (default: the shop's 'Preparing' statuses)"
            )
        return value

    @model_validator(mode="after")
    def _hold_is_no_sync_status(self) -> Defaults:
        clash = sorted(set(self.order_hold_statuses or []) & set(self.order_statuses.all()))
        if clash:
            raise ValueError(
                f"order_hold_statuses {clash} are among the order_statuses the sync imports from "
                "or sets (pending, Processing, Delivered): such orders would never be imported"
            )
        return self

    @field_validator("shop_timezone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use e.g. Europe/Berlin)") from exc
        return value

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("at least one language is needed")
        for bo_key, osc_code in value.items():
            if not re.fullmatch(r"[a-z]{2}", osc_code):
                raise ValueError(
                    f"osCommerce language code for BO language {bo_key!r} must be two "
                    f"lower-case letters (languages.code), got {osc_code!r}"
                )
        return value


class Images(BaseModel):
    """Where each article's image comes from and goes to (transform/images.py, ADR 19).

    ``source``: the folder (or fsspec URL) BO's image paths resolve against; a BO path that
    starts with one of ``strip_prefixes`` (the share or drive BO's users see, e.g.
    ``\\\\fileserver\\Bilder`` or ``D:\\BO\\Bilder``) is read relative to it. ``target``: the
    shop's ``images/`` directory as a folder, ``file://``, ``sftp://host/path`` or ``s3://``
    URL; ``*_conn_id``: the Airflow connection with its credentials (never in this file)."""

    model_config = ConfigDict(extra="forbid")
    source: str
    source_conn_id: str | None = None
    strip_prefixes: list[str] = Field(default_factory=list)
    target: str
    target_conn_id: str | None = None
    # a larger file is set aside (the product keeps its last image)
    max_bytes: int = Field(5_000_000, ge=1)
    # remove files in the target that this sync uploaded and no product references any more
    # (off: old orders and caches may still link them)
    remove_unreferenced: bool = False
    transfers: int = Field(8, ge=1, le=64)  # uploads at a time

    def anchored(self, base: Path) -> Images:
        """A relative folder is relative to the tenants file's folder, like a path in any
        other configuration file (URLs and absolute folders stay as they are)."""

        def anchor(location: str) -> str:
            if "://" in location or Path(location).is_absolute():
                return location
            return str((base / location).resolve())

        return self.model_copy(update={"source": anchor(self.source),
                                       "target": anchor(self.target)})  # fmt: skip


class TenantSettings(Defaults):
    """One tenant: its connections, active flag and its own values for the defaults."""

    id: str
    name: str = ""
    active: bool = True
    bo_conn_id: str
    shop_conn_id: str
    # product images copied into the shop (None: products_image takes BO's path as it is)
    images: Images | None = None

    @field_validator("id")
    @classmethod
    def _tenant_id(cls, value: str) -> str:
        if not TENANT_ID.fullmatch(value):
            raise ValueError("use lower-case letters, digits and _ (it becomes part of DAG ids)")
        return value

    @model_validator(mode="after")
    def _reset_link_needs_url_and_sender(self) -> TenantSettings:
        if self.initial_password == "reset_link" and not (self.shop_url and self.mail_from):
            raise ValueError(
                "initial_password 'reset_link' needs shop_url (the storefront, e.g. "
                "https://shop.example.com/catalog/) and mail_from (the welcome e-mail's sender)"
            )
        mails = self.order_mails
        if (mails.processing or mails.delivered) and not (self.shop_url and self.mail_from):
            raise ValueError(
                "order_mails need shop_url (for the link to the order in the shop) and "
                "mail_from (the sender)"
            )
        return self

    @model_validator(mode="after")
    def _default_language_known(self) -> TenantSettings:
        if self.default_language not in self.languages:
            raise ValueError(
                f"default_language {self.default_language!r} is not one of the BO languages "
                f"{sorted(self.languages)}"
            )
        return self

    @property
    def label(self) -> str:
        return f"tenant {self.id!r}"

    @property
    def pool(self) -> str:
        """The Airflow pool (one slot) every task writing this tenant's shop runs in."""
        return f"bo_osc_{self.id}"

    def shop_time(self, moment: datetime) -> datetime:
        """``moment`` (aware, e.g. a DAG run's run_after) as the shop's naive local time, in
        whole seconds, as osCommerce's datetime columns hold it."""
        from zoneinfo import ZoneInfo

        if moment.tzinfo is None:
            raise ValueError("shop_time needs an aware datetime")
        local = moment.astimezone(ZoneInfo(self.shop_timezone))
        return local.replace(tzinfo=None, microsecond=0)


@dataclass
class TenantConfig:
    """The loaded file: valid tenants in stable order, plus an error text per broken tenant."""

    tenants: dict[str, TenantSettings] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def get(self, tenant_id: str) -> TenantSettings:
        if tenant_id in self.tenants:
            return self.tenants[tenant_id]
        if tenant_id in self.errors:
            raise ValueError(self.errors[tenant_id])
        raise KeyError(f"tenant {tenant_id!r} is not in the tenants file")

    @property
    def active(self) -> list[TenantSettings]:
        return [t for t in self.tenants.values() if t.active]


class TenantConfigError(ValueError):
    """The tenants file as a whole cannot be read."""


def tenants_file() -> Path:
    return Path(os.environ.get("BO_OSC_TENANTS_FILE", DEFAULT_TENANTS_FILE))


def _describe(tenant_id: str, error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "settings"
        parts.append(f"field {where!r}: {item['msg']}")
    return f"tenant {tenant_id!r}: " + "; ".join(parts)


# Sections a tenant overrides key by key; any other value (``languages`` too: it lists the
# shop's languages) is replaced as a whole.
MERGED_SECTIONS = ("schedules", "order_statuses", "order_mails")


def _merge(defaults: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    merged = dict(defaults)
    for key, value in own.items():
        if key in MERGED_SECTIONS and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def parse_config(
    raw: Any, source: str = "tenants file", base: Path | None = None
) -> TenantConfig:
    """The tenants of a tenants file's content; ``base``: the file's folder (relative image
    folders are relative to it)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("tenants"), dict):
        raise TenantConfigError(f"{source}: expected a mapping with a 'tenants:' section")
    defaults_raw = raw.get("defaults") or {}
    try:
        Defaults.model_validate(defaults_raw)
    except ValidationError as exc:
        raise TenantConfigError(f"{source}: {_describe('defaults', exc)}") from exc
    config = TenantConfig()
    for tenant_id in sorted(raw["tenants"], key=str):  # YAML keys may be numbers
        own = raw["tenants"][tenant_id] or {}
        if not isinstance(own, dict):
            config.errors[str(tenant_id)] = f"tenant {tenant_id!r}: settings must be a mapping"
            continue
        try:
            settings = TenantSettings.model_validate(
                {**_merge(defaults_raw, own), "id": str(tenant_id)}
            )
        except ValidationError as exc:
            config.errors[str(tenant_id)] = _describe(str(tenant_id), exc)
            continue
        if settings.images is not None and base is not None:
            settings = settings.model_copy(update={"images": settings.images.anchored(base)})
        config.tenants[settings.id] = settings
    return config


# libyaml's safe loader where PyYAML was built with it: the same documents, about ten times
# faster (the tenants file is read at every parse of the DAG file and every console page)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_config(path: Path | None = None) -> TenantConfig:
    path = path or tenants_file()
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError as exc:
        raise TenantConfigError(f"tenants file {path} not found (set BO_OSC_TENANTS_FILE)") from exc
    except yaml.YAMLError as exc:
        raise TenantConfigError(f"tenants file {path} is not valid YAML: {exc}") from exc
    return parse_config(raw, source=str(path), base=path.resolve().parent)
