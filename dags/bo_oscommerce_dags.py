"""bo-oscommerce: Airflow DAGs that keep Business OPEN (BO) and an osCommerce shop in step.

Every active tenant in ``tenants.yaml`` (next to this file, or ``BO_OSC_TENANTS_FILE``) gets
its catalog, stock and reset DAGs; the factory lives in ``plugins/bo_oscommerce``.
"""

import sys
from pathlib import Path

_PLUGINS = str(Path(__file__).resolve().parents[1] / "plugins")
if _PLUGINS not in sys.path:  # Airflow adds its plugins folder itself; this covers other setups
    sys.path.append(_PLUGINS)

from bo_oscommerce.dag_factory import build_all  # noqa: E402

globals().update(build_all())
