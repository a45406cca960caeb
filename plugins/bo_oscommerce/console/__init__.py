"""The operator's console: every tenant at a glance, what needs attention first.

``views``: what a row says and how rows are ordered (no I/O); ``sources``: Airflow's runs,
the reports and the tenants file; ``live``: new orders counted live from the shops;
``page``: the HTML with its buttons. Served by ``reports/web.py``.
"""
