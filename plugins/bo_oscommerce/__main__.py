"""Command line: ``python -m bo_oscommerce check-config | check-connection [TENANT ...] |
ensure-pools | count-orders [TENANT ...] | reconcile TENANT``."""

from __future__ import annotations

import argparse
import sys


def _check_config() -> int:
    from bo_oscommerce.config import load_config, tenants_file

    config = load_config()
    print(f"tenants file: {tenants_file()}")
    for tenant in config.tenants.values():
        state = "active" if tenant.active else "inactive"
        print(
            f"  ok   {tenant.id} ({state}): BO {tenant.bo_conn_id!r}, shop {tenant.shop_conn_id!r}"
        )
    for error in config.errors.values():
        print(f"  FAIL {error}")
    return 1 if config.errors else 0


def _check_connection(tenant_ids: list[str]) -> int:
    from bo_oscommerce.config import load_config
    from bo_oscommerce.connection_test import check_tenant

    config = load_config()
    failed = 0
    for tenant_id in tenant_ids or [t.id for t in config.active]:
        try:
            settings = config.get(tenant_id)
        except (KeyError, ValueError) as exc:
            print(f"tenant {tenant_id!r}: {exc}")
            failed += 1
            continue
        result = check_tenant(settings)
        print(result.message)
        failed += not result.ok
    return 1 if failed else 0


def _run_for(tenant_id: str, what: str):  # noqa: ANN202 - a sync Run
    from datetime import UTC, datetime

    from bo_oscommerce.config import load_config
    from bo_oscommerce.connections import engine_for
    from bo_oscommerce.sync.run import Run

    settings = load_config().get(tenant_id)
    now = datetime.now(UTC)
    return Run(
        settings,
        engine_for(settings.bo_conn_id),
        engine_for(settings.shop_conn_id),
        f"cli/{what}-{now:%Y%m%dT%H%M%S}",
        settings.shop_time(now),
    )


def _count_orders(tenant_ids: list[str]) -> int:
    from bo_oscommerce.config import load_config
    from bo_oscommerce.sync.orders import count_new

    for tenant_id in tenant_ids or [t.id for t in load_config().active]:
        counted = count_new(_run_for(tenant_id, "count-orders"))
        print(f"tenant {tenant_id!r}: {counted['waiting']} new shop order(s) wait for import")
    return 0


def _reconcile(tenant_id: str) -> int:
    from bo_oscommerce.sync.order_status import reconcile

    result = reconcile(_run_for(tenant_id, "reconcile"))
    for name, items in result.items():
        print(f"{name.replace('_', ' ')}: {len(items)}")
        for item in items:
            print("  " + ", ".join(f"{k} {v}" for k, v in item.items()))
    return 0


def _ensure_pools() -> int:
    """One Airflow pool with one slot per active tenant: its shop writers take turns."""
    from airflow.models.pool import Pool

    from bo_oscommerce.config import load_config

    for tenant in load_config().active:
        Pool.create_or_update_pool(
            tenant.pool,
            1,
            f"bo-oscommerce: one shop writer at a time for tenant {tenant.id!r}",
            include_deferred=False,
        )
        print(f"  ok   pool {tenant.pool} (1 slot)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bo_oscommerce")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check-config", help="validate the tenants file")
    check = commands.add_parser(
        "check-connection", help="Verbindung testen (all active tenants when none is named)"
    )
    check.add_argument("tenants", nargs="*")
    commands.add_parser(
        "ensure-pools", help="create the Airflow pool of every active tenant (one slot each)"
    )
    count = commands.add_parser(
        "count-orders", help="Anzahl neuer Bestellungen: shop orders waiting for import"
    )
    count.add_argument("tenants", nargs="*")
    reconcile = commands.add_parser(
        "reconcile",
        help="shop orders missing in BO, statuses behind delivery notes, lost customers",
    )
    reconcile.add_argument("tenant")
    args = parser.parse_args(argv)
    if args.command == "check-config":
        return _check_config()
    if args.command == "ensure-pools":
        return _ensure_pools()
    if args.command == "count-orders":
        return _count_orders(args.tenants)
    if args.command == "reconcile":
        return _reconcile(args.tenant)
    return _check_connection(args.tenants)


if __name__ == "__main__":
    sys.exit(main())
