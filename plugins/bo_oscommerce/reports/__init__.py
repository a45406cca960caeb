"""Reviewer reports: what each run extracted, loaded, cleaned and set aside, as HTML pages.

``record`` assembles a run's files into one record, ``pages`` renders the run page and the
tenant's index, ``web`` serves them inside Airflow (see ``plugins/bo_oscommerce_reports.py``).
Every entity report that a sync step publishes (``summary_<entity>.json``) appears on the page
without changes here.
"""
