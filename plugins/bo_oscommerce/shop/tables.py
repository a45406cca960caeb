"""SQLAlchemy Core definitions of the osCommerce 2.3.4.1 tables the sync uses.

Mirrors the upstream DDL (``oscommerce-2.3.4.1.sql``): column order, types, lengths,
nullability, primary keys, indexes and, where sensible, server defaults. Types are generic
so ``metadata.create_all()`` works on SQLite as well as MySQL/MariaDB; MySQL-only details
(``tinyint``, ``int unsigned``) are added as dialect variants.

The tables are created with the 3-byte ``utf8`` charset (``utf8mb3``) like upstream, so
4-byte characters such as emoji cannot be stored: the sync must strip or replace them.

Deliberate deviations: ``products_description.products_id`` is not AUTO_INCREMENT (see
below), and ``customers.customers_dob`` has no server default here. Upstream uses
``DEFAULT '0000-00-00 00:00:00'``, which MySQL/MariaDB reject under ``NO_ZERO_DATE`` strict
modes; rows written by the shop itself may still contain that zero date (PyMySQL returns it
as the string ``'0000-00-00 00:00:00'``, not a datetime).
"""

from __future__ import annotations

from sqlalchemy import (
    CHAR,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeEngine

__all__ = [
    "metadata",
    "required_columns",
    "categories",
    "categories_description",
    "products",
    "products_description",
    "products_to_categories",
    "languages",
    "tax_class",
    "tax_rates",
    "countries",
    "zones",
    "orders_status",
    "customers",
    "customers_info",
    "address_book",
    "orders",
    "orders_products",
    "orders_products_attributes",
    "orders_total",
    "orders_status_history",
    "configuration",
    "currencies",
    "zones_to_geo_zones",
    "customers_basket",
    "customers_basket_attributes",
]

metadata = MetaData()

#: Table options matching upstream ``CHARACTER SET utf8 COLLATE utf8_unicode_ci``. The
#: ``mariadb_`` copies are needed for ``mariadb+pymysql://`` URLs, which ignore ``mysql_`` ones.
_MYSQL_OPTS: dict[str, str] = {
    "mysql_charset": "utf8",
    "mysql_collate": "utf8_unicode_ci",
    "mariadb_charset": "utf8",
    "mariadb_collate": "utf8_unicode_ci",
}


def _tinyint(display_width: int) -> TypeEngine[int]:
    """``tinyint(n)`` on MySQL/MariaDB, SMALLINT elsewhere."""
    return SmallInteger().with_variant(mysql.TINYINT(display_width), "mysql", "mariadb")


def _int_unsigned() -> TypeEngine[int]:
    """``int unsigned`` on MySQL/MariaDB, INTEGER elsewhere."""
    return Integer().with_variant(mysql.INTEGER(unsigned=True), "mysql", "mariadb")


categories = Table(
    "categories",
    metadata,
    Column("categories_id", Integer, primary_key=True, autoincrement=True),
    Column("categories_image", String(64)),
    Column("parent_id", Integer, nullable=False, server_default="0"),
    Column("sort_order", Integer),
    Column("date_added", DateTime),
    Column("last_modified", DateTime),
    Index("idx_categories_parent_id", "parent_id"),
    **_MYSQL_OPTS,
)

categories_description = Table(
    "categories_description",
    metadata,
    Column("categories_id", Integer, primary_key=True, autoincrement=False, server_default="0"),
    Column("language_id", Integer, primary_key=True, autoincrement=False, server_default="1"),
    Column("categories_name", String(32), nullable=False),
    Index("idx_categories_name", "categories_name"),
    **_MYSQL_OPTS,
)

products = Table(
    "products",
    metadata,
    Column("products_id", Integer, primary_key=True, autoincrement=True),
    Column("products_quantity", Integer, nullable=False),
    Column("products_model", String(12)),
    Column("products_image", String(64)),
    Column("products_price", Numeric(15, 4), nullable=False),
    Column("products_date_added", DateTime, nullable=False),
    Column("products_last_modified", DateTime),
    Column("products_date_available", DateTime),
    Column("products_weight", Numeric(5, 2), nullable=False),
    Column("products_status", _tinyint(1), nullable=False),
    Column("products_tax_class_id", Integer, nullable=False),
    Column("manufacturers_id", Integer),
    Column("products_ordered", Integer, nullable=False, server_default="0"),
    Index("idx_products_model", "products_model"),
    Index("idx_products_date_added", "products_date_added"),
    **_MYSQL_OPTS,
)

# Upstream declares products_id here as auto_increment (first column of the composite key).
# SQLite cannot do that, and the value always equals products.products_id anyway, so it is
# left out: always insert an explicit products_id.
products_description = Table(
    "products_description",
    metadata,
    Column("products_id", Integer, primary_key=True, autoincrement=False),
    Column("language_id", Integer, primary_key=True, autoincrement=False, server_default="1"),
    Column("products_name", String(64), nullable=False, server_default=""),
    Column("products_description", Text),
    Column("products_url", String(255)),
    Column("products_viewed", Integer, server_default="0"),
    Index("products_name", "products_name"),
    **_MYSQL_OPTS,
)

products_to_categories = Table(
    "products_to_categories",
    metadata,
    Column("products_id", Integer, primary_key=True, autoincrement=False),
    Column("categories_id", Integer, primary_key=True, autoincrement=False),
    **_MYSQL_OPTS,
)

languages = Table(
    "languages",
    metadata,
    Column("languages_id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(32), nullable=False),
    Column("code", CHAR(2), nullable=False),
    Column("image", String(64)),
    Column("directory", String(32)),
    Column("sort_order", Integer),
    Index("IDX_LANGUAGES_NAME", "name"),
    **_MYSQL_OPTS,
)

tax_class = Table(
    "tax_class",
    metadata,
    Column("tax_class_id", Integer, primary_key=True, autoincrement=True),
    Column("tax_class_title", String(32), nullable=False),
    Column("tax_class_description", String(255), nullable=False),
    Column("last_modified", DateTime),
    Column("date_added", DateTime, nullable=False),
    **_MYSQL_OPTS,
)

# tax_zone_id references geo_zones.geo_zone_id (a table the sync does not use).
tax_rates = Table(
    "tax_rates",
    metadata,
    Column("tax_rates_id", Integer, primary_key=True, autoincrement=True),
    Column("tax_zone_id", Integer, nullable=False),
    Column("tax_class_id", Integer, nullable=False),
    Column("tax_priority", Integer, server_default="1"),
    Column("tax_rate", Numeric(7, 4), nullable=False),
    Column("tax_description", String(255), nullable=False),
    Column("last_modified", DateTime),
    Column("date_added", DateTime, nullable=False),
    **_MYSQL_OPTS,
)

countries = Table(
    "countries",
    metadata,
    Column("countries_id", Integer, primary_key=True, autoincrement=True),
    Column("countries_name", String(255), nullable=False),
    Column("countries_iso_code_2", CHAR(2), nullable=False),
    Column("countries_iso_code_3", CHAR(3), nullable=False),
    Column("address_format_id", Integer, nullable=False),
    Index("IDX_COUNTRIES_NAME", "countries_name"),
    **_MYSQL_OPTS,
)

zones = Table(
    "zones",
    metadata,
    Column("zone_id", Integer, primary_key=True, autoincrement=True),
    Column("zone_country_id", Integer, nullable=False),
    Column("zone_code", String(32), nullable=False),
    Column("zone_name", String(255), nullable=False),
    Index("idx_zones_country_id", "zone_country_id"),
    **_MYSQL_OPTS,
)

orders_status = Table(
    "orders_status",
    metadata,
    Column("orders_status_id", Integer, primary_key=True, autoincrement=False, server_default="0"),
    Column("language_id", Integer, primary_key=True, autoincrement=False, server_default="1"),
    Column("orders_status_name", String(32), nullable=False),
    Column("public_flag", Integer, server_default="1"),
    Column("downloads_flag", Integer, server_default="0"),
    Index("idx_orders_status_name", "orders_status_name"),
    **_MYSQL_OPTS,
)

customers = Table(
    "customers",
    metadata,
    Column("customers_id", Integer, primary_key=True, autoincrement=True),
    Column("customers_gender", CHAR(1)),
    Column("customers_firstname", String(255), nullable=False),
    Column("customers_lastname", String(255), nullable=False),
    # Upstream default '0000-00-00 00:00:00' intentionally omitted (see module docstring).
    Column("customers_dob", DateTime, nullable=False),
    Column("customers_email_address", String(255), nullable=False),
    Column("customers_default_address_id", Integer),
    Column("customers_telephone", String(255), nullable=False),
    Column("customers_fax", String(255)),
    Column("customers_password", String(60), nullable=False),
    Column("customers_newsletter", CHAR(1)),
    Index("idx_customers_email_address", "customers_email_address"),
    **_MYSQL_OPTS,
)

# customers_info_id equals customers.customers_id (no auto_increment upstream).
customers_info = Table(
    "customers_info",
    metadata,
    Column("customers_info_id", Integer, primary_key=True, autoincrement=False),
    Column("customers_info_date_of_last_logon", DateTime),
    Column("customers_info_number_of_logons", Integer),
    Column("customers_info_date_account_created", DateTime),
    Column("customers_info_date_account_last_modified", DateTime),
    Column("global_product_notifications", Integer, server_default="0"),
    Column("password_reset_key", CHAR(40)),
    Column("password_reset_date", DateTime),
    **_MYSQL_OPTS,
)

address_book = Table(
    "address_book",
    metadata,
    Column("address_book_id", Integer, primary_key=True, autoincrement=True),
    Column("customers_id", Integer, nullable=False),
    Column("entry_gender", CHAR(1)),
    Column("entry_company", String(255)),
    Column("entry_firstname", String(255), nullable=False),
    Column("entry_lastname", String(255), nullable=False),
    Column("entry_street_address", String(255), nullable=False),
    Column("entry_suburb", String(255)),
    Column("entry_postcode", String(255), nullable=False),
    Column("entry_city", String(255), nullable=False),
    Column("entry_state", String(255)),
    Column("entry_country_id", Integer, nullable=False, server_default="0"),
    Column("entry_zone_id", Integer, nullable=False, server_default="0"),
    Index("idx_address_book_customers_id", "customers_id"),
    **_MYSQL_OPTS,
)

orders = Table(
    "orders",
    metadata,
    Column("orders_id", Integer, primary_key=True, autoincrement=True),
    Column("customers_id", Integer, nullable=False),
    Column("customers_name", String(255), nullable=False),
    Column("customers_company", String(255)),
    Column("customers_street_address", String(255), nullable=False),
    Column("customers_suburb", String(255)),
    Column("customers_city", String(255), nullable=False),
    Column("customers_postcode", String(255), nullable=False),
    Column("customers_state", String(255)),
    Column("customers_country", String(255), nullable=False),
    Column("customers_telephone", String(255), nullable=False),
    Column("customers_email_address", String(255), nullable=False),
    Column("customers_address_format_id", Integer, nullable=False),
    Column("delivery_name", String(255), nullable=False),
    Column("delivery_company", String(255)),
    Column("delivery_street_address", String(255), nullable=False),
    Column("delivery_suburb", String(255)),
    Column("delivery_city", String(255), nullable=False),
    Column("delivery_postcode", String(255), nullable=False),
    Column("delivery_state", String(255)),
    Column("delivery_country", String(255), nullable=False),
    Column("delivery_address_format_id", Integer, nullable=False),
    Column("billing_name", String(255), nullable=False),
    Column("billing_company", String(255)),
    Column("billing_street_address", String(255), nullable=False),
    Column("billing_suburb", String(255)),
    Column("billing_city", String(255), nullable=False),
    Column("billing_postcode", String(255), nullable=False),
    Column("billing_state", String(255)),
    Column("billing_country", String(255), nullable=False),
    Column("billing_address_format_id", Integer, nullable=False),
    Column("payment_method", String(255), nullable=False),
    Column("cc_type", String(20)),
    Column("cc_owner", String(255)),
    Column("cc_number", String(32)),
    Column("cc_expires", String(4)),
    Column("last_modified", DateTime),
    Column("date_purchased", DateTime),
    Column("orders_status", Integer, nullable=False),
    Column("orders_date_finished", DateTime),
    Column("currency", CHAR(3)),
    Column("currency_value", Numeric(14, 6)),
    Index("idx_orders_customers_id", "customers_id"),
    **_MYSQL_OPTS,
)

orders_products = Table(
    "orders_products",
    metadata,
    Column("orders_products_id", Integer, primary_key=True, autoincrement=True),
    Column("orders_id", Integer, nullable=False),
    Column("products_id", Integer, nullable=False),
    Column("products_model", String(12)),
    Column("products_name", String(64), nullable=False),
    Column("products_price", Numeric(15, 4), nullable=False),
    Column("final_price", Numeric(15, 4), nullable=False),
    Column("products_tax", Numeric(7, 4), nullable=False),
    Column("products_quantity", Integer, nullable=False),
    Index("idx_orders_products_orders_id", "orders_id"),
    Index("idx_orders_products_products_id", "products_id"),
    **_MYSQL_OPTS,
)

orders_products_attributes = Table(
    "orders_products_attributes",
    metadata,
    Column("orders_products_attributes_id", Integer, primary_key=True, autoincrement=True),
    Column("orders_id", Integer, nullable=False),
    Column("orders_products_id", Integer, nullable=False),
    Column("products_options", String(32), nullable=False),
    Column("products_options_values", String(32), nullable=False),
    Column("options_values_price", Numeric(15, 4), nullable=False),
    Column("price_prefix", CHAR(1), nullable=False),
    Index("idx_orders_products_att_orders_id", "orders_id"),
    **_MYSQL_OPTS,
)

orders_total = Table(
    "orders_total",
    metadata,
    Column("orders_total_id", _int_unsigned(), primary_key=True, autoincrement=True),
    Column("orders_id", Integer, nullable=False),
    Column("title", String(255), nullable=False),
    Column("text", String(255), nullable=False),
    Column("value", Numeric(15, 4), nullable=False),
    Column("class", String(32), nullable=False),
    Column("sort_order", Integer, nullable=False),
    Index("idx_orders_total_orders_id", "orders_id"),
    **_MYSQL_OPTS,
)

orders_status_history = Table(
    "orders_status_history",
    metadata,
    Column("orders_status_history_id", Integer, primary_key=True, autoincrement=True),
    Column("orders_id", Integer, nullable=False),
    Column("orders_status_id", Integer, nullable=False),
    Column("date_added", DateTime, nullable=False),
    Column("customer_notified", Integer, server_default="0"),
    Column("comments", Text),
    Index("idx_orders_status_history_orders_id", "orders_id"),
    **_MYSQL_OPTS,
)

# The shop's settings (key/value): how it shows prices, its modules and their tax classes.
configuration = Table(
    "configuration",
    metadata,
    Column("configuration_id", Integer, primary_key=True, autoincrement=True),
    Column("configuration_title", String(255), nullable=False),
    Column("configuration_key", String(255), nullable=False),
    Column("configuration_value", Text, nullable=False),
    Column("configuration_description", String(255), nullable=False),
    Column("configuration_group_id", Integer, nullable=False),
    Column("sort_order", Integer),
    Column("last_modified", DateTime),
    Column("date_added", DateTime, nullable=False),
    Column("use_function", String(255)),
    Column("set_function", String(255)),
    **_MYSQL_OPTS,
)

currencies = Table(
    "currencies",
    metadata,
    Column("currencies_id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(32), nullable=False),
    Column("code", CHAR(3), nullable=False),
    Column("symbol_left", String(12)),
    Column("symbol_right", String(12)),
    Column("decimal_point", CHAR(1)),
    Column("thousands_point", CHAR(1)),
    Column("decimal_places", CHAR(1)),
    Column("value", Float().with_variant(mysql.FLOAT(precision=13, scale=8), "mysql", "mariadb")),
    Column("last_updated", DateTime),
    Index("idx_currencies_code", "code"),
    **_MYSQL_OPTS,
)

# Which places a geo zone (tax_rates.tax_zone_id) covers; zone_id 0: all zones of the country.
zones_to_geo_zones = Table(
    "zones_to_geo_zones",
    metadata,
    Column("association_id", Integer, primary_key=True, autoincrement=True),
    Column("zone_country_id", Integer, nullable=False),
    Column("zone_id", Integer),
    Column("geo_zone_id", Integer),
    Column("last_modified", DateTime),
    Column("date_added", DateTime, nullable=False),
    Index("idx_zones_to_geo_zones_country_id", "zone_country_id"),
    **_MYSQL_OPTS,
)

_TINYTEXT = Text().with_variant(mysql.TINYTEXT(), "mysql", "mariadb")

# A logged-in customer's cart; checkout_process.php empties it after writing the order.
customers_basket = Table(
    "customers_basket",
    metadata,
    Column("customers_basket_id", Integer, primary_key=True, autoincrement=True),
    Column("customers_id", Integer, nullable=False),
    Column("products_id", _TINYTEXT, nullable=False),  # "3{4}14": product {option}value
    Column("customers_basket_quantity", Integer, nullable=False),
    Column("final_price", Numeric(15, 4)),
    Column("customers_basket_date_added", CHAR(8)),  # YYYYMMDD
    Index("idx_customers_basket_customers_id", "customers_id"),
    **_MYSQL_OPTS,
)

customers_basket_attributes = Table(
    "customers_basket_attributes",
    metadata,
    Column("customers_basket_attributes_id", Integer, primary_key=True, autoincrement=True),
    Column("customers_id", Integer, nullable=False),
    Column("products_id", _TINYTEXT, nullable=False),
    Column("products_options_id", Integer, nullable=False),
    Column("products_options_value_id", Integer, nullable=False),
    Index("idx_customers_basket_att_customers_id", "customers_id"),
    **_MYSQL_OPTS,
)


# SQLite (the demo shop): AUTOINCREMENT keeps sqlite_sequence, so a deleted row's id is never
# handed out again, as MySQL's AUTO_INCREMENT counter does (see dialect.reserve_ids).
for _table in metadata.tables.values():
    _keys = list(_table.primary_key.columns)
    if len(_keys) == 1 and _keys[0].autoincrement is True:
        _table.dialect_options["sqlite"]["autoincrement"] = True


def required_columns() -> dict[str, set[str]]:
    """Column names per table that the sync relies on (all columns defined here)."""
    return {name: {col.name for col in table.columns} for name, table in metadata.tables.items()}
