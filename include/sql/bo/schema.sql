-- Reference BO (Business OPEN) schema used by the demo and the tests.
--
-- BO's real schema is proprietary. These tables model the parts the osCommerce interface
-- reads and writes, in BO's own vocabulary. An installation does not create them: it adapts
-- the statements next to this file (extract_*.sql, writeback_*.sql, reset_*.sql) to its BO.
-- Portable SQL: runs unchanged on SQLite, MariaDB/MySQL and PostgreSQL.
--
-- Conventions
--   geaendert_am        change marker, set by BO on every change of the row
--   osc_*               osCommerce ids and flags; "reset" clears them (reset_osc_ids.sql)
--   osc_abgleich_stand  the geaendert_am value the shop was last synced from; a row is due for
--                       the incremental sync when geaendert_am is newer (or it was never synced).
--                       Give it the precision of geaendert_am (e.g. both TIMESTAMP(6)).
--   osc_texte           how many text rows (per language) the shop was last synced from: a
--                       deleted text makes the row due, though no geaendert_am changed
--   osc_ausgesondert    what the checks saw when they set the article aside (its marker, text
--                       count, the check context and the reasons): an incremental run does not
--                       check it again until one of them changes; NULL once it is loaded
--   osc_bild            what the images step last sent for the article (a hash of bildpfad, the
--                       file's size, modification time and content hash, the shop's file name)

-- Staat: countries, mapped to osCommerce countries
CREATE TABLE staat (
    staat_id          INTEGER      NOT NULL PRIMARY KEY,
    iso2              CHAR(2)      NOT NULL,
    bezeichnung       VARCHAR(60)  NOT NULL,
    osc_countries_id  INTEGER
);

-- Umsatzsteuer: VAT keys, mapped to osCommerce tax classes
CREATE TABLE umsatzsteuer (
    ust_schluessel    VARCHAR(4)   NOT NULL PRIMARY KEY,
    bezeichnung       VARCHAR(40)  NOT NULL,
    satz              NUMERIC(5,2) NOT NULL,
    osc_tax_class_id  INTEGER
);

-- Warengruppe: product groups, a tree by ober_warengruppe_nr
CREATE TABLE warengruppe (
    warengruppe_nr       VARCHAR(20)  NOT NULL PRIMARY KEY,
    bezeichnung          VARCHAR(80)  NOT NULL,
    ober_warengruppe_nr  VARCHAR(20),
    sortierung           INTEGER      NOT NULL DEFAULT 0,
    im_web               SMALLINT     NOT NULL DEFAULT 0,
    osc_categories_id    INTEGER,
    osc_abgleich_stand   TIMESTAMP NULL,
    osc_texte            INTEGER,
    geaendert_am         TIMESTAMP    NOT NULL
);

-- Warengruppe names per language (sprache: BO language key, e.g. 'D', 'E')
CREATE TABLE warengruppe_text (
    warengruppe_nr  VARCHAR(20)  NOT NULL,
    sprache         VARCHAR(2)   NOT NULL,
    bezeichnung     VARCHAR(80)  NOT NULL,
    geaendert_am    TIMESTAMP    NOT NULL,
    PRIMARY KEY (warengruppe_nr, sprache)
);

-- Artikel: articles
CREATE TABLE artikel (
    artikel_nr          VARCHAR(30)   NOT NULL PRIMARY KEY,
    bezeichnung         VARCHAR(120)  NOT NULL,
    warengruppe_nr      VARCHAR(20),
    ust_schluessel      VARCHAR(4),
    listenpreis         NUMERIC(15,4),
    ladenpreis          NUMERIC(15,4),
    gewicht             NUMERIC(9,3),
    bildpfad            VARCHAR(255),
    im_web              SMALLINT      NOT NULL DEFAULT 0,
    web_sichtbar        SMALLINT      NOT NULL DEFAULT 1,
    master_id           VARCHAR(30),
    osc_products_id     INTEGER,
    osc_abgleich_stand  TIMESTAMP NULL,
    osc_menge           INTEGER,
    osc_texte           INTEGER,
    osc_ausgesondert    VARCHAR(255),
    osc_bild            VARCHAR(255),
    geaendert_am        TIMESTAMP     NOT NULL
);
-- lookups by shop id; with the change stamp it also answers the drift check's look at the
-- linked articles alone (look_artikel_verknuepft.sql)
CREATE INDEX idx_artikel_osc_products_id ON artikel (osc_products_id, geaendert_am);

-- Internet texts per article and language
CREATE TABLE artikel_text (
    artikel_nr    VARCHAR(30)   NOT NULL,
    sprache       VARCHAR(2)    NOT NULL,
    bezeichnung   VARCHAR(120),
    internettext  TEXT,
    geaendert_am  TIMESTAMP     NOT NULL,
    PRIMARY KEY (artikel_nr, sprache)
);
-- an incremental run asks per article whether a text changed since its last sync, and how
-- many texts it has: both answered from this index alone
CREATE INDEX idx_artikel_text_stand ON artikel_text (artikel_nr, geaendert_am);
-- the look that spares those questions while no text changed (look_artikel_texte.sql)
CREATE INDEX idx_artikel_text_geaendert_am ON artikel_text (geaendert_am);

-- Lagerbestand: stock per warehouse; available = bestand - reserviert
CREATE TABLE lagerbestand (
    artikel_nr    VARCHAR(30)    NOT NULL,
    lager_nr      VARCHAR(10)    NOT NULL,
    bestand       NUMERIC(15,3)  NOT NULL DEFAULT 0,
    reserviert    NUMERIC(15,3)  NOT NULL DEFAULT 0,
    geaendert_am  TIMESTAMP      NOT NULL,
    PRIMARY KEY (artikel_nr, lager_nr)
);
CREATE INDEX idx_lagerbestand_geaendert_am ON lagerbestand (geaendert_am);

-- Adresse: customers (and suppliers) of BO; region: Bundesland / state (the shop's zone)
CREATE TABLE adresse (
    adress_nr     INTEGER       NOT NULL PRIMARY KEY,
    firma         VARCHAR(80),
    strasse       VARCHAR(80),
    plz           VARCHAR(10),
    ort           VARCHAR(60),
    staat_id      INTEGER,
    region        VARCHAR(60),
    telefon       VARCHAR(40),
    geaendert_am  TIMESTAMP     NOT NULL
);

-- Gespraechspartner: contact persons of an Adresse; a web contact becomes a shop customer
CREATE TABLE gespraechspartner (
    gp_id               INTEGER       NOT NULL PRIMARY KEY,
    adress_nr           INTEGER       NOT NULL,
    anrede              VARCHAR(10),
    vorname             VARCHAR(60),
    nachname            VARCHAR(60)   NOT NULL,
    email               VARCHAR(120),
    geburtstag          DATE,
    newsletter          SMALLINT      NOT NULL DEFAULT 0,
    im_web              SMALLINT      NOT NULL DEFAULT 0,
    osc_customers_id    INTEGER,
    osc_abgleich_stand  TIMESTAMP NULL,
    geaendert_am        TIMESTAMP     NOT NULL
);
CREATE INDEX idx_gp_email ON gespraechspartner (email);
-- one BO contact per shop customer: a shop customer is never created twice in BO
CREATE UNIQUE INDEX uq_gp_osc_customers_id ON gespraechspartner (osc_customers_id);

-- osc_kunde: per contact linked to a shop customer, what the sync knows of the link. It writes
-- BO's data into the account only when bestaetigt = 1 (it created the account, BO's contact
-- came from it, or the link was confirmed); osc_address_book_id is the one address book entry
-- it writes; stand_bo and stand_shop hold, per field (names, gender, birthday, telephone,
-- newsletter, address), the value each side held after the last sync (JSON), so that each run
-- tells a change in BO from a change the customer made in the shop; willkommen_offen = 1: the
-- welcome e-mail with the password link (initial_password: reset_link) is still to be sent.
CREATE TABLE osc_kunde (
    gp_id                INTEGER      NOT NULL PRIMARY KEY,
    osc_customers_id     INTEGER      NOT NULL,
    osc_address_book_id  INTEGER,
    bestaetigt           SMALLINT     NOT NULL DEFAULT 0,
    willkommen_offen     SMALLINT     NOT NULL DEFAULT 0,
    stand_bo             TEXT,
    stand_shop           TEXT,
    geaendert_am         TIMESTAMP    NOT NULL
);

-- Nummernkreise: BO hands out numbers (adress_nr, gp_id, auftrag_nr ...) from number ranges
CREATE TABLE nummernkreis (
    name       VARCHAR(30)  NOT NULL PRIMARY KEY,
    letzte_nr  INTEGER      NOT NULL
);

-- osc_bindung: every link the sync made, per entity and BO key, with the natural key the shop
-- row carried when it was last written ("<parent id>/<name>" of a category, a model, an
-- e-mail). It outlives a deleted BO row, so that row's shop row can be hidden, and it keeps a
-- renamed group's old key, so its category is still recognised. Written with the osc_* ids.
CREATE TABLE osc_bindung (
    entitaet        VARCHAR(20)   NOT NULL,
    bo_schluessel   VARCHAR(40)   NOT NULL,
    osc_id          INTEGER       NOT NULL,
    osc_schluessel  VARCHAR(255)  NOT NULL,
    PRIMARY KEY (entitaet, bo_schluessel)
);

-- Auftrag: sales orders; osc_orders_id is unique so a shop order can be imported only once.
-- Amounts in the shop's default currency: summe_brutto what the buyer paid, summe_steuer all
-- VAT in it (lines, shipping, fees), summe_netto the rest; versandkosten the net shipping with
-- its own rate versand_ust_satz. bemerkung is the buyer's comment, zahlungsinfo what the
-- payment module recorded (PayPal's transaction lines). osc_status_bei_import is the shop
-- status the order had when it was imported, osc_status_gemeldet the shop status the sync
-- last set or found (Processing, Delivered, or one the merchant set by hand)
CREATE TABLE auftrag (
    auftrag_nr           INTEGER        NOT NULL PRIMARY KEY,
    adress_nr            INTEGER        NOT NULL,
    gp_id                INTEGER,
    auftragsdatum        TIMESTAMP      NOT NULL,
    email                VARCHAR(120),
    liefer_name          VARCHAR(120),
    liefer_firma         VARCHAR(80),
    liefer_strasse       VARCHAR(80),
    liefer_plz           VARCHAR(10),
    liefer_ort           VARCHAR(60),
    liefer_staat_id      INTEGER,
    rechnung_name        VARCHAR(120),
    rechnung_firma       VARCHAR(80),
    rechnung_strasse     VARCHAR(80),
    rechnung_plz         VARCHAR(10),
    rechnung_ort         VARCHAR(60),
    rechnung_staat_id    INTEGER,
    zahlungsart          VARCHAR(60),
    waehrung             CHAR(3),
    waehrungsfaktor      NUMERIC(14,6),
    bemerkung            TEXT,
    zahlungsinfo         TEXT,
    summe_netto          NUMERIC(15,4),
    summe_steuer         NUMERIC(15,4),
    summe_brutto         NUMERIC(15,4),
    versandkosten        NUMERIC(15,4),
    versand_ust_satz     NUMERIC(5,2),
    osc_orders_id        INTEGER,
    osc_status_bei_import INTEGER,
    osc_status_gemeldet  INTEGER,
    geaendert_am         TIMESTAMP      NOT NULL,
    CONSTRAINT uq_auftrag_osc_orders_id UNIQUE (osc_orders_id)
);

CREATE TABLE auftragsposition (
    auftrag_nr          INTEGER        NOT NULL,
    pos_nr              INTEGER        NOT NULL,
    artikel_nr          VARCHAR(30),
    bezeichnung         VARCHAR(120)   NOT NULL,
    menge               NUMERIC(15,3)  NOT NULL,
    einzelpreis_netto   NUMERIC(15,4)  NOT NULL,
    ust_satz            NUMERIC(5,2)   NOT NULL,
    PRIMARY KEY (auftrag_nr, pos_nr)
);

-- Lieferschein: delivery notes with the parcel's tracking number (sendungsnummer);
-- vollstaendig = 1 marks the note that completes the order's delivery (Endlieferung): it
-- makes the shop status "Delivered". Partial deliveries (vollstaendig = 0) leave it alone.
CREATE TABLE lieferschein (
    lieferschein_nr  INTEGER      NOT NULL PRIMARY KEY,
    auftrag_nr       INTEGER      NOT NULL,
    lieferdatum      TIMESTAMP    NOT NULL,
    sendungsnummer   VARCHAR(60),
    vollstaendig     SMALLINT     NOT NULL DEFAULT 1,
    geaendert_am     TIMESTAMP    NOT NULL
);

-- Rechnung: invoices stay in BO; listed for completeness of the order flow
CREATE TABLE rechnung (
    rechnung_nr     INTEGER        NOT NULL PRIMARY KEY,
    auftrag_nr      INTEGER        NOT NULL,
    rechnungsdatum  TIMESTAMP      NOT NULL,
    summe_brutto    NUMERIC(15,4)  NOT NULL
);
