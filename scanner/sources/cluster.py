"""Read a live cluster through the Kubernetes API, and say exactly what could not be read.

The transport (connecting, retries) is in ``kube_api``; this module decides what to
read and how to account for it.

What is collected: the kinds the loaded checks declare (``workloads`` expanded), plus
Namespaces, found through discovery (each group's preferred version).  Every kind a
check names explicitly but that cannot be listed (not served, 403, 404, timeout, an
error after retries) becomes a ``CoverageGap(type="kind")`` with the reason; kinds
that only come from expanding ``workloads`` and that the server does not serve (such
as OpenShift's DeploymentConfig on other clusters) are noted in ``not_served`` instead,
because no object of that kind can exist there.

Secrets are listed in the metadata-only form (``PartialObjectMetadataList``), so no
secret value is ever sent to the scanner.  That form has no ``type``; a second
metadata-only list per type in ``SECRET_TYPES`` (``fieldSelector=type=...``) tells
which secrets are service-account tokens, and only those get ``type`` set.

Pods and ReplicaSets whose controlling owner was itself collected are left out (the
controller is what to fix) and counted in ``skipped_owned``.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence
from urllib.parse import quote

from scanner import progress
from scanner.gc_pause import paused_gc
from scanner.model import CoverageGap, Origin, Resource
from scanner.redact import LAST_APPLIED
from scanner.sources.api_answers import api_resources, continue_token, expect_object, list_items, preferred_group_versions
from scanner.threads import map_threads
from scanner.sources.cluster_identity import access_summary, cluster_uid, scanning_identity
from scanner.sources.kube_api import ApiGetter, ClusterError, ClusterOptions, Connection, ListError, connect, list_contexts

__all__ = [
    "ClusterCollection", "ClusterError", "ClusterOptions", "Connection", "KindInfo", "ListError",
    "collect", "connect", "discover", "list_contexts", "required_kinds", "strip_object",
]

METADATA_ONLY_ACCEPT = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
SECRET_TYPES: tuple[str, ...] = ("kubernetes.io/service-account-token",)
ALWAYS_COLLECTED = ("Namespace",)
OWNED_KINDS = ("Pod", "ReplicaSet")


@dataclass(frozen=True)
class KindInfo:
    """Where the API serves one kind (from discovery)."""

    kind: str
    group: str
    version: str
    plural: str
    namespaced: bool

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def list_path(self, namespace: str | None = None) -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if namespace is not None:
            return f"{base}/namespaces/{quote(namespace, safe='')}/{self.plural}"
        return f"{base}/{self.plural}"


@dataclass
class ClusterCollection:
    """Everything read from one cluster: objects (stripped, secrets metadata only) and gaps."""

    context: str | None
    server: str
    version: str | None
    collected_at: str
    objects: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[CoverageGap] = field(default_factory=list)
    collected_kinds: list[str] = field(default_factory=list)
    not_served: list[str] = field(default_factory=list)
    skipped_owned: dict[str, int] = field(default_factory=dict)
    namespaces: list[str] = field(default_factory=list)  # --namespace as given
    exclude_namespaces: list[str] = field(default_factory=list)
    requests: int = 0
    retries: int = 0
    bytes_read: int = 0  # of API answers, against ClusterOptions.memory_budget
    evidence: dict[str, str] | None = None  # for a snapshot: its file, digest and the version that wrote it
    # provenance (cluster_identity): the kube-system UID, who the server took the scanner for, what it could list
    cluster_uid: str | None = None
    cluster_uid_error: str | None = None
    identity: dict[str, Any] | None = None
    access: dict[str, Any] | None = None

    @property
    def origin(self) -> Origin:
        return Origin(type="cluster", context=self.context, server=self.server, collected_at=self.collected_at)

    def resources(self) -> list[Resource]:
        origin = self.origin
        return [Resource(obj, origin) for obj in self.objects]

    def missing_kinds(self) -> dict[str, str]:
        """kind -> why it was not collected (the kind gaps)."""
        return {g.kind: g.reason for g in self.gaps if g.type == "kind" and g.kind}

    def target(self) -> dict[str, Any]:
        info: dict[str, Any] = {"type": "cluster", "context": self.context, "server": self.server, "version": self.version, "collected_at": self.collected_at}
        if self.namespaces:
            info["namespaces"] = list(self.namespaces)
        if self.exclude_namespaces:
            info["exclude_namespaces"] = list(self.exclude_namespaces)
        if self.evidence:
            info.update(self.evidence)
        info.update({"cluster_uid": self.cluster_uid, "cluster_uid_error": self.cluster_uid_error, "identity": self.identity, "access": self.access})
        return {k: v for k, v in info.items() if v is not None}


# ---------------------------------------------------------------------- discovery

@dataclass
class Discovery:
    kinds: dict[str, KindInfo]
    failures: list[str]  # group versions whose discovery failed


def discover(client: ApiGetter, workers: int) -> Discovery:
    """kind -> where it is served, from each group's preferred version; core group first.

    Raises ListError when /api or /apis cannot be read (the cluster cannot be used);
    a group whose document cannot be read or is malformed is a failure, not an error.
    """
    group_versions, failures = preferred_group_versions(client.get("/api"), client.get("/apis"))

    def fetch(path: str) -> tuple[str, tuple[str, list[dict[str, Any]]] | None, str | None]:
        try:
            # One retry only: an aggregated API that is down (metrics.k8s.io answering 503 is
            # common) must not slow every scan; it matters only if a needed kind lives there.
            return path, api_resources(client.get(path, retries=1), path), None
        except ListError as exc:
            return path, None, f"{path.split('/', 2)[2]}: {exc.reason}"

    kinds: dict[str, KindInfo] = {}
    for path, parsed, failure in map_threads(fetch, group_versions, workers, client.cancel, "discovery"):  # keeps the server's order
        if failure:
            failures.append(failure)
            continue
        assert parsed is not None
        gv, resources = parsed
        group, _, version = gv.rpartition("/")
        for res in resources:
            kind = res["kind"]
            if kind not in kinds:  # first wins: the core group, then the server's group order
                kinds[kind] = KindInfo(kind, group, version, res["name"], bool(res.get("namespaced")))
    return Discovery(kinds, failures)


# ---------------------------------------------------------------------- collection

def _in_scope(namespace: str | None, include: Sequence[str], exclude: Sequence[str]) -> bool:
    if namespace is None:
        return True
    if include and not any(fnmatch.fnmatchcase(namespace, p) for p in include):
        return False
    return not any(fnmatch.fnmatchcase(namespace, p) for p in exclude)


def _literal(patterns: Sequence[str]) -> bool:
    return bool(patterns) and not any(ch in p for p in patterns for ch in "*?[")


def strip_object(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop managedFields and the last-applied annotation: noise, and the latter can repeat secret values."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
        annotations = meta.get("annotations")
        if isinstance(annotations, dict) and LAST_APPLIED in annotations:
            del annotations[LAST_APPLIED]
            if not annotations:
                del meta["annotations"]
    return obj


class _Gone(Exception):
    pass


def _list_kind(client: ApiGetter, info: KindInfo, options: ClusterOptions, metadata_only: bool, field_selector: str | None = None) -> list[dict[str, Any]]:
    """Every object of one kind in scope, page by page; relists once on 410 Gone."""
    include, exclude = options.namespaces, options.exclude_namespaces
    if info.namespaced and _literal(include):
        paths = [info.list_path(ns) for ns in dict.fromkeys(include) if _in_scope(ns, (), exclude)]
    else:
        paths = [info.list_path()]
    accept = METADATA_ONLY_ACCEPT if metadata_only else "application/json"
    out: list[dict[str, Any]] = []
    for path in paths:
        for attempt in (1, 2):
            try:
                out.extend(_pages(client, path, info, options, accept, metadata_only, field_selector))
                break
            except _Gone:
                if attempt == 2:
                    raise ListError("410 gone: the list expired twice while paging (continue token too old); relisted once") from None
    if info.namespaced and (include or exclude):
        out = [o for o in out if _in_scope((o.get("metadata") or {}).get("namespace"), include, exclude)]
    elif info.kind == "Namespace" and (include or exclude):
        out = [o for o in out if _in_scope((o.get("metadata") or {}).get("name"), include, exclude)]
    return out


def _pages(client: ApiGetter, path: str, info: KindInfo, options: ClusterOptions, accept: str, metadata_only: bool, field_selector: str | None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = ""
    api_version, kind = info.api_version, info.kind
    seen_tokens: set[str] = set()
    pages = 0
    while True:
        pages += 1
        if pages > options.max_pages:
            raise ListError(f"more than {options.max_pages} pages of {options.page_size}; stopped (a server that never ends its list)")
        query = [("limit", str(options.page_size))]
        if token:
            query.append(("continue", token))
        if field_selector:
            query.append(("fieldSelector", field_selector))
        try:
            body = client.get(path, query, accept)
        except ListError as exc:
            if exc.status == 410 and token:
                raise _Gone() from None
            raise
        body = expect_object(body, f"the list of {kind}")
        if metadata_only and body.get("kind") != "PartialObjectMetadataList":
            # Never keep a full list of secrets, whatever the server sent.
            raise ListError(f"the server did not return a metadata-only list (got {str(body.get('kind'))[:60]!r}); not reading {kind} contents")
        for item in list_items(body, kind):
            if metadata_only:
                item = {"metadata": item["metadata"]}
            # List items carry no apiVersion/kind; give each its own so checks see full objects.
            item["apiVersion"] = api_version
            item["kind"] = kind
            items.append(strip_object(item))
        if not field_selector:  # the typed Secret lists are the same objects again
            progress.active().advance(objects=len(body.get("items") or ()))
        token = continue_token(body, kind)
        if token in seen_tokens:
            # The same continue token again would page for ever (a buggy or hostile server).
            raise ListError(f"the server returned a continue token it had already returned (page {pages}); stopped instead of paging in a loop")
        seen_tokens.add(token)
        if not token:
            return items


def required_kinds(policies: Iterable[Any], known_groups: dict[str, tuple[str, ...]] | None = None) -> tuple[set[str], set[str]]:
    """(kinds to collect, kinds some check names explicitly or reads); ``*`` is left to the caller."""
    from scanner.policies import ALL_KINDS, KIND_GROUPS

    groups = known_groups if known_groups is not None else KIND_GROUPS
    wanted: set[str] = set(ALWAYS_COLLECTED)
    explicit: set[str] = set(ALWAYS_COLLECTED)
    for policy in policies:
        for declared in policy.declared_kinds or policy.kinds:
            if declared == ALL_KINDS:
                continue
            if declared in groups:
                wanted.update(groups[declared])
            else:
                wanted.add(declared)
                explicit.add(declared)
        # Kinds a cross-resource check looks up in data.inventory: without them it would
        # judge a namespace "without NetworkPolicy" only because none were collected.
        for kind in policy.reads:
            wanted.add(kind)
            if kind not in getattr(policy, "reads_if_served", ()):
                explicit.add(kind)
    return wanted, explicit


def _utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def collect(conn: Connection, kinds: set[str], explicit: set[str], options: ClusterOptions | None = None) -> ClusterCollection:
    """Read every kind in ``kinds`` from the cluster; raises ClusterError when the cluster cannot be reached at all.

    The cyclic garbage collector is paused meanwhile (gc_pause.paused_gc): decoding list pages
    builds hundreds of thousands of dicts that all stay alive, and with the collector on,
    measured on 20,000 objects, json.loads took about twice as long.
    """
    with paused_gc():
        return _collect(conn, kinds, explicit, options or ClusterOptions())


def _collect(conn: Connection, kinds: set[str], explicit: set[str], options: ClusterOptions) -> ClusterCollection:
    client = ApiGetter(conn, options)
    collected_at = _utc_now()
    try:
        version = expect_object(client.get("/version"), "the answer to /version").get("gitVersion")
        if not isinstance(version, str):
            version = None
        identity = scanning_identity(client)
        disc = discover(client, options.workers)
    except ListError as exc:
        raise ClusterError(f"cannot read cluster {conn.context or conn.server} ({conn.server}): {exc.reason}") from None
    result = ClusterCollection(
        conn.context, conn.server, version, collected_at,
        namespaces=list(options.namespaces), exclude_namespaces=list(options.exclude_namespaces), identity=identity,
    )
    found = {k: disc.kinds[k] for k in sorted(kinds) if k in disc.kinds}
    for kind in sorted(kinds - set(found)):
        # A workload kind absent from a complete discovery cannot exist here: a note, not a gap.
        # If any group's discovery failed, absence proves nothing, so every missing kind is a gap.
        if kind in explicit or disc.failures:
            why = "not served by this cluster (no such kind in API discovery)"
            if disc.failures:
                why = f"not found in API discovery, which failed for {', '.join(disc.failures)}"
            result.gaps.append(CoverageGap(type="kind", reason=why, cluster=conn.context or conn.server, kind=kind))
        else:
            result.not_served.append(kind)

    def task(info: KindInfo) -> tuple[KindInfo, list[dict[str, Any]] | None, str | None]:
        try:
            if info.kind == "Secret" and info.group == "":
                items = _list_kind(client, info, options, metadata_only=True)
                for secret_type in SECRET_TYPES:
                    typed = {(o["metadata"].get("namespace"), o["metadata"].get("name")) for o in _list_kind(client, info, options, True, f"type={secret_type}")}
                    for o in items:
                        if (o["metadata"].get("namespace"), o["metadata"].get("name")) in typed:
                            o["type"] = secret_type
                return info, items, None
            return info, _list_kind(client, info, options, metadata_only=False), None
        except ListError as exc:
            return info, None, exc.reason
        except MemoryError:
            return info, None, "not collected: the scanner ran out of memory while listing it; scan fewer namespaces or kinds"

    def counted_task(info: KindInfo) -> tuple[KindInfo, list[dict[str, Any]] | None, str | None]:
        outcome = task(info)
        progress.active().advance(kinds=1)  # in the listing thread: kinds count as they finish, not in order
        return outcome

    by_kind: dict[str, list[dict[str, Any]]] = {}
    for info, items, reason in map_threads(counted_task, found.values(), options.workers, client.cancel, "collect"):
        if items is None:
            result.gaps.append(CoverageGap(type="kind", reason=reason or "error", cluster=conn.context or conn.server, apiVersion=info.api_version, kind=info.kind))
        else:
            by_kind[info.kind] = items
            result.collected_kinds.append(info.kind)
    if found and not by_kind:
        # Discovery answered but not one list did: the server went away mid-scan, or these
        # credentials may list nothing. Either way nothing was read; say so as for a cluster
        # that cannot be reached, instead of a "scanned" cluster made of nothing but gaps.
        first = next(g for g in result.gaps if g.kind in found)
        raise ClusterError(f"cannot read cluster {conn.context or conn.server} ({conn.server}): no kind could be listed ({len(found)} tried); {first.kind}: {first.reason}")
    result.objects, result.skipped_owned = _skip_owned(by_kind)
    result.gaps.sort(key=CoverageGap.sort_key)
    result.collected_kinds.sort()
    result.cluster_uid, result.cluster_uid_error = cluster_uid(client, by_kind.get("Namespace", []))
    result.access = access_summary(result.collected_kinds, result.gaps)
    result.requests, result.retries, result.bytes_read = client.requests, client.retries, client.bytes_read
    return result


def _skip_owned(by_kind: dict[str, list[dict[str, Any]]]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Leave out Pods and ReplicaSets whose controlling owner was collected; count them."""
    uids = {o["metadata"].get("uid") for items in by_kind.values() for o in items}  # strings: checked by list_items
    uids.discard(None)
    objects: list[dict[str, Any]] = []
    skipped: dict[str, int] = {}
    for kind in sorted(by_kind):
        if kind not in OWNED_KINDS:
            objects.extend(by_kind[kind])
            continue
        for obj in by_kind[kind]:
            owners = obj["metadata"].get("ownerReferences")
            if isinstance(owners, list) and any(isinstance(o, dict) and o.get("controller") is True and isinstance(o.get("uid"), str) and o["uid"] in uids for o in owners):
                skipped[kind] = skipped.get(kind, 0) + 1
                continue
            objects.append(obj)
    return objects, skipped
