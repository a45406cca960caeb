# bo-oscommerce: `make demo` runs the demo tenant, `make test` runs the test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONPATH := $(CURDIR)/plugins:$(CURDIR)/fixtures
export AIRFLOW_HOME ?= $(CURDIR)/var/airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__TEST_CONNECTION := Enabled
export GX_ANALYTICS_ENABLED := False
# The demo tenant's databases (see dags/tenants.yaml); a real shop is just another URI, e.g.
# AIRFLOW_CONN_SHOP_DEMO='mysql://user:password@shop-host:3306/oscommerce'
export AIRFLOW_CONN_BO_DEMO ?= sqlite:///$(CURDIR)/var/demo/bo.db
export AIRFLOW_CONN_SHOP_DEMO ?= sqlite:///$(CURDIR)/var/demo/shop.db
# SHOP=phoenix: the demo shop is a CE Phoenix Cart 1.1.0.6 database on the local MariaDB
ifeq ($(SHOP),phoenix)
export AIRFLOW_CONN_SHOP_DEMO := mysql://root@127.0.0.1:3306/bo_osc_demo_phoenix
endif
# the demo's buyer e-mails: make demo runs an SMTP server that writes them to var/demo/mails
export AIRFLOW_CONN_SMTP_DEMO ?= smtp://127.0.0.1:8025?disable_ssl=true&disable_tls=true&retry_limit=0&timeout=5

.PHONY: install install-celery demo test airflow check-connection check-config benchmark lint clean

install: $(BIN)/.installed

$(BIN)/.installed: requirements.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

## install-celery: the CeleryExecutor extras (Redis broker, PostgreSQL), see docs/deploy.md
install-celery: $(BIN)/.installed-celery

$(BIN)/.installed-celery: requirements-celery.txt $(BIN)/.installed
	$(BIN)/pip install --quiet -r requirements-celery.txt
	touch $@

$(AIRFLOW_HOME)/airflow.db: | install
	mkdir -p $(AIRFLOW_HOME)
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || (cat $(AIRFLOW_HOME)/db-migrate.log; exit 1)

## demo: build the demo tenant (SQLite BO + shop) and run its DAGs with dag.test();
## SHOP=phoenix: the shop is CE Phoenix Cart 1.1.0.6 on MariaDB (../shared/phoenix)
demo: install $(AIRFLOW_HOME)/airflow.db
	$(BIN)/python -m bo_oscommerce ensure-pools
	AIRFLOW__LOGGING__LOGGING_LEVEL=$${AIRFLOW__LOGGING__LOGGING_LEVEL:-WARNING} \
		$(BIN)/python scripts/demo.py $(if $(ARTICLES),--articles $(ARTICLES))$(if $(SHOP), --shop $(SHOP))

## test: start (or install) MariaDB, then run unit, integration and DAG tests
test: install
	bash scripts/ensure-mariadb.sh
	$(BIN)/python -m pytest -q

## airflow: Airflow's own UI on the demo tenant (run `make demo` first); login printed on start
airflow: install $(AIRFLOW_HOME)/airflow.db
	$(BIN)/python -m bo_oscommerce ensure-pools
	bash scripts/airflow.sh $(BIN)/airflow standalone

## check-connection: Verbindung testen for TENANT (default: every active tenant)
check-connection: install
	$(BIN)/python -m bo_oscommerce check-connection $(TENANT)

check-config: install
	$(BIN)/python -m bo_oscommerce check-config

## benchmark: full, no-op and 1 %-changed sync into MariaDB; ARTICLES=100000 for the big run;
## CONTACTS=100000 runs the customers benchmark, ORDERS=10000 the order import benchmark,
## IMAGES=10000 the images step over SFTP,
## FLEET=50 the fleet benchmark (50 tenants on a real Airflow; IDLE_MINUTES=60 by default),
## CONSOLE=200 the operator's console with 200 tenants
benchmark: install
	bash scripts/ensure-mariadb.sh
	$(if $(FLEET),$(MAKE) install-celery && $(BIN)/python scripts/benchmark_fleet.py --fleet $(FLEET) $(if $(IDLE_MINUTES),--idle-minutes $(IDLE_MINUTES)),$(if $(CONSOLE),$(MAKE) install-celery && $(BIN)/python scripts/benchmark_console.py --tenants $(CONSOLE),$(BIN)/python scripts/benchmark.py $(if $(ARTICLES),--articles $(ARTICLES)) $(if $(CONTACTS),--contacts $(CONTACTS)) $(if $(ORDERS),--orders $(ORDERS)) $(if $(IMAGES),--images $(IMAGES))))

lint: install
	$(BIN)/ruff check dags plugins tests scripts fixtures

clean:
	rm -rf var
