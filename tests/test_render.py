"""scan kustomize and scan helm: rendering through the real tools, origins mapped back to source files.

Kustomize runs for real twice per test: through the pinned `kustomize build` that `make
tools` builds (tests/tools/), and through the machine's `kubectl kustomize` (Debian's
kubernetes-client, installed by .ci/run).  The overlay uses only fields that every kustomize
since v2 reads (bases, patchesStrategicMerge), so the same tests run on an old kubectl: a new
kustomize maps resources back through its origin annotations, an old one (Debian 12's kubectl
1.20 has kustomize v2, without ``buildMetadata``) through the files the kustomizations list;
both are checked, and each path is also driven by a stand-in `kustomize` so it is tested
whichever kubectl is installed.

The real-helm test runs the pinned Helm from `make tools`; the other Helm tests use a stand-in
`helm` on PATH that prints a stream in the layout `helm template` writes (``---`` then
``# Source: <chart>/templates/x.yaml``), which is what the Source-comment mapping reads, so
they can fake a failing helm too.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write
from scanner.cli import main
from scanner.model import Origin
from scanner.sources.render import RenderError, helm_sources, load_kustomize, run_tool

from tools import require_tool, tools_bin


@pytest.fixture(params=["kustomize build", "kubectl kustomize"])
def renderer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Each Kustomize test runs twice: with the pinned `kustomize` that `make tools` builds, and
    with whatever `kubectl kustomize` the machine has (kubecomply falls back to it when there is
    no kustomize), which PATH then offers alone."""
    if request.param == "kustomize build":
        require_tool("kustomize")  # first on PATH: conftest puts the tools' bin/ there
        return request.param
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("needs `kubectl` on the PATH for `kubectl kustomize` (.ci/run installs Debian's kubernetes-client)")
    only_kubectl = tmp_path_factory.mktemp("kubectl-only")
    (only_kubectl / "kubectl").symlink_to(kubectl)
    keep = [d for d in os.environ["PATH"].split(os.pathsep) if d and d != str(tools_bin()) and not (Path(d) / "kustomize").exists()]
    monkeypatch.setenv("PATH", os.pathsep.join([str(only_kubectl), *keep]))
    return request.param


needs_kustomize = pytest.mark.usefixtures("renderer")

BASE_APP = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 8080
              hostPort: 8080
"""


def run(args, input=None):
    return CliRunner().invoke(main, args, input=input, catch_exceptions=False)


def line_of(path: Path, text: str, start: int = 1) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if i >= start and text in line)


@pytest.fixture
def overlay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """base/ (a Service and a Deployment in one file) and overlays/prod (namePrefix, namespace, a patch, a generator)."""
    write(tmp_path, "base/app.yaml", BASE_APP)
    write(tmp_path, "base/kustomization.yaml", "resources:\n  - app.yaml\n")
    write(tmp_path, "overlays/prod/kustomization.yaml", """\
        namespace: prod
        namePrefix: prod-
        bases:
          - ../../base
        patchesStrategicMerge:
          - privileged.yaml
        configMapGenerator:
          - name: settings
            literals:
              - mode=prod
        """)
    write(tmp_path, "overlays/prod/privileged.yaml", """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
                - name: web
                  securityContext:
                    privileged: true
        """)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scan_json(args):
    result = run(args + ["--format", "json"])
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def by_kind(doc):
    return {r["kind"]: r for r in doc["resources"]}


def test_overlay_is_rendered_and_scanned(overlay, renderer):
    doc = scan_json(["scan", "kustomize", "overlays/prod"])
    resources = by_kind(doc)
    assert set(resources) == {"ConfigMap", "Deployment", "Service"}
    deployment = resources["Deployment"]
    assert (deployment["name"], deployment["namespace"]) == ("prod-web", "prod")  # namePrefix and namespace applied
    [privileged] = [f for f in doc["findings"] if f["policy"] == "privileged-containers"]  # from the overlay's patch
    assert privileged["resource"]["name"] == "prod-web"
    assert privileged["origin"]["rendered_from"] == "overlays/prod"
    assert doc["scan"]["source"] == "kustomize"
    [target] = doc["scan"]["targets"]
    assert target["type"] == "kustomize" and target["path"] == "overlays/prod"
    assert target["renderer"] == renderer


@needs_kustomize
def test_origins_map_back_to_base_documents_and_lines(overlay):
    doc = scan_json(["scan", "kustomize", "overlays/prod"])
    assert_mapped_to_base(doc, overlay)


def assert_mapped_to_base(doc, overlay: Path) -> None:
    app = overlay / "base/app.yaml"
    deployment_start = line_of(app, "apiVersion: apps/v1")
    resources = by_kind(doc)
    assert resources["Service"]["origin"] == {"type": "file", "path": "base/app.yaml", "document": 1, "line": 1, "rendered_from": "overlays/prod"}
    assert resources["Deployment"]["origin"] == {"type": "file", "path": "base/app.yaml", "document": 2, "line": deployment_start, "rendered_from": "overlays/prod"}
    mapping = doc["scan"]["targets"][0]["origin_mapping"]
    if mapping == "origin-annotations":  # made by a generator: the kustomization that configures it, no line
        assert resources["ConfigMap"]["origin"] == {"type": "file", "path": "overlays/prod/kustomization.yaml", "rendered_from": "overlays/prod"}
    else:  # an old kustomize says nothing about generated resources
        assert mapping == "listed-files"
        assert resources["ConfigMap"]["origin"] == {"type": "file", "path": "overlays/prod", "rendered_from": "overlays/prod"}

    findings = {f["policy"]: f for f in doc["findings"]}
    # the value is in the base: the line of the field there
    assert findings["host-ports"]["origin"]["line"] == line_of(app, "hostPort: 8080")
    # the value was set by the overlay's patch: no line of its own in the base, so the document's start
    assert findings["privileged-containers"]["origin"]["line"] == deployment_start


@needs_kustomize
def test_origin_annotation_is_removed_from_the_scanned_objects(overlay):
    load = load_kustomize("overlays/prod")
    for resource in load.resources:
        annotations = resource.obj.get("metadata", {}).get("annotations", {})
        assert "config.kubernetes.io/origin" not in annotations
    assert "annotations" not in next(r for r in load.resources if r.kind == "Service").obj["metadata"]


@needs_kustomize
def test_sarif_points_at_the_base_file(overlay):
    result = run(["scan", "kustomize", "overlays/prod", "-f", "sarif"])
    sarif = json.loads(result.stdout)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"] for loc in r["locations"] if "physicalLocation" in loc}
    assert uris <= {"base/app.yaml", "overlays/prod"} and uris


def fake_tool(folder: Path, name: str, script: str) -> Path:
    """An executable stand-in for a renderer, first on PATH."""
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{script}", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_kustomize_is_preferred_and_unannotated_output_falls_back_to_the_overlay(tmp_path, monkeypatch):
    """A kustomize that writes no origin annotations (v2, v3): every resource keeps the overlay path, no line."""
    write(tmp_path, "overlay/kustomization.yaml", "resources: []\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stream = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostNetwork: true\n  containers:\n    - name: c\n      image: x\n"
    fake_tool(bin_dir, "kustomize", f"import sys\nassert sys.argv[1] == 'build'\nsys.stdout.write({stream!r})\n")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    doc = scan_json(["scan", "kustomize", "overlay"])
    assert doc["scan"]["targets"][0]["renderer"] == "kustomize build"
    assert doc["scan"]["targets"][0]["origin_mapping"] == "none"
    [pod] = doc["resources"]
    assert pod["origin"] == {"type": "file", "path": "overlay", "rendered_from": "overlay"}
    [host] = [f for f in doc["findings"] if f["policy"] == "host-namespaces"]
    assert host["origin"] == {"type": "file", "path": "overlay", "rendered_from": "overlay"}  # never a line of the stream


PROD_STREAM = """\
apiVersion: v1
data:
  mode: prod
kind: ConfigMap
metadata:
  name: prod-settings-2b5f6h7k9m
  namespace: prod
---
apiVersion: v1
kind: Service
metadata:
  name: prod-web
  namespace: prod
spec:
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: prod-web
  namespace: prod
spec:
  template:
    spec:
      containers:
      - image: nginx:1.27
        name: web
        ports:
        - containerPort: 8080
          hostPort: 8080
        securityContext:
          privileged: true
"""

OLD_KUSTOMIZE = """\
import os, sys
# kustomize v2: no buildMetadata, so the wrapped build fails; the overlay itself builds
if os.path.basename(sys.argv[2]).startswith("kubecomply-kustomize-"):
    sys.stderr.write('Error: json: unknown field "buildMetadata"\\n')
    sys.exit(1)
sys.stdout.write(open(os.environ["FAKE_STREAM"]).read())
"""


def test_old_kustomize_is_mapped_through_the_listed_files(overlay, monkeypatch):
    bin_dir = overlay / "bin"
    bin_dir.mkdir()
    fake_tool(bin_dir, "kustomize", OLD_KUSTOMIZE)
    (overlay / "stream.yaml").write_text(PROD_STREAM)
    monkeypatch.setenv("FAKE_STREAM", str(overlay / "stream.yaml"))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    doc = scan_json(["scan", "kustomize", "overlays/prod"])
    assert doc["scan"]["targets"][0]["origin_mapping"] == "listed-files"
    assert_mapped_to_base(doc, overlay)


def test_listed_files_with_the_same_name_twice_stay_unmapped(tmp_path, monkeypatch):
    write(tmp_path, "a/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n")
    write(tmp_path, "a/kustomization.yaml", "resources: [svc.yaml]\n")
    write(tmp_path, "b/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n")
    write(tmp_path, "b/kustomization.yaml", "resources: [svc.yaml]\n")
    write(tmp_path, "top/kustomization.yaml", "bases: [../a, ../b]\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_tool(bin_dir, "kustomize", OLD_KUSTOMIZE)
    (tmp_path / "stream.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n")
    monkeypatch.setenv("FAKE_STREAM", str(tmp_path / "stream.yaml"))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    load = load_kustomize("top")
    assert [r.origin for r in load.resources] == [Origin("file", "top", rendered_from="top")]


def test_kustomize_failure_is_one_line_and_exit_2(tmp_path, monkeypatch, renderer):
    write(tmp_path, "broken/kustomization.yaml", "resources:\n  - missing.yaml\n")
    monkeypatch.chdir(tmp_path)
    result = run(["scan", "kustomize", "broken"])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"kubecomply: error: `{renderer} broken` failed (exit 1): ")
    assert "missing.yaml" in line


def test_missing_kustomize_names_the_tools(tmp_path, monkeypatch):
    write(tmp_path, "overlay/kustomization.yaml", "resources: []\n")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    result = run(["scan", "kustomize", str(tmp_path / "overlay")])
    assert result.exit_code == 2
    assert result.stderr.strip() == "kubecomply: error: kustomize build needs `kustomize` or `kubectl` on the PATH"


def test_a_hanging_renderer_times_out(tmp_path):
    sleeper = fake_tool(tmp_path, "sleeper", "import time\ntime.sleep(30)\n")
    with pytest.raises(RenderError, match=r"`sleeper x` did not finish within 0.5 s"):
        run_tool([str(sleeper)], "sleeper x", timeout=0.5)


def test_renderer_stderr_is_cut_to_its_first_lines(tmp_path):
    noisy = fake_tool(tmp_path, "noisy", "import sys\nsys.stderr.write('E1128 08:32:24.656506   22002 run.go:72] first\\n\\nsecond\\nthird\\n')\nsys.exit(3)\n")
    with pytest.raises(RenderError) as caught:
        run_tool([str(noisy)], "noisy chart")
    assert str(caught.value) == "`noisy chart` failed (exit 3): first; second"


# ---------------------------------------------------------------- Helm

HELM_STREAM = """\
---
# Source: shop/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: demo-shop
---
# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo-shop
spec:
  template:
    spec:
      containers:
        - name: shop
          image: "shop:1.0"
          securityContext:
            privileged: true
---
# Source: shop/templates/deployment.yaml
apiVersion: v1
kind: Service
metadata:
  name: demo-shop
spec:
  ports:
    - port: 80
---
# Source: shop/charts/cache/templates/pod.yaml
apiVersion: v1
kind: Pod
metadata:
  name: demo-cache
spec:
  hostPID: true
  containers:
    - name: cache
      image: redis:7
---
# Source: shop/templates/tests/test-connection.yaml
apiVersion: v1
kind: Pod
metadata:
  name: demo-shop-test
  annotations:
    "helm.sh/hook": test
spec:
  containers:
    - name: wget
      image: busybox
"""

FAKE_HELM = """\
import json, os, sys
args = sys.argv[1:]
if args[:2] == ["version", "--short"]:
    print("v3.99.0+fake")
    sys.exit(0)
with open(os.environ["FAKE_HELM_LOG"], "a") as log:
    log.write(json.dumps(args) + "\\n")
sys.stdout.write(open(os.environ["FAKE_HELM_STREAM"]).read())
"""


@pytest.fixture
def chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A chart folder named differently from the chart (shop), a subchart, and a stand-in helm."""
    folder = tmp_path / "charts/shop-chart"
    write(folder, "Chart.yaml", "apiVersion: v2\nname: shop\nversion: 0.1.0\n")
    write(folder, "values.yaml", "replicaCount: 1\n")
    for template in ("templates/serviceaccount.yaml", "templates/deployment.yaml", "charts/cache/templates/pod.yaml"):
        write(folder, template, "{{- /* template text, not YAML */ -}}\n")
    # templates/tests/test-connection.yaml deliberately missing: the chart path is used
    write(tmp_path, "values-prod.yaml", "replicaCount: 3\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_tool(bin_dir, "helm", FAKE_HELM)
    (tmp_path / "stream.yaml").write_text(HELM_STREAM, encoding="utf-8")
    monkeypatch.setenv("FAKE_HELM_STREAM", str(tmp_path / "stream.yaml"))
    monkeypatch.setenv("FAKE_HELM_LOG", str(tmp_path / "helm.log"))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    return folder


def test_helm_source_comments_name_the_template(chart):
    doc = scan_json(["scan", "helm", "charts/shop-chart", "-f", "values-prod.yaml", "--set", "image.tag=2.0", "--set", "db.password=hunter2",
                     "--release-name", "demo", "--namespace", "shop"])
    origins = {(r["kind"], r["name"]): r["origin"] for r in doc["resources"]}
    chart_path = "charts/shop-chart"
    assert origins[("ServiceAccount", "demo-shop")] == {"type": "file", "path": f"{chart_path}/templates/serviceaccount.yaml", "document": 1, "rendered_from": chart_path}
    # two documents from one template: document counts within the template, no line
    assert origins[("Deployment", "demo-shop")] == {"type": "file", "path": f"{chart_path}/templates/deployment.yaml", "document": 1, "rendered_from": chart_path}
    assert origins[("Service", "demo-shop")] == {"type": "file", "path": f"{chart_path}/templates/deployment.yaml", "document": 2, "rendered_from": chart_path}
    assert origins[("Pod", "demo-cache")]["path"] == f"{chart_path}/charts/cache/templates/pod.yaml"  # subchart
    assert origins[("Pod", "demo-shop-test")] == {"type": "file", "path": chart_path, "document": 1, "rendered_from": chart_path}  # no such file
    [privileged] = [f for f in doc["findings"] if f["policy"] == "privileged-containers"]
    assert privileged["origin"]["path"] == f"{chart_path}/templates/deployment.yaml" and "line" not in privileged["origin"]
    assert privileged["path"] == "spec.template.spec.containers[0].securityContext.privileged"

    [target] = doc["scan"]["targets"]
    stream = (chart.parent.parent / "stream.yaml").read_bytes()  # what the fake helm printed
    assert target == {"type": "helm", "path": chart_path, "renderer": "helm template", "renderer_version": "v3.99.0+fake", "release_name": "demo",
                      "namespace": "shop", "values": ["values-prod.yaml"], "set": ["image.tag", "db.password"],
                      "rendered_sha256": hashlib.sha256(stream).hexdigest(), "rendered_bytes": len(stream)}
    # provenance: the values file that decided the render, hashed as it was on disk
    values = (chart.parent.parent / "values-prod.yaml").read_bytes()
    assert doc["scan"]["inputs"] == [{"path": "values-prod.yaml", "sha256": hashlib.sha256(values).hexdigest(), "bytes": len(values)}]
    assert "hunter2" not in json.dumps(doc)  # --set values may be credentials: keys only
    [argv] = [json.loads(line) for line in (chart.parent.parent / "helm.log").read_text().splitlines()]
    assert argv == ["template", "demo", "charts/shop-chart", "--values", "values-prod.yaml", "--set", "image.tag=2.0", "--set", "db.password=hunter2", "--namespace", "shop"]


def test_helm_findings_in_sarif_name_the_template_without_a_region(chart):
    result = run(["scan", "helm", "charts/shop-chart", "--format", "sarif"])
    assert result.exit_code == 1
    results = json.loads(result.stdout)["runs"][0]["results"]
    [privileged] = [r for r in results if r["ruleId"] == "privileged-containers"]
    physical = privileged["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "charts/shop-chart/templates/deployment.yaml"}}


def test_helm_source_comment_belongs_only_to_its_document():
    text = "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n---\n# Source: c/templates/c.yaml\n# another comment\n\nkind: C\n"
    assert helm_sources(text) == {3: "c/templates/a.yaml", 12: "c/templates/c.yaml"}


def test_helm_failure_and_missing_helm(chart, monkeypatch):
    monkeypatch.setenv("FAKE_HELM_STREAM", str(chart / "no-such-file"))  # the stand-in crashes: a failing helm
    result = run(["scan", "helm", "charts/shop-chart"])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("kubecomply: error: `helm template charts/shop-chart` failed (exit 1): ")
    monkeypatch.setenv("PATH", str(chart / "nothing-here"))
    result = run(["scan", "helm", "charts/shop-chart"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "kubecomply: error: helm template needs `helm` on the PATH"


def test_real_helm_chart(tmp_path, monkeypatch):
    """`helm create` makes a chart offline; its templates are where findings point."""
    require_tool("helm")  # the pinned Helm that `make tools` builds, first on PATH
    monkeypatch.chdir(tmp_path)
    subprocess.run(["helm", "create", "web"], check=True, capture_output=True)
    doc = scan_json(["scan", "helm", "web", "--release-name", "r1"])
    paths = {r["origin"]["path"] for r in doc["resources"]}
    assert "web/templates/deployment.yaml" in paths and "web/templates/service.yaml" in paths
    assert all(r["origin"]["rendered_from"] == "web" and "line" not in r["origin"] for r in doc["resources"])
