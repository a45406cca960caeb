"""Scale-out fixtures: Redis as the Celery broker and a fresh PostgreSQL database as Airflow's
metadata DB and Celery's result backend.

The tests here skip (with the reason) when the Celery extras are not installed
(``make install-celery``) or Redis / PostgreSQL do not answer. ``BO_OSC_TEST_REDIS_URL``
(default ``redis://127.0.0.1:6379/0``) and ``BO_OSC_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``, a login that may create databases)
point them elsewhere.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from importlib import metadata
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

REDIS_URL = os.environ.get("BO_OSC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get(
    "BO_OSC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
#: distributions of requirements-celery.txt the scale-out test needs
CELERY_EXTRAS = ("apache-airflow-providers-celery", "celery", "redis", "psycopg", "asyncpg")


@pytest.fixture(scope="session")
def celery_extras() -> None:
    missing = []
    for name in CELERY_EXTRAS:
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        pytest.skip(f"Celery extras not installed ({', '.join(missing)}): make install-celery")


@pytest.fixture(scope="session")
def redis_url(celery_extras) -> str:
    """``REDIS_URL`` if a Redis answers PING there (a raw RESP round trip, no client needed)."""
    parts = urlsplit(REDIS_URL)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            answer = sock.recv(64)
    except OSError as exc:
        pytest.skip(f"Redis not reachable on {host}:{port} (BO_OSC_TEST_REDIS_URL): {exc}")
    if not answer.startswith(b"+PONG"):
        pytest.skip(f"no Redis on {host}:{port} (BO_OSC_TEST_REDIS_URL): PING answered {answer!r}")
    return REDIS_URL


@pytest.fixture
def metadata_db(celery_extras) -> Iterator[str]:
    """A fresh PostgreSQL database ``bo_osc_celery_test_<hex>`` (its SQLAlchemy URL), dropped
    afterwards even if Airflow's processes still hold connections to it."""
    server = sa.make_url(POSTGRES_URL)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"bo_osc_celery_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {server.render_as_string()}: {exc.orig}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
