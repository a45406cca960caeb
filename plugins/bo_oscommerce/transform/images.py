"""Product images: BO's image path -> a file in the shop's ``images/`` directory (ADR 19).

Rules, each with the reason the report gives:
- BO's path (``bildpfad``) is read relative to the tenant's image source: backslashes count as
  slashes, a leading ``strip_prefixes`` entry (the share or drive BO's users see) is dropped,
  case-insensitively as Windows compares paths. A path that stays absolute (another share or
  drive) or climbs out with ``..`` is set aside: nothing is read outside the source.
- The file must be an image by its content (JPEG, PNG, GIF, WebP: the first bytes, not the
  name) and at most ``max_bytes`` large; else the image is set aside and the product keeps its
  last good image (a new product shows none).
- The shop's file name is made, never taken: the BO file's name in lower-case ASCII letters
  (umlauts spelled out), digits and dashes, the first 10 hex digits of the content's SHA-256,
  and the extension of the type found: ``blue-helmet-3fa2c41b9e.jpg``. It fits
  ``products_image`` (its width read from the shop), is safe in a URL, and two different files
  never share a name, so an upload never replaces another article's picture; two articles
  with the same picture share one file.
- What was sent is remembered per article (``osc_bild``: the BO path's hash, the file's size
  and modification time, its content hash and the shop's name), so an unchanged file is not
  read, hashed or sent again.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

OUTSIDE_SOURCE = "image path is outside the image source (no strip_prefixes entry matches)"
CLIMBS_OUT = "image path climbs out of the image source (..)"
MISSING = "image file missing or unreadable in the image source"
NOT_AN_IMAGE = "file is not an image by its content (JPEG, PNG, GIF or WebP)"
TOO_LARGE = "image file is larger than the tenant's images.max_bytes"
NAME_TOO_LONG = "the shop's products_image column is too narrow for any image file name"
UPLOAD_FAILED = "the shop's images folder refused the file (sent again next run)"

_TYPES = {"jpeg": ".jpg", "png": ".png", "gif": ".gif", "webp": ".webp"}
_DRIVE = re.compile(r"^[A-Za-z]:(/|$)")
HASH_DIGITS = 10
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                         "ß": "ss"})  # fmt: skip


def source_path(bildpfad: str, strip_prefixes: list[str]) -> tuple[str | None, str | None]:
    """BO's path relative to the image source, or why it is set aside: ``(path, None)`` or
    ``(None, reason)``."""
    path = bildpfad.strip().replace("\\", "/")
    for prefix in strip_prefixes:
        norm = prefix.strip().replace("\\", "/").rstrip("/")
        if norm and (path.lower() == norm.lower() or path.lower().startswith(norm.lower() + "/")):
            path = path[len(norm):]
            break
    else:
        if path.startswith("/") or _DRIVE.match(path) or "://" in path:
            return None, OUTSIDE_SOURCE
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None, CLIMBS_OUT
    if not parts:
        return None, OUTSIDE_SOURCE
    return "/".join(parts), None


def image_type(head: bytes) -> str | None:
    """The image type by the file's first bytes (None: no image this shop shows)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def shop_name(relative: str, digest: str, kind: str, width: int) -> str | None:
    """The file's name in the shop (None: ``width`` leaves no room for one)."""
    stem = relative.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    spelled = stem.translate(_GERMAN)  # the way a German writes them without umlauts
    ascii_stem = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-") or "image"
    suffix = f"-{digest[:HASH_DIGITS]}{_TYPES[kind]}"
    room = width - len(suffix)
    if room < 1:
        return None
    return slug[:room].rstrip("-") + suffix if slug[:room].rstrip("-") else "i" + suffix


@dataclass(frozen=True)
class Memo:
    """What the sync last sent for an article (BO's ``osc_bild``)."""

    path_hash: str  # of BO's path
    size: int
    mtime_ns: int
    digest: str  # SHA-256 of the content, hex
    name: str  # the shop's file name

    def text(self) -> str:
        return f"{self.path_hash}|{self.size}|{self.mtime_ns}|{self.digest[:32]}|{self.name}"

    @classmethod
    def parse(cls, text: object) -> Memo | None:
        """The memo BO holds (None: none, or not one this step wrote)."""
        fields = text.split("|", 4) if isinstance(text, str) else []
        if len(fields) != 5 or not fields[1].isdigit() or not fields[2].isdigit():
            return None
        return cls(fields[0], int(fields[1]), int(fields[2]), fields[3], fields[4])

    def same_file(self, bildpfad: str, size: int, mtime_ns: int) -> bool:
        return (self.path_hash, self.size, self.mtime_ns) == (path_hash(bildpfad), size, mtime_ns)


def path_hash(bildpfad: str) -> str:
    return hashlib.sha256(bildpfad.encode()).hexdigest()[:16]
