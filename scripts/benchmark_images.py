"""The images benchmark (``make benchmark IMAGES=10000``): the images step (sync/images.py)
sending N pictures of about 100 KB to the shop's images folder over SFTP on loopback (Debian's
OpenSSH, started here), then a no-op run, against a raw baseline of the same files sent with
the same SFTP library and as many transfers at a time, measured in the same run.

Called by scripts/benchmark.py (``--images N``), which writes the section into
docs/benchmarks.md.
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

SHOP_DB = "bo_osc_bench_images"
RUN_AT = datetime(2026, 11, 26, 12, 0, 0)
SIZE = 100_000
TARGETS = {"first": 120.0, "noop": 3.0}  # seconds


def picture(n: int, size: int) -> bytes:
    """A real PNG padded to ``size`` bytes, its content unique to ``n``."""
    from bo_oscommerce_fixtures.demo_images import png

    return png(n % 251, size=size - 16) + n.to_bytes(16, "big")


def build(images: int, tmp: Path, bench: Any) -> dict[str, Any]:
    """BO (about ``images`` / 0.8 articles, synced into a fresh demo shop on MariaDB), the
    first ``images`` linked web articles with a picture each, and an empty images folder."""
    from bo_oscommerce.sync.categories import sync_categories
    from bo_oscommerce.sync.products import sync_products
    from bo_oscommerce.sync.run import Run, extract
    from bo_oscommerce_fixtures.demo_bo import generate
    from bo_oscommerce_fixtures.reference_bo import create_reference_schema

    bo_path = tmp / "bo_images.db"
    sa.create_engine(f"sqlite:///{bo_path}").dispose()
    bo_path.touch()
    bo = bench.bo_engine(bo_path)
    create_reference_schema(bo)
    generate(bo, articles=int(images / 0.8) + 100)
    bench.new_demo_shop(SHOP_DB)
    shop = bench.shop_engine(SHOP_DB)
    source, target = tmp / "bilder", tmp / "shop-images"
    target.mkdir()
    settings = bench.tenant_settings().model_copy(update={"images": None})
    run = Run(settings, bo, shop, "benchmark/catalog", RUN_AT, full=True)
    paths = extract(run)["paths"]
    sync_categories(run, paths)
    sync_products(run, paths)
    with bo.begin() as conn:
        linked = conn.execute(sa.text(
            "SELECT artikel_nr FROM artikel WHERE im_web = 1 AND osc_products_id IS NOT NULL "
            "ORDER BY artikel_nr")).scalars().all()[:images]  # fmt: skip
        conn.execute(sa.text("UPDATE artikel SET bildpfad = NULL"))
        conn.execute(sa.text("UPDATE artikel SET bildpfad = :p WHERE artikel_nr = :n"),
                     [{"p": f"\\\\fileserver\\Bilder\\artikel\\{nr}.jpg", "n": nr}
                      for nr in linked])  # fmt: skip
    (source / "artikel").mkdir(parents=True)
    for n, nr in enumerate(linked):
        (source / "artikel" / f"{nr}.jpg").write_bytes(picture(n, SIZE))
    return {"bo": bo, "shop": shop, "source": source, "target": target, "count": len(linked),
            "settings": settings}  # fmt: skip


def images_settings(state: dict[str, Any], server: Any) -> Any:
    os.environ["AIRFLOW_CONN_BENCH_SFTP"] = server.connection_uri()
    images = {
        "source": str(state["source"]), "strip_prefixes": ["\\\\fileserver\\Bilder"],
        "target": f"sftp://{server.host}:{server.port}{state['target']}",
        "target_conn_id": "bench_sftp",
    }  # fmt: skip
    from bo_oscommerce.config import Images

    return state["settings"].model_copy(update={"images": Images(**images)})


def timed_images(state: dict[str, Any], settings: Any, key: str) -> tuple[float, Any]:
    from bo_oscommerce.sync.images import sync_images
    from bo_oscommerce.sync.run import Run

    started = time.perf_counter()
    report = sync_images(Run(settings, state["bo"], state["shop"], f"benchmark/{key}", RUN_AT))
    return time.perf_counter() - started, report


def baseline(state: dict[str, Any], settings: Any, tmp: Path) -> float:
    """The same files, read and written over the same SFTP library, as many at a time: no
    names, hashes, renames, databases."""
    from bo_oscommerce.shop import images as files

    folder = tmp / "baseline-images"
    folder.mkdir()
    url = settings.images.target.replace(str(state["target"]), str(folder))
    target = files.folder(url, settings.images.target_conn_id)
    sources = sorted((state["source"] / "artikel").iterdir())
    started = time.perf_counter()
    with ThreadPoolExecutor(settings.images.transfers) as pool:
        list(pool.map(lambda p: target.fs.pipe_file(str(folder / p.name), p.read_bytes()),
                      sources))  # fmt: skip
    return time.perf_counter() - started


def run(images: int, tmp: Path, bench: Any) -> tuple[str, list[tuple[str, bool, str]]]:
    """Markdown section and checks."""
    import sftp_server

    started = time.perf_counter()
    state = build(images, tmp, bench)
    bench.log.info("BO, shop and %d pictures built in %.1f s", state["count"],
                   time.perf_counter() - started)  # fmt: skip
    server = sftp_server.start(tmp / "sshd")
    try:
        settings = images_settings(state, server)
        timed_images(state, settings.model_copy(update={"images": None}), "warm-up")
        first, report = timed_images(state, settings, "first")
        noop, quiet = timed_images(state, settings, "noop")
        raw = baseline(state, settings, tmp)
    finally:
        server.stop()
        state["shop"].dispose()
        bench.drop_database(SHOP_DB)
    files = list(state["target"].iterdir())
    sources = {p.read_bytes() for p in (state["source"] / "artikel").iterdir()}
    same = {p.read_bytes() for p in files} == sources
    checks = [
        ("every picture sent once", report.inserted == state["count"] == len(files),
         f"{report.inserted} sent, {len(files)} files, {state['count']} pictures"),
        ("the bytes in the shop are BO's", same, "set of contents compared"),
        ("no-op sends nothing", quiet.inserted == 0 and quiet.unchanged == state["count"],
         f"{quiet.inserted} sent, {quiet.unchanged} unchanged"),
        ("nothing set aside", len(report.set_aside) == 0, f"{len(report.set_aside)}"),
    ]  # fmt: skip
    shutil.rmtree(state["source"], ignore_errors=True)
    m = bench.machine()
    lines = [
        f"## {state['count']:,} product images over SFTP".replace(",", " "),
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {m['nproc']} CPUs ({m['cpu']}); "
        f"OpenSSH sshd on 127.0.0.1 (internal-sftp), {settings.images.transfers} transfers at a "
        f"time; pictures of {SIZE:_} bytes.".replace("_", " "),
        "`python scripts/benchmark.py --images 10000` (`make benchmark IMAGES=10000`): the images "
        "step of a catalog run (sync/images.py) after a full catalog sync; BO on SQLite, the shop "
        "on MariaDB. Baseline: the same files read and written by the same SFTP library "
        "(`sshfs` `pipe_file`), as many at a time, without names, hashes, renames or databases.",
        "",
        "| Scenario | Wall time | Files sent |",
        "|---|---:|---:|",
        f"| first images run into an empty folder | {first:.1f} s | {report.inserted} |",
        f"| no-op images run | {noop:.2f} s | {quiet.inserted} |",
        f"| baseline: raw SFTP writes of the same files | {raw:.1f} s | {state['count']} |",
        "",
        f"Ratio: first run / baseline **{first / raw:.2f}x**.",
        "",
        "| Target | Measured | Result |",
        "|---|---|---|",
        f"| first run (10 000 images: under 2 minutes) | {first:.1f} s for {state['count']} | "
        f"{'PASS' if first < TARGETS['first'] else 'FAIL'} |",
        f"| no-op images run under 3 s | {noop:.2f} s | "
        f"{'PASS' if noop < TARGETS['noop'] else 'FAIL'} |",
        "",
        "Checks: " + "; ".join(f"{name}: {'ok' if ok else 'FAILED'} ({detail})"
                               for name, ok, detail in checks),  # fmt: skip
    ]
    return "\n".join(lines), checks
