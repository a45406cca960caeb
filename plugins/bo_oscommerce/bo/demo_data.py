"""Deterministic demo data for the reference BO schema: a small Haushalt/Garten/Werkzeug shop.

Same seed, size and base time give the same rows: all randomness comes from
``random.Random(seed)`` and every timestamp from ``base_time``, never from the clock.
On top of the clean data a fixed set of deliberately dirty rows exercises the validation;
``DemoSummary.dirty`` names each with what is wrong.

CLI::

    python -m bo_oscommerce.bo.demo_data --url sqlite:///demo.db --articles 1000 \
        [--seed 7] [--reset]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy
from sqlalchemy import func, inspect, select, table, text

from bo_oscommerce.bo.reference import (
    create_reference_schema,
    drop_reference_schema,
    reference_table_names,
)

DEFAULT_BASE_TIME = datetime(2026, 11, 1, 8, 0, 0)

Row = dict[str, Any]

# --------------------------------------------------------------------------------------------
# Master data
# --------------------------------------------------------------------------------------------

# staat_id, iso2, bezeichnung, osc_countries_id (ids of the upstream osCommerce 2.3.4.1 seed)
STAATEN: tuple[tuple[int, str, str, int | None], ...] = (
    (1, "DE", "Deutschland", 81),
    (2, "AT", "Österreich", 14),
    (3, "CH", "Schweiz", 204),
    (4, "FR", "Frankreich", 73),
    (5, "NL", "Niederlande", 150),
    (6, "GB", "Vereinigtes Königreich", 222),
    (7, "US", "Vereinigte Staaten", 223),
    (8, "LI", "Liechtenstein", None),  # deliberately without shop mapping
)
STAAT_DE = 1
STAAT_LI = 8

# ust_schluessel, bezeichnung, satz, osc_tax_class_id
UMSATZSTEUER: tuple[tuple[str, str, float, int | None], ...] = (
    ("0", "steuerfrei", 0.0, None),  # deliberately without shop mapping
    ("1", "Regelsteuersatz 19 %", 19.0, 1),
    ("2", "ermäßigter Steuersatz 7 %", 7.0, 2),
)
_UST_SATZ = {key: int(satz) for key, _, satz, _ in UMSATZSTEUER}


class Group(NamedTuple):
    nr: str
    parent: str | None
    name_de: str
    name_en: str | None  # None: no English text, the sync falls back to the German name
    core: bool  # always generated; the others are added as the catalogue grows


# The full catalogue, parents before children. Core groups: 5 + 12 + 3 = 20.
GROUPS: tuple[Group, ...] = (
    Group("WG100", None, "Küche & Haushalt", "Kitchen & Household", True),
    Group("WG110", "WG100", "Kochgeschirr", "Cookware", True),
    Group("WG111", "WG110", "Töpfe", "Pots", True),
    Group("WG112", "WG110", "Pfannen", "Pans", True),
    Group("WG113", "WG110", "Deckel & Zubehör", "Lids & accessories", False),
    Group("WG120", "WG100", "Küchenhelfer", "Kitchen utensils", True),
    Group("WG121", "WG120", "Messer & Schneidbretter", "Knives & chopping boards", False),
    Group("WG122", "WG120", "Backzubehör", "Baking accessories", False),
    Group("WG123", "WG120", "Schäler & Reiben", "Peelers & graters", False),
    Group("WG130", "WG100", "Aufbewahrung", None, True),
    Group("WG140", "WG100", "Reinigung & Pflege", "Cleaning & care", False),
    Group("WG150", "WG100", "Haushaltstextilien", "Household textiles", False),
    Group("WG200", None, "Garten", "Garden", True),
    Group("WG210", "WG200", "Gartengeräte", "Garden tools", True),
    Group("WG211", "WG210", "Spaten & Schaufeln", "Spades & shovels", True),
    Group("WG212", "WG210", "Rechen & Harken", "Rakes", False),
    Group("WG213", "WG210", "Gartenscheren", "Pruning shears", False),
    Group("WG220", "WG200", "Bewässerung", "Watering", True),
    Group("WG221", "WG220", "Gartenschläuche", "Garden hoses", False),
    Group("WG222", "WG220", "Gießkannen & Regner", "Watering cans & sprinklers", False),
    Group("WG230", "WG200", "Grillen", "Barbecue", True),
    Group("WG231", "WG230", "Grillzubehör", "Barbecue accessories", False),
    Group("WG232", "WG230", "Holzkohle & Anzünder", "Charcoal & lighters", False),
    Group("WG240", "WG200", "Pflanzgefäße", "Planters", False),
    Group("WG250", "WG200", "Gartendeko", "Garden decoration", False),
    Group("WG300", None, "Werkzeug", "Tools", True),
    Group("WG310", "WG300", "Handwerkzeug", "Hand tools", True),
    Group("WG311", "WG310", "Hämmer", "Hammers", False),
    Group("WG312", "WG310", "Schraubendreher", "Screwdrivers", False),
    Group("WG313", "WG310", "Zangen", "Pliers", False),
    Group("WG320", "WG300", "Elektrowerkzeug-Zubehör", "Power tool accessories", True),
    Group("WG321", "WG320", "Bohrer & Bits", "Drill bits", False),
    Group("WG322", "WG320", "Sägeblätter", "Saw blades", False),
    Group("WG330", "WG300", "Messwerkzeug", "Measuring tools", False),
    # longer than osCommerce's categories_name varchar(32)
    Group("WG340", "WG300", "Befestigungstechnik: Schrauben, Dübel & Nägel", "Fasteners", True),
    Group("WG400", None, "Bürobedarf", "Office supplies", True),
    Group("WG410", "WG400", "Schreibgeräte", "Writing instruments", True),
    Group("WG420", "WG400", "Papier & Blöcke", None, True),
    Group("WG430", "WG400", "Ordnen & Ablage", "Filing", False),
    Group("WG440", "WG400", "Schreibtischzubehör", "Desk accessories", False),
    # the whole Saisonware subtree is not in the web (im_web 0)
    Group("WG500", None, "Saisonware", "Seasonal goods", True),
    Group("WG510", "WG500", "Weihnachtsdeko", "Christmas decoration", True),
    Group("WG520", "WG500", "Osterdeko", "Easter decoration", False),
)
OFFLINE_SUBTREE = "WG500"
LONG_NAME_GROUP = "WG340"
MIN_GROUPS = 20

# Order in which the non-core groups join as the article count grows (balanced over the tree).
EXTRA_ORDER: tuple[str, ...] = (
    "WG121", "WG122", "WG212", "WG213", "WG311", "WG312", "WG221", "WG222", "WG231", "WG140",
    "WG330", "WG430", "WG321", "WG313", "WG113", "WG123", "WG232", "WG240", "WG250", "WG150",
    "WG322", "WG440", "WG520",
)  # fmt: skip

# Product nouns (German, English) of the catalogue's leaf groups; a group that is a leaf only
# because its children were not generated sells its children's products.
NOUNS: dict[str, tuple[tuple[str, str], ...]] = {
    "WG111": (("Kochtopf", "Cooking pot"), ("Suppentopf", "Stock pot"), ("Bräter", "Roaster"),
              ("Milchtopf", "Milk pan")),
    "WG112": (("Bratpfanne", "Frying pan"), ("Schmorpfanne", "Sauté pan"),
              ("Crêpepfanne", "Crêpe pan"), ("Grillpfanne", "Grill pan")),
    "WG113": (("Glasdeckel", "Glass lid"), ("Spritzschutz", "Splatter guard"),
              ("Topfuntersetzer", "Trivet")),
    "WG121": (("Kochmesser", "Chef's knife"), ("Brotmesser", "Bread knife"),
              ("Schneidbrett", "Chopping board"), ("Messerschärfer", "Knife sharpener")),
    "WG122": (("Springform", "Springform pan"), ("Backblech", "Baking tray"),
              ("Teigschaber", "Dough scraper"), ("Ausstechformen", "Cookie cutters")),
    "WG123": (("Sparschäler", "Peeler"), ("Küchenreibe", "Grater"),
              ("Knoblauchpresse", "Garlic press")),
    "WG130": (("Vorratsdose", "Storage jar"), ("Frischhaltedose", "Food container"),
              ("Brotkasten", "Bread bin")),
    "WG140": (("Spülbürste", "Dish brush"), ("Mikrofasertuch", "Microfibre cloth"),
              ("Putzeimer", "Bucket")),
    "WG150": (("Geschirrtuch", "Tea towel"), ("Topflappen", "Pot holder"), ("Schürze", "Apron")),
    "WG211": (("Spaten", "Spade"), ("Schaufel", "Shovel"), ("Grabegabel", "Digging fork")),
    "WG212": (("Laubrechen", "Leaf rake"), ("Gartenrechen", "Garden rake"),
              ("Fächerbesen", "Fan broom")),
    "WG213": (("Gartenschere", "Pruning shears"), ("Heckenschere", "Hedge shears"),
              ("Astschere", "Lopper")),
    "WG221": (("Gartenschlauch", "Garden hose"), ("Schlauchwagen", "Hose reel"),
              ("Schlauchkupplung", "Hose connector")),
    "WG222": (("Gießkanne", "Watering can"), ("Rasensprenger", "Lawn sprinkler"),
              ("Brause", "Spray nozzle")),
    "WG231": (("Grillzange", "Barbecue tongs"), ("Grillrost", "Grill grate"),
              ("Grillbürste", "Grill brush")),
    "WG232": (("Holzkohle", "Charcoal"), ("Grillanzünder", "Fire lighters"),
              ("Anzündkamin", "Chimney starter")),
    "WG240": (("Blumentopf", "Flower pot"), ("Balkonkasten", "Balcony box"),
              ("Pflanzkübel", "Planter")),
    "WG250": (("Solarleuchte", "Solar light"), ("Vogelhäuschen", "Bird house"),
              ("Gartenstecker", "Garden stake")),
    "WG311": (("Schlosserhammer", "Machinist's hammer"), ("Gummihammer", "Rubber mallet"),
              ("Fäustel", "Club hammer")),
    "WG312": (("Schraubendreher", "Screwdriver"), ("Bit-Schraubendreher", "Bit screwdriver"),
              ("Schraubendreher-Satz", "Screwdriver set")),
    "WG313": (("Kombizange", "Combination pliers"), ("Wasserpumpenzange", "Water pump pliers"),
              ("Seitenschneider", "Side cutter")),
    "WG321": (("Holzbohrer", "Wood drill bit"), ("Steinbohrer", "Masonry drill bit"),
              ("Bit-Satz", "Bit set")),
    "WG322": (("Stichsägeblatt", "Jigsaw blade"), ("Kreissägeblatt", "Circular saw blade")),
    "WG330": (("Zollstock", "Folding rule"), ("Wasserwaage", "Spirit level"),
              ("Maßband", "Tape measure")),
    "WG340": (("Holzschrauben", "Wood screws"), ("Dübel", "Wall plugs"), ("Nägel", "Nails")),
    "WG410": (("Kugelschreiber", "Ballpoint pen"), ("Bleistift", "Pencil"),
              ("Textmarker", "Highlighter")),
    "WG420": (("Kopierpapier", "Copy paper"), ("Notizblock", "Notepad"),
              ("Collegeblock", "Writing pad")),
    "WG430": (("Ordner", "Lever arch file"), ("Hängeregister", "Suspension file"),
              ("Briefablage", "Letter tray")),
    "WG440": (("Tacker", "Stapler"), ("Locher", "Hole punch"),
              ("Schreibtischlampe", "Desk lamp")),
    "WG510": (("Lichterkette", "Fairy lights"), ("Christbaumkugeln", "Baubles"),
              ("Adventskranz", "Advent wreath")),
    "WG520": (("Ostereier-Set", "Easter egg set"), ("Osterkranz", "Easter wreath")),
}  # fmt: skip


class Range(NamedTuple):
    """What the articles of one top-level group look like."""

    brands: tuple[str, ...]
    materials: tuple[tuple[str, str], ...]
    sizes: tuple[tuple[str, str], ...]
    area: str  # German: "ideal für ..."
    grams: tuple[int, int]  # weight range


RANGES: dict[str, Range] = {
    "WG100": Range(
        ("Küchenfreund", "Kochprofi", "Hausglück"),
        (("Edelstahl", "stainless steel"), ("Gusseisen", "cast iron"), ("Keramik", "ceramic"),
         ("Aluminium", "aluminium"), ("Buchenholz", "beech wood")),
        (("16 cm", "16 cm"), ("20 cm", "20 cm"), ("24 cm", "24 cm"), ("28 cm", "28 cm"),
         ("1,5 l", "1.5 l"), ("3 l", "3 l")),
        "Küche und Haushalt",
        (100, 4000),
    ),
    "WG200": Range(
        ("Gärtnerglück", "GrünWerk", "Gartenfreund"),
        (("Stahl", "steel"), ("Edelstahl", "stainless steel"), ("Kunststoff", "plastic"),
         ("Eschenholz", "ash wood"), ("Aluminium", "aluminium")),
        (("klein", "small"), ("mittel", "medium"), ("groß", "large"), ("10 m", "10 m"),
         ("25 m", "25 m")),
        "Garten, Balkon und Terrasse",
        (200, 8000),
    ),
    "WG300": Range(
        ("Werkfix", "Meisterhand", "ProBau"),
        (("Chrom-Vanadium", "chrome vanadium"), ("Stahl", "steel"), ("HSS", "HSS"),
         ("verzinkt", "galvanised")),
        (("Größe 1", "size 1"), ("Größe 2", "size 2"), ("300 g", "300 g"), ("500 g", "500 g"),
         ("6-teilig", "6 pieces"), ("100 Stück", "100 pieces")),
        "Werkstatt und Heimwerker",
        (50, 3000),
    ),
    "WG400": Range(
        ("Bürostar", "Schreibgut"),
        (("blau", "blue"), ("schwarz", "black"), ("rot", "red"), ("grün", "green"),
         ("recycelt", "recycled")),
        (("A4", "A4"), ("A5", "A5"), ("5er-Pack", "pack of 5"), ("10er-Pack", "pack of 10"),
         ("500 Blatt", "500 sheets")),
        "Büro, Schule und Homeoffice",
        (10, 2500),
    ),
    "WG500": Range(
        ("Festlicht", "Winterzauber"),
        (("warmweiß", "warm white"), ("rot", "red"), ("gold", "gold"), ("silber", "silver")),
        (("Ø 6 cm", "Ø 6 cm"), ("20 LEDs", "20 LEDs"), ("40 LEDs", "40 LEDs"),
         ("Ø 30 cm", "Ø 30 cm")),
        "die festliche Jahreszeit",
        (50, 1500),
    ),
}  # fmt: skip

_TEXT_INTROS = (
    "Robuste Qualität für {area}.",
    "Bewährt im täglichen Gebrauch – ideal für {area}.",
    "Langlebig, pflegeleicht und schön: passt perfekt für {area}.",
)

# Customers: (vorname, anrede)
VORNAMEN: tuple[tuple[str, str], ...] = (
    ("Anna", "Frau"), ("Jürgen", "Herr"), ("Sören", "Herr"), ("Käthe", "Frau"),
    ("Lukas", "Herr"), ("Marie", "Frau"), ("Björn", "Herr"), ("Jörg", "Herr"),
    ("Sophie", "Frau"), ("Günther", "Herr"), ("Leonie", "Frau"), ("Jonas", "Herr"),
    ("Hannah", "Frau"), ("Uwe", "Herr"), ("Renée", "Frau"), ("Felix", "Herr"),
    ("Ursula", "Frau"), ("Matthias", "Herr"), ("Lea", "Frau"), ("Dörte", "Frau"),
)  # fmt: skip
NACHNAMEN: tuple[str, ...] = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
    "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange",
    "Weiß", "Köhler", "Groß", "Jäger", "Böhm",
)  # fmt: skip
STRASSEN: tuple[str, ...] = (
    "Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Gartenweg", "Am Mühlbach",
    "Lindenallee", "Goethestraße", "Kirchplatz", "Birkenweg", "Rosenstraße", "Schloßallee",
    "Am Grünen Hang",
)  # fmt: skip
# (ort, leading two digits of its postal codes, telephone area code)
ORTE: tuple[tuple[str, str, str], ...] = (
    ("München", "80", "089"), ("Köln", "50", "0221"), ("Düsseldorf", "40", "0211"),
    ("Nürnberg", "90", "0911"), ("Lübeck", "23", "0451"), ("Göttingen", "37", "0551"),
    ("Würzburg", "97", "0931"), ("Hamburg", "22", "040"), ("Berlin", "10", "030"),
    ("Leipzig", "04", "0341"), ("Freiburg im Breisgau", "79", "0761"), ("Münster", "48", "0251"),
)  # fmt: skip
MAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org")

# --------------------------------------------------------------------------------------------
# Dirty rows: a fixed set, added on top of the clean data whatever the size
# --------------------------------------------------------------------------------------------

DIRTY_GP_BASE = 900_000  # dirty adress_nr / gp_id start above it, clear of the clean ones

LONG_ARTIKEL_NR = "A-12345678901234"
LONG_NAME = "Gartenschlauch-Set mit Schnellkupplung, Brause, Wandhalterung und 25 m Schlauch, grün"
LONG_NACHNAME = "Freiherr von Hohenfels-Wartenberg zu Schönau-Rieding am Main"
assert len(LONG_NACHNAME) == 60  # the column's full width


@dataclass(frozen=True)
class DirtyCase:
    """A row that is wrong on purpose: ``key`` is its primary key (gp_id as text)."""

    table: str
    key: str
    reason: str


@dataclass
class DemoSummary:
    """What ``generate`` wrote: rows per table and the deliberately dirty rows."""

    seed: int
    articles: int
    counts: dict[str, int] = field(default_factory=dict)
    dirty: list[DirtyCase] = field(default_factory=list)

    def dirty_keys(self, table_name: str) -> dict[str, str]:
        """Dirty keys of one table with their reasons (several reasons are joined)."""
        out: dict[str, str] = {}
        for case in self.dirty:
            if case.table == table_name:
                previous = out.get(case.key)
                out[case.key] = f"{previous}; {case.reason}" if previous else case.reason
        return out

    @property
    def dirty_articles(self) -> dict[str, str]:
        return self.dirty_keys("artikel")

    @property
    def dirty_groups(self) -> dict[str, str]:
        return self.dirty_keys("warengruppe")

    @property
    def dirty_contacts(self) -> dict[str, str]:
        return self.dirty_keys("gespraechspartner")

    def format(self) -> str:
        lines = [f"BO demo data: seed {self.seed}, {self.articles} clean articles"]
        lines += [f"  {name:<18} {count:>8}" for name, count in self.counts.items()]
        lines.append("deliberately dirty rows:")
        lines += [f"  {c.table}/{c.key}: {c.reason}" for c in self.dirty]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


def group_count(articles: int) -> int:
    """Groups grow mildly with the assortment: 20 up to the whole catalogue (43)."""
    return min(len(GROUPS), max(MIN_GROUPS, articles // 500))


def _select_groups(count: int) -> list[Group]:
    chosen = {g.nr for g in GROUPS if g.core} | set(EXTRA_ORDER[: count - MIN_GROUPS])
    return [g for g in GROUPS if g.nr in chosen]


def _top(nr: str, parents: dict[str, str | None]) -> str:
    parent = parents[nr]
    while parent is not None:
        nr, parent = parent, parents[parent]
    return nr


def _cents(value: int) -> float:
    return round(value / 100, 2)


def _shop_price_cents(net_cents: int, satz: int) -> int:
    """Gross price rounded down to ``x.99``."""
    gross = net_cents * (100 + satz) // 100
    return max(gross // 100, 0) * 100 + 99


def _mail_local(text_value: str) -> str:
    out = text_value.lower()
    for src, dst in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("é", "e")):
        out = out.replace(src, dst)
    return "".join(ch for ch in out if ch.isascii() and (ch.isalnum() or ch in ".-"))


class _Builder:
    """Collects the rows of every table in memory; ``write`` inserts them."""

    def __init__(self, articles: int, seed: int, base_time: datetime) -> None:
        if base_time.microsecond:
            raise ValueError("base_time must not carry microseconds")
        self.rng = random.Random(seed)
        self.articles = articles
        self.ts = base_time
        self.rows: dict[str, list[Row]] = {name: [] for name in reference_table_names()}
        self.dirty: list[DirtyCase] = []
        self.leaves: list[str] = []
        self.leaf_nouns: dict[str, tuple[tuple[str, str], ...]] = {}
        self.parents: dict[str, str | None] = {}
        self.emails: set[str] = set()

    # -- master data ------------------------------------------------------------------------

    def master_data(self) -> None:
        self.rows["staat"] = [
            {"staat_id": i, "iso2": iso, "bezeichnung": name, "osc_countries_id": osc}
            for i, iso, name, osc in STAATEN
        ]
        self.rows["umsatzsteuer"] = [
            {"ust_schluessel": k, "bezeichnung": name, "satz": satz, "osc_tax_class_id": osc}
            for k, name, satz, osc in UMSATZSTEUER
        ]

    def groups(self) -> None:
        groups = _select_groups(group_count(self.articles))
        self.parents = {g.nr: g.parent for g in GROUPS}
        chosen = {g.nr for g in groups}
        parents_of_chosen = {g.parent for g in groups}
        sibling_rank: dict[str | None, int] = {}
        for g in groups:
            sibling_rank[g.parent] = sibling_rank.get(g.parent, 0) + 1
            self._group_row(
                g.nr,
                g.parent,
                g.name_de,
                g.name_en,
                10 * sibling_rank[g.parent],
                0 if _top(g.nr, self.parents) == OFFLINE_SUBTREE else 1,
            )
            if g.name_en is None:
                self.dirty.append(
                    DirtyCase(
                        "warengruppe", g.nr, "no English text (sync falls back to the German name)"
                    )
                )
            if g.nr == LONG_NAME_GROUP:
                self.dirty.append(
                    DirtyCase(
                        "warengruppe",
                        g.nr,
                        "German name longer than 32 characters (categories_name varchar(32))",
                    )
                )
            if g.nr not in parents_of_chosen:
                nouns = [n for nr, ns in NOUNS.items() if self._within(nr, g.nr) for n in ns]
                self.leaves.append(g.nr)
                self.leaf_nouns[g.nr] = tuple(nouns)
        assert all(p is None or p in chosen for p in parents_of_chosen)

        # A cycle: each group is the other's parent, both in the web.
        self._group_row("WG901", "WG902", "Restposten", "Clearance", 10, 1)
        self._group_row("WG902", "WG901", "Sonderposten", "Special items", 20, 1)
        for nr in ("WG901", "WG902"):
            self.dirty.append(DirtyCase("warengruppe", nr, "product-group cycle WG901 <-> WG902"))

    def _within(self, nr: str, ancestor: str) -> bool:
        current: str | None = nr
        while current is not None:
            if current == ancestor:
                return True
            current = self.parents[current]
        return False

    def _group_row(
        self, nr: str, parent: str | None, de: str, en: str | None, sortierung: int, im_web: int
    ) -> None:
        self.rows["warengruppe"].append({
            "warengruppe_nr": nr, "bezeichnung": de, "ober_warengruppe_nr": parent,
            "sortierung": sortierung, "im_web": im_web, "osc_categories_id": None,
            "osc_abgleich_stand": None, "geaendert_am": self.ts,
        })  # fmt: skip
        texts = [("D", de)] + ([("E", en)] if en is not None else [])
        self.rows["warengruppe_text"] += [
            {"warengruppe_nr": nr, "sprache": lang, "bezeichnung": name, "geaendert_am": self.ts}
            for lang, name in texts
        ]

    # -- articles ---------------------------------------------------------------------------

    def clean_articles(self) -> None:
        rng = self.rng
        i = 1
        while i <= self.articles:
            group = rng.choice(self.leaves)
            rng_def = RANGES[_top(group, self.parents)]
            noun_de, noun_en = rng.choice(self.leaf_nouns[group])
            brand = rng.choice(rng_def.brands)
            mat_de, mat_en = rng.choice(rng_def.materials)
            ust = "2" if rng.random() < 0.08 else "1"
            base_cents = rng.randint(149, 4999) if rng.random() < 0.85 else rng.randint(5000, 19999)
            family = rng.randint(3, 4) if rng.random() < 0.03 else 1  # master + variants
            family = min(family, self.articles - i + 1)
            sizes = rng.sample(rng_def.sizes, family)
            master_nr = f"A-{i:06d}"
            for j, (size_de, size_en) in enumerate(sizes):
                nr = f"A-{i + j:06d}"
                name_de = f"{brand} {noun_de} {mat_de}, {size_de}"
                name_en = f"{brand} {noun_en}, {mat_en}, {size_en}"
                net = base_cents * (4 + j) // 4
                gewicht = rng.randint(*rng_def.grams) / 1000
                # a merchant takes an offline group's articles off the web too; a few are
                # forgotten there and get set aside ("product group not in the web")
                offline = _top(group, self.parents) == OFFLINE_SUBTREE
                im_web = 1 if rng.random() < (0.02 if offline else 0.90) else 0
                self._article(
                    nr,
                    name_de,
                    group,
                    ust,
                    listenpreis=_cents(net),
                    ladenpreis=_cents(_shop_price_cents(net, _UST_SATZ[ust])),
                    gewicht=gewicht,
                    bildpfad=f"artikel/{nr.lower()}.jpg" if rng.random() < 0.95 else None,
                    im_web=im_web,
                    web_sichtbar=1 if rng.random() < 0.95 else 0,
                    master_id=master_nr if j else None,
                )
                if im_web:
                    intro = rng.choice(_TEXT_INTROS).format(area=rng_def.area)
                    kg = f"{gewicht:.3f}".replace(".", ",")
                    text_de = (
                        f"{name_de}. {intro} Material: {mat_de}. Maße/Größe: {size_de}. "
                        f"Gewicht: {kg} kg. Versandkostenfrei ab 50 € Bestellwert."
                    )
                    self._text(nr, "D", name_de, text_de)
                    if rng.random() < 0.85:
                        text_en = (
                            f"{name_en}. Quality {mat_en} for everyday use. Size: "
                            f"{size_en}. Weight: {gewicht:.3f} kg. Free shipping from €50."
                        )
                        self._text(nr, "E", name_en, text_en)
                self._stock(nr)
            i += family

    def _article(
        self,
        nr: str,
        name: str,
        group: str | None,
        ust: str | None,
        *,
        listenpreis: float | None,
        ladenpreis: float | None,
        gewicht: float | None,
        bildpfad: str | None,
        im_web: int = 1,
        web_sichtbar: int = 1,
        master_id: str | None = None,
    ) -> None:
        self.rows["artikel"].append({
            "artikel_nr": nr, "bezeichnung": name, "warengruppe_nr": group,
            "ust_schluessel": ust, "listenpreis": listenpreis, "ladenpreis": ladenpreis,
            "gewicht": gewicht, "bildpfad": bildpfad, "im_web": im_web,
            "web_sichtbar": web_sichtbar, "master_id": master_id, "osc_products_id": None,
            "osc_abgleich_stand": None, "osc_menge": None, "geaendert_am": self.ts,
        })  # fmt: skip

    def _text(self, nr: str, lang: str, name: str, internettext: str) -> None:
        self.rows["artikel_text"].append({
            "artikel_nr": nr, "sprache": lang, "bezeichnung": name,
            "internettext": internettext, "geaendert_am": self.ts,
        })  # fmt: skip

    def _stock(self, nr: str, hl_bestand: int | None = None) -> None:
        rng = self.rng
        bestand = hl_bestand
        if bestand is None:
            bestand = 0 if rng.random() < 0.10 else rng.randint(1, 250)
        roll = rng.random()
        if roll < 0.02:
            reserviert = bestand + rng.randint(1, 5)  # over-reserved: available < 0
        elif roll < 0.20:
            reserviert = rng.randint(0, max(bestand, 0))
        else:
            reserviert = 0
        self._stock_row(nr, "HL", bestand, reserviert)
        if rng.random() < 0.30:
            self._stock_row(nr, "AL", rng.randint(0, 100), 0)

    def _stock_row(self, nr: str, lager: str, bestand: int, reserviert: int) -> None:
        self.rows["lagerbestand"].append({
            "artikel_nr": nr, "lager_nr": lager, "bestand": bestand, "reserviert": reserviert,
            "geaendert_am": self.ts,
        })  # fmt: skip

    def dirty_articles(self) -> None:
        def leaf(preferred: str, fallback: str) -> str:
            return preferred if preferred in self.leaves else fallback

        grill, hose = leaf("WG231", "WG230"), leaf("WG221", "WG220")
        text_de = "Solide Verarbeitung, pflegeleicht und langlebig. Versandkostenfrei ab 50 €."

        def add(
            nr: str,
            reason: str,
            name: str,
            name_en: str,
            group: str | None,
            *,
            ust: str = "1",
            listen: float | None = 16.8,
            laden: float | None = 19.99,
            internettext: str = text_de,
            hl_bestand: int = 10,
        ) -> None:
            self._article(
                nr,
                name,
                group,
                ust,
                listenpreis=listen,
                ladenpreis=laden,
                gewicht=0.8,
                bildpfad=f"artikel/{nr.lower()}.jpg",
            )
            self._text(nr, "D", name, internettext)
            self._text(nr, "E", name_en, "Solid make, easy care, long-lasting.")
            self._stock_row(nr, "HL", hl_bestand, 0)
            self.dirty.append(DirtyCase("artikel", nr, reason))

        add(
            LONG_ARTIKEL_NR,
            "article number longer than 12 characters (products_model)",
            "Kochtopf Edelstahl, 20 cm",
            "Cooking pot, stainless steel, 20 cm",
            "WG111",
        )
        add(
            "X-000001",
            "name longer than 64 characters (products_name)",
            LONG_NAME,
            "Garden hose set, 25 m",
            hose,
        )
        add(
            "X-000002",
            "no price (listenpreis and ladenpreis NULL)",
            "Bratpfanne Gusseisen, 28 cm",
            "Frying pan, cast iron, 28 cm",
            "WG112",
            listen=None,
            laden=None,
        )
        add(
            "X-000003",
            "negative price",
            "Spaten Eschenholz, groß",
            "Spade, ash wood, large",
            "WG211",
            listen=-12.5,
            laden=-14.99,
        )
        add(
            "X-000004",
            "negative stock (bestand -5 in HL)",
            "Milchtopf Edelstahl, 16 cm",
            "Milk pan, stainless steel, 16 cm",
            "WG111",
            hl_bestand=-5,
        )
        add(
            "X-000005",
            "unknown tax key '7'",
            "Vorratsdose Keramik, 1,5 l",
            "Storage jar, ceramic, 1.5 l",
            "WG130",
            ust="7",
        )
        add(
            "X-000006",
            "tax key '0' has no shop tax class",
            "Geschenkgutschein Gartenberatung",
            "Gift voucher garden consultation",
            "WG211",
            ust="0",
            listen=25.0,
            laden=25.0,
        )
        add(
            "X-000007",
            "unknown warengruppe 'WG999'",
            "Überraschungspaket Haushalt",
            "Household surprise box",
            "WG999",
        )
        add(
            "X-000008",
            "emoji (4-byte character) in the name",
            "Grillzange 🔥",
            "Barbecue tongs",
            grill,
        )
        add(
            "X-000009",
            "emoji (4-byte character) in the internet text",
            "Bio-Saatgut Kräutermischung",
            "Organic herb seed mix",
            "WG211",
            ust="2",
            listen=2.33,
            laden=2.49,
            internettext="Zwölf Kräuter für Balkon und Beet 🌱 – keimfreudig, nur 2,49 €.",
        )
        add(
            "X-000010",
            "in warengruppe WG901, part of a group cycle",
            "Restposten Bratpfanne, 24 cm",
            "Clearance frying pan, 24 cm",
            "WG901",
        )

    # -- customers --------------------------------------------------------------------------

    def customers(self) -> None:
        rng = self.rng
        for i in range(1, max(20, self.articles // 10) + 1):
            vorname, anrede = rng.choice(VORNAMEN)
            nachname = rng.choice(NACHNAMEN)
            ort, plz_prefix, vorwahl = rng.choice(ORTE)
            domain = rng.choice(MAIL_DOMAINS)
            local = f"{_mail_local(vorname)}.{_mail_local(nachname)}"
            email, k = f"{local}@{domain}", 1
            while email in self.emails:
                k += 1
                email = f"{local}{k}@{domain}"
            self._customer(
                10_000 + i,
                i,
                anrede,
                vorname,
                nachname,
                email,
                strasse=f"{rng.choice(STRASSEN)} {rng.randint(1, 120)}",
                plz=f"{plz_prefix}{rng.randint(0, 999):03d}",
                ort=ort,
                staat_id=STAAT_DE,
                telefon=f"{vorwahl} {rng.randint(100000, 9999999)}",
                geburtstag=(
                    date(rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28))
                    if rng.random() < 0.4
                    else None
                ),
                newsletter=1 if rng.random() < 0.3 else 0,
                im_web=1 if rng.random() < 0.85 else 0,
            )

    def _customer(
        self,
        adress_nr: int,
        gp_id: int,
        anrede: str,
        vorname: str,
        nachname: str,
        email: str | None,
        *,
        strasse: str,
        plz: str | None,
        ort: str,
        staat_id: int,
        telefon: str,
        geburtstag: date | None = None,
        newsletter: int = 0,
        im_web: int = 1,
    ) -> None:
        if email:
            self.emails.add(email)
        self.rows["adresse"].append({
            "adress_nr": adress_nr, "firma": None, "strasse": strasse, "plz": plz, "ort": ort,
            "staat_id": staat_id, "region": None, "telefon": telefon, "geaendert_am": self.ts,
        })  # fmt: skip
        self.rows["gespraechspartner"].append({
            "gp_id": gp_id, "adress_nr": adress_nr, "anrede": anrede, "vorname": vorname,
            "nachname": nachname, "email": email, "geburtstag": geburtstag,
            "newsletter": newsletter, "im_web": im_web, "osc_customers_id": None,
            "osc_abgleich_stand": None, "geaendert_am": self.ts,
        })  # fmt: skip

    def dirty_customers(self) -> None:
        first = self.rows["gespraechspartner"][0]
        local, domain = first["email"].split("@")
        dup_email = ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.upper()
        cases = (
            (
                "Frau",
                "Sonja 🌻",
                "Blum",
                "sonja.blum@example.net",
                STAAT_DE,
                "80331",
                "München",
                "emoji (4-byte character) in the first name",
            ),
            (
                "Herr",
                "Peter",
                "Vogt",
                dup_email,
                STAAT_DE,
                "50667",
                "Köln",
                f"e-mail of gp_id {first['gp_id']} in different case",
            ),
            (
                "Herr",
                "Marco",
                "Frick",
                "marco.frick@example.com",
                STAAT_LI,
                "9490",
                "Vaduz",
                "country LI has no shop mapping",
            ),
            (
                "Herr",
                "Konstantin",
                LONG_NACHNAME,
                "k.hohenfels@example.org",
                STAAT_DE,
                "79098",
                "Freiburg im Breisgau",
                "last name of 60 characters (fits 2.3.4.1 varchar(255); osCommerce 2.2 had 32)",
            ),
        )
        more = (
            ("Frau", "Ida", "Ohnemail", None, STAAT_DE, "10115", "Berlin", "no e-mail address"),
            ("Herr", "Kai", "Falsch", "kai.falsch@", STAAT_DE, "10117", "Berlin",
             "invalid e-mail address"),
            ("Frau", "Eva", "Leer", "  eva.leer@example.com ", STAAT_DE, "20095", "Hamburg",
             "e-mail with stray spaces"),
            ("Herr", "Otto", "Ohneplz", "otto.ohneplz@example.com", STAAT_DE, None, "Bremen",
             "no postal code: no default password possible"),
        )  # fmt: skip
        birthdays = {
            len(cases) + len(more) + 1: date(2999, 1, 1),
            len(cases) + len(more) + 2: date(1850, 5, 1),
        }
        dated = (
            ("Frau", "Zukunft", "Geboren", "z.geboren@example.com", STAAT_DE, "01067", "Dresden",
             "birthday in the future"),
            ("Herr", "Uralt", "Geboren", "u.geboren@example.com", STAAT_DE, "01069", "Dresden",
             "birthday before 1900"),
        )  # fmt: skip
        for n, (anrede, vorname, nachname, email, staat, plz, ort, reason) in enumerate(
            (*cases, *more, *dated), 1
        ):
            key = DIRTY_GP_BASE + n
            self._customer(
                key,
                key,
                anrede,
                vorname,
                nachname,
                email,
                strasse="Hauptstraße 1",
                plz=plz,
                ort=ort,
                staat_id=staat,
                telefon="0800 123456",
                geburtstag=birthdays.get(n),
            )
            self.dirty.append(DirtyCase("gespraechspartner", str(key), reason))

    # -- output -----------------------------------------------------------------------------

    def build(self) -> None:
        if self.articles < 0 or self.articles >= 1_000_000:
            raise ValueError("articles must be between 0 and 999999 (artikel_nr A-000001)")
        self.master_data()
        self.groups()
        self.clean_articles()
        self.dirty_articles()
        self.customers()
        self.dirty_customers()
        self.number_ranges()

    def number_ranges(self) -> None:
        """BO's Nummernkreise continue after the numbers the demo data uses."""
        self.rows["nummernkreis"] = [
            {"name": "adresse", "letzte_nr": max(r["adress_nr"] for r in self.rows["adresse"])},
            {
                "name": "gespraechspartner",
                "letzte_nr": max(r["gp_id"] for r in self.rows["gespraechspartner"]),
            },
            {"name": "auftrag", "letzte_nr": 0},
        ]

    def write(self, engine: sqlalchemy.Engine, batch_size: int = 5000) -> dict[str, int]:
        counts: dict[str, int] = {}
        with engine.begin() as conn:
            for name, rows in self.rows.items():
                if rows:
                    _insert(conn, name, rows, batch_size)
                    counts[name] = len(rows)
        return counts


def _insert(conn: sqlalchemy.Connection, name: str, rows: Sequence[Row], batch_size: int) -> None:
    columns = list(rows[0])
    statement = text(
        f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    )
    for start in range(0, len(rows), batch_size):
        conn.execute(statement, list(rows[start : start + batch_size]))


def generate(
    engine: sqlalchemy.Engine,
    articles: int = 200,
    seed: int = 7,
    base_time: datetime = DEFAULT_BASE_TIME,
) -> DemoSummary:
    """Fill the (existing, empty) reference schema with demo data; one transaction.

    ``articles`` clean articles are generated; the dirty ones come on top.
    """
    builder = _Builder(articles, seed, base_time)
    builder.build()
    counts = builder.write(engine)
    return DemoSummary(seed=seed, articles=articles, counts=counts, dirty=builder.dirty)


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def _existing_tables(engine: sqlalchemy.Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) & set(reference_table_names())


def _row_count(engine: sqlalchemy.Engine, names: Iterable[str]) -> int:
    with engine.connect() as conn:
        return sum(
            conn.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bo_oscommerce.bo.demo_data",
        description="Fill a reference BO database with deterministic demo data.",
    )
    parser.add_argument("--url", required=True, help="SQLAlchemy URL, e.g. sqlite:///bo.db")
    parser.add_argument("--articles", type=int, default=200, help="clean articles (default 200)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--base-time",
        type=datetime.fromisoformat,
        default=DEFAULT_BASE_TIME,
        help="geaendert_am of every row (default 2026-11-01T08:00:00)",
    )
    parser.add_argument(
        "--reset", action="store_true", help="drop and recreate the reference tables first"
    )
    args = parser.parse_args(argv)

    engine = sqlalchemy.create_engine(args.url)
    try:
        if args.reset:
            drop_reference_schema(engine)
        existing = _existing_tables(engine)
        if not existing:
            create_reference_schema(engine)
        elif existing != set(reference_table_names()):
            parser.error(f"incomplete reference schema ({len(existing)} tables); use --reset")
        elif _row_count(engine, existing):
            parser.error("the reference tables already hold data; use --reset")
        summary = generate(engine, args.articles, args.seed, args.base_time)
    finally:
        engine.dispose()
    print(summary.format())
    return 0


if __name__ == "__main__":
    sys.exit(main())
