"""Customer passwords the way osCommerce 2.3 and CE Phoenix check them.

osCommerce 2.3 (``tep_validate_password``) stores phpass portable hashes (``$P$``; it writes
``PasswordHash(10, true)``, i.e. 2^15 MD5 rounds) and still accepts the legacy
``md5(salt + password):salt`` form. CE Phoenix writes PHP's ``password_hash`` (bcrypt,
``$2y$``), still accepts both older forms and replaces them by ``$2y$`` at the customer's next
login. So the first password the sync writes is ``$P$`` on both: hashed at the tenant's
``password_cost`` (ADR 6), spread over the machine's cores when there are many, and never
written again (a ``$2y$`` the shop made of it stays the customer's).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import string
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

LEGACY = re.compile(r"^[A-Za-z0-9]{32}:[A-Za-z0-9]{2}$")
BCRYPT = ("$2y$", "$2a$", "$2b$")  # PHP's password_hash (CE Phoenix)
PARALLEL_ABOVE = 200  # fewer hashes than this are not worth starting worker processes


def hash_password(password: str, cost: int) -> str:
    """A ``$P$`` hash of ``password`` with 2^cost rounds, as PasswordHash(cost - 5, true)."""
    from passlib.hash import phpass

    return phpass.using(rounds=cost).hash(password)


def _hash_chunk(args: tuple[Sequence[str], int]) -> list[str]:
    passwords, cost = args
    return [hash_password(p, cost) for p in passwords]


def hash_passwords(passwords: Sequence[str], cost: int) -> list[str]:
    """Hashes of many passwords, in order; on every core when there are many."""
    workers = os.cpu_count() or 1
    if len(passwords) < PARALLEL_ABOVE or workers == 1:
        return _hash_chunk((passwords, cost))
    size = -(-len(passwords) // (workers * 4))
    chunks = [(passwords[i : i + size], cost) for i in range(0, len(passwords), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [h for part in pool.map(_hash_chunk, chunks) for h in part]


def verify_password(password: str, stored: str) -> bool:
    """What the shop's login accepts: the legacy salted MD5 form, phpass, and (CE Phoenix)
    PHP's bcrypt."""
    if not password or not stored:
        return False
    if LEGACY.fullmatch(stored):
        digest, salt = stored.split(":")
        return hashlib.md5((salt + password).encode()).hexdigest() == digest.lower()
    from passlib.hash import bcrypt, phpass

    try:
        if stored.startswith(BCRYPT):
            return bcrypt.verify(password, stored)
        return phpass.verify(password, stored)
    except ValueError:
        return False


def random_text(length: int) -> str:
    """Letters and digits, as ``tep_create_random_value`` makes reset keys."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))
