# kubecomply developer tasks. `make demo` and `make test` set everything up themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    := out

.PHONY: demo test policy-test tools bench bench-e2e bench-opa bench-cluster clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# Scan the bundled example application: the terminal report, then a JSON result and the
# HTML report rendered from it in out/.
# Exit code 1 (violations found) is what the examples are for; 2 (scan incomplete) fails the target.
demo: $(STAMP)
	@mkdir -p $(OUT)
	@$(BIN)/kubecomply scan manifests examples/manifests \
		--policy-dir examples/policies --waivers examples/waivers.yaml --data examples/allowed-registries.yaml; \
	  status=$$?; [ $$status -le 1 ] || exit $$status
	@$(BIN)/kubecomply scan manifests examples/manifests \
		--policy-dir examples/policies --waivers examples/waivers.yaml --data examples/allowed-registries.yaml \
		-f json -o $(OUT)/results.json; \
	  status=$$?; [ $$status -le 1 ] || exit $$status
	@$(BIN)/kubecomply report $(OUT)/results.json -f html -o $(OUT)/report.html
	@echo "demo: JSON result written to $(OUT)/results.json, HTML report to $(OUT)/report.html"

policy-test: $(STAMP)
	$(BIN)/kubecomply policy test --policy-dir examples/policies

# The real OPA, kube-apiserver, etcd, Helm and Kustomize the integration tests run, built from
# pinned sources into ~/.cache/kubecomply-test-tools (KUBECOMPLY_TOOLS_CACHE); reused when built.
tools:
	bash tests/tools/build.sh

test: policy-test
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/bench_manifests.py

# Whole processes on a findings-heavy corpus: kubecomply scan -f json/table/sarif/html and start-up
# against the parse floor (and Checkov when it is on the PATH); SIZES=10000,100000 for more.
SIZES ?= 10000
bench-e2e: $(STAMP)
	$(BIN)/python bench/bench_e2e.py --sizes $(SIZES)

# The OPA engine (the pinned OPA from `make tools`) against the embedded one on 10,000 resources.
bench-opa: $(STAMP) tools
	$(BIN)/python bench/bench_opa.py

# Cluster collection against the HTTPS fixture server: kubecomply vs a urllib floor and the typed client.
bench-cluster: $(STAMP)
	$(BIN)/python bench/bench_cluster.py

# The same readers against a real kube-apiserver holding the same objects (needs `make tools`).
.PHONY: bench-cluster-real
bench-cluster-real: $(STAMP)
	$(BIN)/python bench/bench_cluster.py --real

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache bench/data
