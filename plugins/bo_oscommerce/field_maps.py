"""The field maps: what the sync writes into each shop table and each BO statement (ADR 11).

Shop tables are filled from the transforms' frames (``transform/``): a field's source is a
column the transform computed (its business rule lives there) or a BO column taken as it is.
BO statements (``include/sql/bo/*.sql``) take their parameters from these declarations only;
``tests/unit/test_fields.py`` compares each statement's parameters with its map.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from bo_oscommerce.fields import Field, FieldMap, keys, plain, statement_map
from bo_oscommerce.transform.common import texts


def text_of(column: str) -> Any:
    """A BO text as the shop's NOT NULL text columns take it: trimmed, missing as ''."""
    return lambda frame: texts(frame[column])


def constant(value: Any) -> Any:
    return lambda frame: pd.Series([value] * len(frame), index=frame.index, dtype=object)


# --- shop: catalog --------------------------------------------------------------------------

PRODUCTS = FieldMap(
    "products",
    (
        # the business rules say these better than "is missing": not_null off
        Field("products_model", "artikel_nr", label="article number", not_null=False),
        Field("products_price", label="net price", not_null=False),
        Field("products_tax_class_id", label="tax class", not_null=False),
        Field("products_status", label="status"),
        Field("products_image", "bildpfad", label="image path"),
        Field("products_weight", label="weight"),
        # later quantities are the stock step's: written with a new product only
        Field("products_quantity", label="quantity", create_only=True),
    ),
)
PRODUCT_TEXTS = FieldMap(
    "products_description",
    (
        Field("products_name", label="product name", fit=True, visible=True),
        Field("products_description", label="product description", fit=True),
    ),
    per_language=True,
)
CATEGORIES = FieldMap("categories", (Field("sort_order", label="sort order"),))
CATEGORY_TEXTS = FieldMap(
    "categories_description",
    (Field("categories_name", label="category name", fit=True, visible=True),),
    per_language=True,
)

# --- shop: customers (create_account.php's rows; ``merge``: kept in step both ways) --------

CUSTOMERS = FieldMap(
    "customers",
    (
        Field("customers_id", create_only=True, key=True),
        Field("customers_gender", "gender", label="gender", merge="gender"),
        Field("customers_firstname", text_of("vorname"), label="first name", fit=True,
              merge="firstname"),
        Field("customers_lastname", text_of("nachname"), label="last name", fit=True,
              merge="lastname", visible=True),
        Field("customers_dob", "dob", merge="dob"),
        # an e-mail is never cut or changed: it is valid (the suite's rule), or set aside
        Field("customers_email_address", "email", label="e-mail address", not_null=False),
        Field("customers_telephone", text_of("telefon"), label="telephone", fit=True,
              merge="telephone"),
        Field("customers_newsletter", "newsletter_flag", label="newsletter flag",
              merge="newsletter"),
        # the first password: hashed before the shop transaction, never written again
        Field("customers_password", create_only=True),
        Field("customers_default_address_id", "address_book_id", create_only=True),
        Field("customers_fax", constant(""), create_only=True),
    ),
)  # fmt: skip
ADDRESS_BOOK = FieldMap(
    "address_book",
    (
        Field("address_book_id", create_only=True, key=True),
        Field("customers_id", create_only=True),
        Field("entry_gender", "gender", merge="gender"),
        Field("entry_company", text_of("firma"), label="company", fit=True, merge="company"),
        # the customer's names as the customers row has them (fitted there)
        Field("entry_firstname", "customers_firstname", merge="firstname"),
        Field("entry_lastname", "customers_lastname", merge="lastname"),
        Field("entry_street_address", text_of("strasse"), label="street", fit=True,
              merge="street"),
        Field("entry_postcode", text_of("plz"), label="postal code", fit=True, merge="postcode"),
        Field("entry_city", text_of("ort"), label="city", fit=True, merge="city"),
        Field("entry_state", "state", label="region", fit=True, merge="zone"),
        Field("entry_country_id", "country", label="country", not_null=False, merge="country"),
        Field("entry_zone_id", "zone_id", label="zone", merge="zone"),
        Field("entry_suburb", constant(""), create_only=True),
    ),
)  # fmt: skip
CUSTOMERS_INFO = FieldMap(
    "customers_info",
    (
        Field("customers_info_id", "customers_id", create_only=True, key=True),
        Field("customers_info_number_of_logons", constant(0), create_only=True),
        Field("customers_info_date_account_created", "run_at", create_only=True),
        Field("global_product_notifications", constant(0), create_only=True),
        Field("password_reset_key", create_only=True),
        Field("password_reset_date", lambda f: f["run_at"].where(f["password_reset_key"].notna()),
              create_only=True),
    ),
)  # fmt: skip

# --- BO: what shop customers and orders bring (insert statements) -------------------------

ADRESSE = FieldMap(
    "adresse",
    (
        Field("adress_nr", key=True),
        Field("firma", label="company", fit=True, merge="company"),
        Field("strasse", label="street", fit=True, merge="street"),
        Field("plz", label="postal code", fit=True, merge="postcode"),
        Field("ort", label="city", fit=True, merge="city"),
        Field("staat_id", merge="country"),
        Field("region", label="region", fit=True, merge="zone"),
        Field("telefon", label="telephone", fit=True, merge="telephone"),
        Field("geaendert_am"),
    ),
    owner="BO",
    statement="insert_adresse",
)
GESPRAECHSPARTNER = FieldMap(
    "gespraechspartner",
    (
        Field("gp_id", key=True),
        Field("adress_nr"),
        Field("anrede", label="salutation", merge="gender"),
        Field("vorname", label="first name", fit=True, merge="firstname"),
        Field("nachname", label="last name", fit=True, merge="lastname"),
        Field("email", label="e-mail address"),
        Field("geburtstag", merge="dob"),
        Field("newsletter", merge="newsletter"),
        Field("im_web"),
        Field("osc_customers_id"),
        Field("geaendert_am"),
    ),
    owner="BO",
    statement="insert_gespraechspartner",
)
# an order's texts are the buyer's: fitted to BO's columns (cleaned), never set aside for it
AUFTRAG = FieldMap(
    "auftrag",
    (
        Field("auftrag_nr", key=True),
        Field("adress_nr"),
        Field("gp_id"),
        Field("auftragsdatum"),
        Field("email", label="buyer's e-mail", fit=True, not_null=False),
        Field("liefer_name", label="delivery name", fit=True, not_null=False),
        Field("liefer_firma", label="delivery company", fit=True, not_null=False),
        Field("liefer_strasse", label="delivery street", fit=True, not_null=False),
        Field("liefer_plz", label="delivery postal code", fit=True, not_null=False),
        Field("liefer_ort", label="delivery city", fit=True, not_null=False),
        Field("liefer_staat_id"),
        Field("rechnung_name", label="billing name", fit=True, not_null=False),
        Field("rechnung_firma", fit=True),
        Field("rechnung_strasse", label="billing street", fit=True, not_null=False),
        Field("rechnung_plz", label="billing postal code", fit=True, not_null=False),
        Field("rechnung_ort", label="billing city", fit=True, not_null=False),
        Field("rechnung_staat_id"),
        Field("zahlungsart", label="payment method", fit=True, not_null=False),
        Field("zahlungsinfo", fit=True),
        Field("waehrung", label="currency", not_null=False),
        Field("waehrungsfaktor"),
        Field("bemerkung", fit=True),
        Field("summe_netto"),
        Field("summe_steuer"),
        Field("summe_brutto", label="order total", not_null=False),
        Field("versandkosten"),
        Field("versand_ust_satz"),
        Field("osc_orders_id"),
        Field("osc_status_bei_import"),
        Field("geaendert_am"),
    ),
    owner="BO",
    statement="insert_auftrag",
)
AUFTRAGSPOSITION = FieldMap(
    "auftragsposition",
    (
        *keys("auftrag_nr", "pos_nr"),
        Field("artikel_nr"),
        Field("bezeichnung", fit=True),
        *plain("menge", "einzelpreis_netto", "ust_satz"),
    ),
    owner="BO",
    statement="insert_auftragsposition",
)

# --- BO: ids, markers, links and states after a shop commit (write-back statements) --------

WRITEBACK_WARENGRUPPE = statement_map(
    "writeback_warengruppe", "warengruppe", *keys("warengruppe_nr"),
    *plain("osc_categories_id", "osc_abgleich_stand", "osc_texte"),
)  # fmt: skip
WRITEBACK_ARTIKEL = statement_map(
    "writeback_artikel", "artikel", *keys("artikel_nr"),
    *plain("osc_products_id", "osc_abgleich_stand", "osc_texte", "osc_menge"),
)  # fmt: skip
WRITEBACK_ARTIKEL_AUSGESONDERT = statement_map(
    "writeback_artikel_ausgesondert", "artikel", *keys("artikel_nr"), Field("osc_ausgesondert")
)
WRITEBACK_ARTIKEL_BILD = statement_map(
    "writeback_artikel_bild", "artikel", *keys("artikel_nr"), Field("osc_bild")
)
WRITEBACK_MENGE = statement_map(
    "writeback_menge", "artikel", *keys("artikel_nr"), Field("osc_menge")
)
WRITEBACK_GESPRAECHSPARTNER = statement_map(
    "writeback_gespraechspartner", "gespraechspartner", *keys("gp_id"),
    *plain("osc_customers_id", "osc_abgleich_stand"),
)  # fmt: skip
LINK_GESPRAECHSPARTNER = statement_map(
    "link_gespraechspartner", "gespraechspartner", *keys("gp_id"),
    *plain("osc_customers_id", "osc_abgleich_stand"),
)  # fmt: skip
WRITEBACK_AUFTRAG_STATUS = statement_map(
    "writeback_auftrag_status", "auftrag", *keys("auftrag_nr"), Field("osc_status_gemeldet")
)
RESET_AUFTRAG_STATUS = statement_map("reset_auftrag_status", "auftrag", *keys("auftrag_nr"))
WRITEBACK_BINDUNG = statement_map(
    "writeback_bindung", "osc_bindung", *keys("entitaet", "bo_schluessel"),
    *plain("osc_id", "osc_schluessel"),
)  # fmt: skip
WRITEBACK_BINDUNG_LOESCHEN = statement_map(
    "writeback_bindung_loeschen", "osc_bindung", *keys("entitaet", "bo_schluessel")
)
KUNDEN_STAND = (
    "gp_id", "osc_customers_id", "osc_address_book_id", "bestaetigt", "willkommen_offen",
    "stand_bo", "stand_shop",
)  # fmt: skip
WRITEBACK_KUNDEN_STAND = statement_map(
    "writeback_kunden_stand", "osc_kunde", *keys(KUNDEN_STAND[0]), *plain(*KUNDEN_STAND[1:]),
    Field("geaendert_am"),
)  # fmt: skip
WRITEBACK_KUNDEN_STAND_LOESCHEN = statement_map(
    "writeback_kunden_stand_loeschen", "osc_kunde", *keys("gp_id")
)
WRITEBACK_WILLKOMMEN_GESENDET = statement_map(
    "writeback_willkommen_gesendet", "osc_kunde", *keys("gp_id")
)
BESTAETIGEN_KUNDE = statement_map("bestaetigen_kunde", "osc_kunde", *keys("gp_id"))
UNLINK_WARENGRUPPE = statement_map("unlink_warengruppe", "warengruppe", *keys("warengruppe_nr"))
UNLINK_ARTIKEL = statement_map("unlink_artikel", "artikel", *keys("artikel_nr"))
UNLINK_GESPRAECHSPARTNER = statement_map(
    "unlink_gespraechspartner", "gespraechspartner", *keys("gp_id")
)
# the customer's own edits: the merge fields of the contact and of its Adresse
UPDATE_KONTAKT_AUS_SHOP = statement_map(
    "update_kontakt_aus_shop", "gespraechspartner", *keys("gp_id"),
    *(f for f in GESPRAECHSPARTNER if f.merge), Field("geaendert_am"),
)  # fmt: skip
UPDATE_ADRESSE_AUS_SHOP = statement_map(
    "update_adresse_aus_shop", "adresse", *keys("adress_nr"),
    *(f for f in ADRESSE if f.merge), Field("geaendert_am"),
)  # fmt: skip
NUMMERN_RESERVIEREN = statement_map("nummern_reservieren", "nummernkreis", *keys("name"),
                                    Field("anzahl"))  # fmt: skip

# every BO statement the sync writes with, by name
STATEMENTS: dict[str, FieldMap] = {
    m.statement: m
    for m in (
        ADRESSE, GESPRAECHSPARTNER, AUFTRAG, AUFTRAGSPOSITION, WRITEBACK_WARENGRUPPE,
        WRITEBACK_ARTIKEL, WRITEBACK_ARTIKEL_AUSGESONDERT, WRITEBACK_ARTIKEL_BILD,
        WRITEBACK_MENGE, WRITEBACK_GESPRAECHSPARTNER, LINK_GESPRAECHSPARTNER,
        WRITEBACK_AUFTRAG_STATUS, RESET_AUFTRAG_STATUS, WRITEBACK_BINDUNG,
        WRITEBACK_BINDUNG_LOESCHEN, WRITEBACK_KUNDEN_STAND, WRITEBACK_KUNDEN_STAND_LOESCHEN,
        WRITEBACK_WILLKOMMEN_GESENDET, BESTAETIGEN_KUNDE, UNLINK_WARENGRUPPE, UNLINK_ARTIKEL,
        UNLINK_GESPRAECHSPARTNER, UPDATE_KONTAKT_AUS_SHOP, UPDATE_ADRESSE_AUS_SHOP,
        NUMMERN_RESERVIEREN,
    )
    if m.statement
}  # fmt: skip
