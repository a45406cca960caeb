"""Gespraechspartner (BO contacts) <-> osCommerce customers, as pure pandas.

BO -> shop business rules:
- a web contact becomes a customer with a default address_book row and customers_info;
- gender from the salutation (Herr m, Frau f, otherwise none); birthday as customers_dob, a
  missing one, or one before 1900 or in the future, as the shop's "no birthday" (zero date);
- the e-mail is written trimmed (stray spaces are a cleaning rule) in BO's case: the shop
  compares e-mails without case, and so does the matching;
- newsletter '1' or '' as the shop writes it; telephone '' when BO has none;
- the country through the Staat mapping; the zone where the shop keeps zones for that
  country and BO's region names one (by name or code), else 0 with the region as entry_state;
- texts fit the shop's columns (4-byte characters removed, cut to the width).
Shop -> BO: the customer and its default address become an Adresse with a Gespraechspartner.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from bo_oscommerce.field_maps import ADDRESS_BOOK, ADRESSE, CUSTOMERS, GESPRAECHSPARTNER
from bo_oscommerce.shop.columns import ShopColumns, metadata_columns
from bo_oscommerce.transform.common import Cleaned, latest, texts, to_timestamp
from bo_oscommerce.transform.emails import DEFAULT_COLLATION, compare_keys

ZERO_DATE = "0000-00-00 00:00:00"  # what the shop stores for "no birthday"
GENDER = {"herr": "m", "frau": "f"}
SALUTATION = {"m": "Herr", "f": "Frau"}
def birthdays(values: pd.Series, today: date) -> tuple[pd.Series, pd.Series]:
    """BO's Geburtstag as customers_dob, and a mask of birthdays dropped as implausible."""
    parsed = pd.to_datetime(values, errors="coerce")
    plausible = (parsed >= pd.Timestamp(1900, 1, 1)) & (parsed <= pd.Timestamp(today))
    dropped = parsed.notna() & ~plausible
    dob = [
        ts.to_pydatetime().replace(hour=0, minute=0, second=0, microsecond=0) if ok else ZERO_DATE
        for ts, ok in zip(parsed, plausible.fillna(False), strict=True)
    ]
    return pd.Series(dob, index=values.index, dtype=object), dropped.fillna(False)


def no_birthday(dob: pd.Series, columns: ShopColumns) -> pd.Series:
    """"No birthday" as the shop's column holds it: 2.3's NOT NULL datetime takes the zero
    date, CE Phoenix's nullable DATE takes NULL."""
    if not columns.spec("customers", "customers_dob").nullable:
        return dob
    return dob.map(lambda v: None if isinstance(v, str) and v.startswith("0000-00-00") else v)


def zones_for(
    regions: pd.Series, countries: pd.Series, zones: pd.DataFrame
) -> tuple[pd.Series, pd.Series]:
    """(entry_zone_id, entry_state) as create_account.php writes them: the zone whose name or
    code is the region, where the country has zones; else 0 and the region as text."""
    by_name: dict[tuple[int, str], int] = {}
    for row in zones.itertuples(index=False):
        for label in (row.zone_name, row.zone_code):
            by_name.setdefault(
                (int(row.zone_country_id), str(label).strip().casefold()), int(row.zone_id)
            )
    zone_ids, states = [], []
    for region, country in zip(regions, countries, strict=True):
        text = "" if region is None or region != region else str(region).strip()
        zone = (
            by_name.get((int(country), text.casefold())) if text and not pd.isna(country) else None
        )
        zone_ids.append(zone or 0)
        states.append("" if zone else text)
    return (
        pd.Series(zone_ids, index=regions.index, dtype="int64"),
        pd.Series(states, index=regions.index, dtype=object),
    )


def build_customers(
    contacts: pd.DataFrame,
    zones: pd.DataFrame,
    today: date,
    columns: ShopColumns | None = None,
    collation: str = DEFAULT_COLLATION,
) -> tuple[pd.DataFrame, pd.DataFrame, Cleaned]:
    """Contacts (``extract_gespraechspartner.sql``) as customer rows, plus contacts that left
    the web (``gp_id``, ``osc_customers_id``: their shop customer is kept, no longer synced).

    Returns ``(customers, left, cleaned)``. ``customers`` has one row per web contact with
    the shop's customers and address_book columns, ``email_key`` (the natural key),
    ``password_source`` (the postal code) and the change marker ``stand``. ``email_key``
    compares as the shop's column does (``collation``); ``entry_zone``: zone and state as one
    value.
    """
    columns = columns or metadata_columns(["customers", "address_book"])
    cleaned = Cleaned()
    contacts = contacts.drop_duplicates("gp_id").reset_index(drop=True)
    in_web = contacts["im_web"].astype(int) == 1
    left = contacts.loc[~in_web, ["gp_id", "osc_customers_id"]].reset_index(drop=True)
    web = contacts.loc[in_web].reset_index(drop=True)

    raw_email = web["email"].astype(object)
    trimmed = raw_email.map(lambda v: v.strip() if isinstance(v, str) else v)
    spaced = raw_email.notna() & (raw_email != trimmed)
    cleaned.add("spaces around the e-mail removed", web.loc[spaced, "gp_id"])
    dob, dropped = birthdays(web["geburtstag"], today)
    cleaned.add("birthday before 1900 or in the future: sent as none", web.loc[dropped, "gp_id"])
    gender = web["anrede"].map(
        lambda v: GENDER.get(str(v).strip().casefold()) if isinstance(v, str) else None
    )
    country = pd.Series(pd.array(web["osc_countries_id"], dtype="Int64"), index=web.index)
    region = web["region"] if "region" in web else pd.Series(None, index=web.index)
    zone_id, state = zones_for(region, country.fillna(0), zones)
    source = web.assign(
        gender=gender.astype(object), dob=dob, email=trimmed.astype(object),
        newsletter_flag=np.where(web["newsletter"].fillna(0).astype(int) == 1, "1", ""),
        country=pd.array(country, dtype="Int64"), zone_id=zone_id, state=state,
    )  # fmt: skip
    keys = web["gp_id"]
    owned = CUSTOMERS.fit(CUSTOMERS.frame(source, created=False), columns, keys, cleaned)
    owned["customers_dob"] = no_birthday(owned["customers_dob"], columns)
    entry = ADDRESS_BOOK.frame(source.join(owned), created=False)
    entry = ADDRESS_BOOK.fit(entry, columns, keys, cleaned)
    customers = pd.concat(
        [pd.DataFrame({
            "gp_id": web["gp_id"].astype("int64"),
            "adress_nr": web["adress_nr"].astype("int64"),
            "osc_customers_id": pd.array(web["osc_customers_id"], dtype="Int64"),
            "osc_abgleich_stand": to_timestamp(web["osc_abgleich_stand"]),
            "stand": latest(
                to_timestamp(web["geaendert_am"]), to_timestamp(web["adresse_geaendert_am"])
            ),
            "email_key": compare_keys(trimmed, collation),
            "password_source": texts(web["plz"]),
        }), owned, entry],
        axis=1,
    )  # fmt: skip
    customers["entry_zone"] = entry_zone(customers["entry_zone_id"], customers["entry_state"])
    return customers, left, cleaned


def entry_zone(zone_ids: pd.Series, states: pd.Series) -> pd.Series:
    """A zone and its free-text state as one comparable value: ``"88|"``, ``"0|Tirol"``."""
    zone = pd.Series(pd.array(zone_ids, dtype="Int64"), index=zone_ids.index).fillna(0)
    state = states.astype(object).where(states.notna(), "").astype(str)
    return zone.astype(int).astype(str) + "|" + state


# --- shop -> BO -----------------------------------------------------------------------------

def build_new_contacts(
    shop_customers: pd.DataFrame,
    staaten: pd.DataFrame,
    bo_columns: ShopColumns,
    run_at: datetime,
    key: str = "osc_customers_id",
    collation: str = DEFAULT_COLLATION,
) -> tuple[pd.DataFrame, Cleaned]:
    """Shop customers (with their default address) as BO Adresse + Gespraechspartner rows.

    ``staaten``: BO's countries (``staat_id``, ``osc_countries_id``); a shop country BO does
    not map has ``staat_id`` NA (set aside by the suite). ``bo_columns``: BO's real columns.
    ``key``: the column the cleaning rules name rows by (the orders' buyers bring their own:
    a buyer whose account is gone has no customers id).
    """
    cleaned = Cleaned()
    frame = shop_customers.reset_index(drop=True)
    mapped = staaten.dropna(subset=["osc_countries_id"]).drop_duplicates("osc_countries_id")
    staat_of = dict(
        zip(mapped["osc_countries_id"].astype(int), mapped["staat_id"].astype(int), strict=True)
    )
    dob = pd.to_datetime(
        frame["customers_dob"]
        .astype(str)
        .where(frame["customers_dob"].notna() & (frame["customers_dob"].astype(str) != ZERO_DATE)),
        errors="coerce",
    )
    region = frame["entry_state"].where(
        frame["entry_state"].fillna("").astype(str).str.strip() != "", frame.get("zone_name")
    )
    contacts = pd.DataFrame(
        {
            "osc_customers_id": pd.array(frame["customers_id"], dtype="Int64"),
            "has_address": frame["address_book_id"].notna(),
            "email": frame["customers_email_address"].astype(object),
            "email_key": compare_keys(frame["customers_email_address"], collation),
            "anrede": frame["customers_gender"].map(
                lambda g: SALUTATION.get(str(g).strip().lower()) if isinstance(g, str) else None
            ),
            "vorname": frame["customers_firstname"].astype(object),
            "nachname": frame["customers_lastname"].astype(object),
            "geburtstag": [None if pd.isna(d) else d.date() for d in dob],
            "newsletter": (frame["customers_newsletter"].astype(str).str.strip() == "1").astype(
                int
            ),
            "firma": frame["entry_company"].where(frame["entry_company"].fillna("") != "", None),
            "strasse": frame["entry_street_address"].astype(object),
            "plz": frame["entry_postcode"].astype(object),
            "ort": frame["entry_city"].astype(object),
            "region": region.astype(object),
            "telefon": frame["customers_telephone"].where(
                frame["customers_telephone"].fillna("") != "", None
            ),
            "entry_country_id": pd.array(frame["entry_country_id"], dtype="Int64"),
            "staat_id": pd.array(
                frame["entry_country_id"].map(
                    lambda c: staat_of.get(int(c)) if not pd.isna(c) else None
                ),
                dtype="Int64",
            ),
            "geaendert_am": run_at,
        }
    )
    if key != "osc_customers_id":
        contacts[key] = frame[key].to_numpy()
    keys = contacts[key].astype(str)
    for fields in (GESPRAECHSPARTNER, ADRESSE):
        contacts = fields.fit(contacts, bo_columns, keys, cleaned)
    return contacts, cleaned
