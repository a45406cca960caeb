"""E-mail addresses as the shop sees them.

- **Equal** as the shop's column compares them: its collation (read from the shop). MySQL's
  ``*_ci`` collations ignore case and accents (``rené`` equals ``rene``; ``unicode_ci``: ``ß``
  equals ``ss``, ``general_ci``: ``s``), every PAD SPACE collation (all but ``*_nopad_*``)
  ignores trailing spaces, ``*_bin`` compares the characters. ``login.php`` and
  ``create_account.php`` find an account by that comparison, so two addresses equal under it
  are one login.
- **Valid** as ``tep_validate_email`` finds it: trimmed, at most 255 characters, and what
  PHP's ``filter_var(FILTER_VALIDATE_EMAIL)`` accepts: an ASCII local part (dot-atoms or
  quoted strings, at most 64 characters) and a domain of letter-digit-hyphen labels of at most
  63 characters with a top-level label that starts with a letter, or an address literal. An
  address with an accent is refused by the shop's own forms.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

DEFAULT_COLLATION = "utf8mb3_unicode_ci"  # osCommerce 2.3's own tables
_ATOM = r"[\x21\x23-\x27\x2A\x2B\x2D\x2F-\x39\x3D\x3F\x5E-\x7E]+"
_QUOTED = r'"(?:[\x01-\x08\x0B\x0C\x0E-\x1F\x21\x23-\x5B\x5D-\x7F]|\\[\x00-\x7F])*"'
_WORD = rf"(?:{_ATOM}|{_QUOTED})"
_LABELS = r"(?:(?:xn--)?[a-z0-9]+(?:-+[a-z0-9]+)*\.){1,126}"
_TOP = r"(?:[a-z][a-z0-9]*|xn--[a-z0-9]+)(?:-+[a-z0-9]+)*"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_LITERAL = rf"\[(?:{_OCTET}(?:\.{_OCTET}){{3}}|IPv6:[0-9a-f:.]+)\]"
#: FILTER_VALIDATE_EMAIL as a regular expression (case-insensitive, ASCII), for GX checks too
SHOP_EMAIL_REGEX = (
    rf"(?ia)^(?!.{{255,}})(?!.{{65,}}@){_WORD}(?:\.{_WORD})*@"
    rf"(?:(?!.*[^.]{{64,}}){_LABELS}{_TOP}|{_LITERAL})$"
)
_EMAIL = re.compile(SHOP_EMAIL_REGEX)


def valid_for_shop(value: object) -> bool:
    """What ``tep_validate_email`` accepts (without its optional DNS check)."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return len(text) <= 255 and _EMAIL.fullmatch(text) is not None


def compare_key(value: object, collation: str = DEFAULT_COLLATION) -> str | None:
    """The form in which two e-mails the shop's column holds as equal are equal."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    text = str(value).strip()
    name = collation.lower()
    if "nopad" not in name:
        text = text.rstrip(" ")
    if not text:
        return None
    if name.endswith("_bin") or name == "binary" or "_cs" in name:
        return text
    if "general" in name:
        text = text.replace("ß", "s").replace("ẞ", "s")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.casefold()


def compare_keys(values: pd.Series, collation: str = DEFAULT_COLLATION) -> pd.Series:
    """``compare_key`` of a column; ASCII addresses (nearly all) the vectorised way."""
    name = collation.lower()
    text = values.astype("string").str.strip()
    if "nopad" not in name:
        text = text.str.rstrip(" ")
    text = text.where(text.str.len() > 0)
    if name.endswith("_bin") or name == "binary" or "_cs" in name:
        return text.astype(object).where(text.notna(), None)
    ascii_only = text.str.isascii().fillna(True).astype(bool)
    out = text.str.lower().astype(object).where(text.notna(), None)
    if not ascii_only.all():
        out[~ascii_only] = values[~ascii_only].map(lambda v: compare_key(v, collation))
    return out
