"""Product images reach the shop as files (sync/images.py, ADR 19), against a real shop on
MariaDB, a real BO, and a real target: a local folder, and Debian's OpenSSH serving SFTP on
127.0.0.1. The bytes in the shop's images directory are BO's file's bytes."""

from __future__ import annotations

import re
import sys

import pytest
from tests.conftest import REPO_ROOT
from tests.integration.conftest import RUN_AT, rows, scalar, settings, sync, touch

from bo_oscommerce.reports.record import balance
from bo_oscommerce.sync.images import sync_images
from bo_oscommerce.sync.run import Run
from bo_oscommerce.transform import images as rules
from bo_oscommerce_fixtures.demo_images import png

pytestmark = pytest.mark.integration

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import sftp_server  # noqa: E402


@pytest.fixture(scope="module")
def sftp(tmp_path_factory):
    server = sftp_server.start(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


@pytest.fixture(params=["folder", "sftp"])
def target(request, tmp_path, monkeypatch):
    """The shop's images directory: a local folder, or the same reached over SFTP."""
    folder = tmp_path / "shop-images"
    folder.mkdir()
    if request.param == "folder":
        return folder, {"target": str(folder)}
    server = request.getfixturevalue("sftp")
    monkeypatch.setenv("AIRFLOW_CONN_SHOP_SFTP", server.connection_uri())
    url = f"sftp://{server.host}:{server.port}{folder}"
    return folder, {"target": url, "target_conn_id": "shop_sftp"}


@pytest.fixture
def shop_with_images(bo_sqlite, flavoured_shop, staging, tmp_path, target):
    """The catalog synced with images on; the first six linked articles get image paths as BO
    users write them (a share prefix), the others none."""
    bo, shop = bo_sqlite, flavoured_shop.engine
    source = tmp_path / "bilder"
    (source / "artikel").mkdir(parents=True)
    folder, where = target
    tenant = settings(images={"source": str(source), "strip_prefixes": ["\\\\fileserver\\Bilder"],
                              "max_bytes": 20_000, **where})  # fmt: skip
    touch(bo, "UPDATE artikel SET bildpfad = NULL")
    sync(bo, shop, full=True, key="catalog", tenant=tenant)
    chosen = [r[0] for r in rows(bo, "SELECT artikel_nr FROM artikel WHERE osc_products_id IS NOT "
                                     "NULL ORDER BY artikel_nr LIMIT 6")]  # fmt: skip
    for n, nr in enumerate(chosen):
        (source / "artikel" / f"{nr} Blau.png").write_bytes(png(n))
        touch(bo, "UPDATE artikel SET bildpfad = :p WHERE artikel_nr = :n",
              p=f"\\\\fileserver\\Bilder\\artikel\\{nr} Blau.png", n=nr)  # fmt: skip
    return bo, shop, tenant, source, folder, chosen


def images(bo, shop, tenant, key, full=False):
    report = sync_images(Run(tenant, bo, shop, f"test/{key}", RUN_AT, full=full))
    assert balance(report.counts())["balanced"], report.counts()  # each article counted once
    return report


def shop_image(shop, bo, nr):
    pid = scalar(bo, "SELECT osc_products_id FROM artikel WHERE artikel_nr = :n", n=nr)
    return scalar(shop, "SELECT products_image FROM products WHERE products_id = :p", p=pid)


def test_first_sync_no_op_change_and_rename(shop_with_images):
    bo, shop, tenant, source, folder, chosen = shop_with_images
    first = images(bo, shop, tenant, "first")
    assert (first.inserted, first.updated, len(first.set_aside)) == (6, 0, 0)
    for nr in chosen:
        name = shop_image(shop, bo, nr)
        assert re.fullmatch(rf"a-\d+-blau-[0-9a-f]{{{rules.HASH_DIGITS}}}\.png", name), name
        assert (folder / name).read_bytes() == (source / "artikel" / f"{nr} Blau.png").read_bytes()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left

    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    quiet = images(bo, shop, tenant, "second")
    assert (quiet.inserted, quiet.updated, quiet.unchanged) == (0, 0, 6)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
    names = {nr: shop_image(shop, bo, nr) for nr in chosen}
    touch(bo, "UPDATE artikel SET bezeichnung = bezeichnung || ' neu', geaendert_am = :t")
    sync(bo, shop, key="catalog again", tenant=tenant)  # the products step leaves them alone
    sync(bo, shop, full=True, key="catalog full", tenant=tenant)
    assert {nr: shop_image(shop, bo, nr) for nr in chosen} == names

    changed, renamed = chosen[0], chosen[1]
    old_name = shop_image(shop, bo, changed)
    (source / "artikel" / f"{changed} Blau.png").write_bytes(png(99))
    (source / "artikel" / "Neuer Name.png").write_bytes(png(1))
    touch(bo, "UPDATE artikel SET bildpfad = 'artikel/Neuer Name.png' WHERE artikel_nr = :n",
          n=renamed)  # fmt: skip
    third = images(bo, shop, tenant, "third")
    assert (third.inserted, third.updated, third.unchanged) == (2, 0, 4)
    assert shop_image(shop, bo, changed) != old_name
    assert (folder / shop_image(shop, bo, changed)).read_bytes() == png(99)
    assert shop_image(shop, bo, renamed).startswith("neuer-name-")
    assert (folder / old_name).exists()  # old orders and caches may still link it

    for file in folder.iterdir():  # the web host lost its images folder: a full run restores it
        file.unlink()
    assert images(bo, shop, tenant, "quiet again").inserted == 0  # BO's memo: nothing changed
    restored = images(bo, shop, tenant, "full", full=True)
    assert (restored.inserted, restored.unchanged) == (6, 0)
    assert all((folder / shop_image(shop, bo, nr)).exists() for nr in chosen)


def test_bad_images_are_set_aside_with_their_reason(shop_with_images):
    bo, shop, tenant, source, folder, chosen = shop_with_images
    images(bo, shop, tenant, "first")
    kept = shop_image(shop, bo, chosen[0])
    (source / "artikel" / "notes.png").write_text("not a picture")
    (source / "artikel" / "huge.png").write_bytes(png(5, size=30_000))
    (source / "artikel" / "secret.png").write_bytes(png(6))
    cases = {
        chosen[0]: ("artikel/fehlt.png", rules.MISSING),
        chosen[1]: ("artikel/notes.png", rules.NOT_AN_IMAGE),
        chosen[2]: ("artikel/huge.png", rules.TOO_LARGE),
        chosen[3]: ("artikel/../../secret.png", rules.CLIMBS_OUT),
        chosen[4]: ("D:\\Anderswo\\bild.png", rules.OUTSIDE_SOURCE),
    }
    for nr, (path, _) in cases.items():
        touch(bo, "UPDATE artikel SET bildpfad = :p WHERE artikel_nr = :n", p=path, n=nr)
    report = images(bo, shop, tenant, "bad")
    got = dict(zip(report.set_aside["key"], report.set_aside["reason"], strict=True))
    assert got == {nr: reason for nr, (_, reason) in cases.items()}
    assert shop_image(shop, bo, chosen[0]) == kept  # the product keeps its last good image
    assert not any("secret" in p.name or "notes" in p.name for p in folder.iterdir())

    touch(bo, "UPDATE artikel SET bildpfad = NULL WHERE artikel_nr = :n", n=chosen[5])
    cleared = images(bo, shop, tenant, "cleared")
    assert shop_image(shop, bo, chosen[5]) is None  # BO took the image away
    assert scalar(bo, "SELECT osc_bild FROM artikel WHERE artikel_nr = :n", n=chosen[5]) is None
    assert cleared.updated == 1


def test_same_file_name_for_two_articles_never_collides(shop_with_images):
    bo, shop, tenant, source, folder, chosen = shop_with_images
    for sub, nr, picture in (("x", chosen[0], png(40)), ("y", chosen[1], png(41)),
                             ("z", chosen[2], png(40))):  # fmt: skip
        (source / sub).mkdir()
        (source / sub / "Bild.png").write_bytes(picture)
        touch(bo, "UPDATE artikel SET bildpfad = :p WHERE artikel_nr = :n", p=f"{sub}/Bild.png",
              n=nr)  # fmt: skip
    images(bo, shop, tenant, "same names")
    first, second, third = (shop_image(shop, bo, nr) for nr in chosen[:3])
    assert first != second and first == third  # the same picture: one file, shared
    assert (folder / first).read_bytes() == png(40) and (folder / second).read_bytes() == png(41)


def test_a_file_the_host_refuses_is_set_aside_and_the_others_arrive(shop_with_images, monkeypatch):
    from bo_oscommerce.shop import images as files

    bo, shop, tenant, source, folder, chosen = shop_with_images
    real = files.upload

    def refusing(target, name, data):  # the host refuses one file, e.g. its quota is full
        if name.startswith(chosen[2].lower()):
            raise PermissionError(13, "Permission denied")
        real(target, name, data)

    monkeypatch.setattr(files, "upload", refusing)
    report = images(bo, shop, tenant, "refused")
    assert (report.inserted, list(report.set_aside["key"])) == (5, [chosen[2]])
    assert report.set_aside["reason"].iloc[0].startswith(rules.UPLOAD_FAILED)
    assert shop_image(shop, bo, chosen[2]) is None  # names no file that is not there
    assert scalar(bo, "SELECT osc_bild FROM artikel WHERE artikel_nr = :n", n=chosen[2]) is None
    monkeypatch.setattr(files, "upload", real)
    again = images(bo, shop, tenant, "again")
    assert (again.inserted, again.unchanged) == (1, 5)
    assert (folder / shop_image(shop, bo, chosen[2])).exists()


def test_unreferenced_images_are_removed_only_when_the_tenant_says_so(shop_with_images):
    bo, shop, tenant, source, folder, chosen = shop_with_images
    images(bo, shop, tenant, "first")
    (folder / "logo-des-haendlers.png").write_bytes(png(7))  # the merchant's own file
    old = shop_image(shop, bo, chosen[0])
    (source / "artikel" / f"{chosen[0]} Blau.png").write_bytes(png(42))
    images(bo, shop, tenant, "changed")
    assert (folder / old).exists()
    tenant = tenant.model_copy(update={"images": tenant.images.model_copy(
        update={"remove_unreferenced": True})})  # fmt: skip
    report = images(bo, shop, tenant, "tidy")
    assert not (folder / old).exists()
    assert (folder / "logo-des-haendlers.png").exists()
    assert any("removed" in note for note in report.notes)
    assert len([p for p in folder.iterdir()]) == 7


def test_the_connection_test_checks_both_image_folders(
    shop_with_images, flavoured_shop, monkeypatch, tmp_path
):
    from bo_oscommerce.connection_test import check_tenant

    bo, shop, tenant, source, folder, chosen = shop_with_images
    from bo_oscommerce.connections import engine_for

    engine_for.cache_clear()
    monkeypatch.setenv("AIRFLOW_CONN_BO_IT", f"sqlite:///{bo.url.database.removeprefix('file:')}")
    monkeypatch.setenv("AIRFLOW_CONN_SHOP_IT",
                       f"mysql://root@127.0.0.1:3306/{flavoured_shop.database}")  # fmt: skip
    result = check_tenant(tenant)
    assert result.ok, result.message
    assert [p for p in result.passed if p.startswith("image ")] == [
        f"image source {source}: reachable", f"image target {tenant.images.target}: reachable, "
        "writable"]  # fmt: skip
    assert list(folder.iterdir()) == []  # the probe file is gone again

    moved = tenant.model_copy(update={"images": tenant.images.model_copy(
        update={"source": str(tmp_path / "gibt-es-nicht")})})  # fmt: skip
    failed = check_tenant(moved)
    assert [p for p in failed.problems if "image source" in p] == [
        f"image source {tmp_path / 'gibt-es-nicht'}: not found, or not a folder: fix "
        "images.source in the tenant's settings"]  # fmt: skip
    assert not check_tenant(moved, images=False).problems  # the other DAGs never read images
