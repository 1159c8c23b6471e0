# Podium: the commands README names. Everything runs from a virtual environment in .venv that
# `make` creates and keeps in step with pyproject.toml: `make run` installs what Podium needs to
# run, the other targets also the test and lint tools (the `dev` extra).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
CKSUM := $(shell cksum < pyproject.toml | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(CKSUM)
RUN_STAMP := $(VENV)/.installed-run-$(CKSUM)
# `make run PORT=8001`, or PODIUM_PORT=8001 in the environment.
PORT ?= $(or $(PODIUM_PORT),8000)
HOST := 127.0.0.1

.PHONY: run port-free scoring-demo test lint bench bench-load install clean

install: $(STAMP)

# An install says first what it does and how long it takes, then pip shows its progress (no
# --quiet): what it collects, "Installing collected packages", "Successfully installed". pip
# byte-compiles nothing (--no-compile: it would, one file at a time, for a minute of the first
# start's two); compileall does it after, on every core. The compiled files are kept, as pip's
# would be: the sandbox sees the virtual environment read-only and could not write them.
ANNOUNCE = echo "==> Installing Podium's dependencies into $(VENV) (first start, or pyproject.toml changed):" && \
	echo "    PyTorch (CPU), Django, Celery, scikit-learn, pandas, pyarrow and the rest, with pip." && \
	echo "    This takes a few minutes (1.5 to 2 on 2 cores); pip's progress follows."
SITE_PACKAGES = $$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
# $(call pip_install,SPEC): a shell command that makes the venv and installs SPEC into it.
pip_install = $(ANNOUNCE) && \
	{ test -x $(PY) || $(PYTHON) -m venv $(VENV); } && \
	echo "$(PY) -m pip install --upgrade pip" && $(PY) -m pip install --quiet --upgrade pip && \
	echo "$(PY) -m pip install --no-compile -e '$(1)'" && \
	$(PY) -m pip install --progress-bar off --no-compile -e '$(1)' && \
	echo "==> Compiling the installed Python files (under a minute) ..." && \
	{ $(PY) -m compileall -qq -j 0 $(SITE_PACKAGES) || true; }

$(STAMP): pyproject.toml
	@$(call pip_install,.[dev])
	@rm -f $(VENV)/.installed-* && touch $@ $(RUN_STAMP)

# What `make run` needs, without the test tools (nothing to do after `make install`).
$(RUN_STAMP): pyproject.toml
	@if test -f $(STAMP); then touch $@; else \
		$(call pip_install,.) && rm -f $(VENV)/.installed-run-* && touch $@; fi

# Podium on this machine with the demo: web (gunicorn), worker and scheduler until Ctrl-C, on
# http://127.0.0.1:$(PORT)/. The port is checked first, with the system Python, so a taken one
# is said at once (with a free one to use), not after the first start's install. Then
# `podium_run` migrates, collects the static files and seeds the demo, each only when needed
# (a warm start skips all three), so `make run` again keeps the data in var/ (PODIUM_DATA_DIR).
# The first makes this install's secret key, var/secret_key (mode 600), unless
# DJANGO_SECRET_KEY is set. Without an SMTP server (DJANGO_EMAIL_HOST), mail is one file per
# message in var/mail (mode 600).
run: export PODIUM_EMAIL_FILE_DIR ?= $(or $(PODIUM_DATA_DIR),$(CURDIR)/var)/mail
run: port-free $(RUN_STAMP)
	$(PY) -m podium.config.secret_key && $(PY) manage.py podium_run --host $(HOST) --port $(PORT)

port-free:
	@PYTHONPATH=platform $(PYTHON) -m podium.devserver.ports --host $(HOST) --port $(PORT)

# The scoring engine alone, offline, on a generated competition.
scoring-demo: $(STAMP)
	$(PY) -m scoring.demo

# Then the tests that store and read files once more with stored files in memory
# (PODIUM_TEST_STORAGE=memory, config/test_settings.py), as on S3: nothing may assume a local path.
# Left out of that pass: the kaggle CLI test, whose real worker (another process) cannot see
# this process's memory.
# (The submissions and kernels tests, which the memory pass ran before S3 had one, run in the S3
# pass below, which asks the same of them: no local path.)
MEMORY_TESTS := tests/podium/kaggle_compat
MEMORY_SKIP := \
	tests/podium/kaggle_compat/test_kaggle_cli.py::test_list_files_download_submit_scored_submissions_leaderboard
# And with S3 as the default storage and the answer keys in a bucket of their own, on moto's S3
# server (PODIUM_TEST_STORAGE=s3; tests/podium/s3server.py starts it): what stores files and the
# end-to-end tests, whose real workers get the buckets through their environment. With the
# services configured (CI), only the e2e tests' services variant (PostgreSQL + Redis + S3, as in
# production): the embedded one, rerun in a child pytest, would double the pass's time.
S3_TESTS := tests/podium/submissions tests/podium/kernels tests/podium/e2e
S3_ONLY := $(if $(DATABASE_URL),-k "not embedded")
# The fault tests (kills, restarts) are about processes, not storage: the first pass runs them.
S3_SKIP := tests/podium/e2e/test_worker_kills.py tests/podium/e2e/test_dependency_restarts.py

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -n 2 -q
	PODIUM_TEST_STORAGE=memory $(PY) -m pytest -n 2 -q $(MEMORY_TESTS) \
		$(addprefix --deselect ,$(MEMORY_SKIP))
	PODIUM_TEST_STORAGE=s3 $(PY) -m pytest -n 2 -q $(S3_TESTS) $(S3_ONLY) \
		$(addprefix --ignore ,$(S3_SKIP))

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

bench: $(STAMP)
	$(PY) -m benchmarks

# Uploads and board reads over HTTP (gunicorn + a Celery worker; several minutes, not in `bench`):
# on PostgreSQL + Redis when DATABASE_URL and CELERY_BROKER_URL name them.
bench-load: $(STAMP)
	$(PY) -m benchmarks --only load

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
