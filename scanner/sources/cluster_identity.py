"""Which cluster was scanned, as whom, and what that identity could list.

A context name and a server URL can point at another cluster tomorrow; the
``kube-system`` namespace's UID is fixed for the cluster's life, so it is the
cluster's identity in a result.  The scanning principal comes from a
SelfSubjectReview (``authentication.k8s.io``, GA in Kubernetes 1.28, beta in
1.27, alpha in 1.26): the API server says who it took the scanner for.  Only
the username, UID and groups are kept: ``extra`` can carry provider tokens or
assertions (GKE puts a signed user assertion there), and no credential is
ever stored.  What the identity was allowed to list is summed up from the
kinds collected and refused (``access``).
"""

from __future__ import annotations

from typing import Any, Sequence

from scanner.model import CoverageGap
from scanner.sources.kube_api import ApiGetter, ListError

KUBE_SYSTEM = "kube-system"
REVIEW_VERSIONS = ("v1", "v1beta1", "v1alpha1")


def cluster_uid(client: ApiGetter, namespaces: Sequence[dict[str, Any]]) -> tuple[str | None, str | None]:
    """(kube-system UID, why it is unknown); from the Namespaces collected, else one list of just kube-system.

    A namespace-scoped scan leaves kube-system out of what it collected.  The
    extra request is a *list* with a field selector, not a GET, because the
    scanner's role (deploy/rbac.yaml) grants ``list`` only.
    """
    for ns in namespaces:
        meta = ns.get("metadata") or {}
        if meta.get("name") == KUBE_SYSTEM and meta.get("uid"):
            return str(meta["uid"]), None
    try:
        body = client.get("/api/v1/namespaces", [("fieldSelector", f"metadata.name={KUBE_SYSTEM}")], retries=1)
    except ListError as exc:
        return None, f"cannot read namespace {KUBE_SYSTEM}: {exc.reason}"
    for item in body.get("items") or ():
        meta = item.get("metadata") or {}
        if meta.get("name") == KUBE_SYSTEM and meta.get("uid"):
            return str(meta["uid"]), None
    return None, f"namespace {KUBE_SYSTEM} not found"


def scanning_identity(client: ApiGetter) -> dict[str, Any]:
    """Who the API server says the scanner is: ``{"username", "uid", "groups", "source"}``, or ``{"unknown": why}``."""
    not_served = []
    for version in REVIEW_VERSIONS:
        review = {"apiVersion": f"authentication.k8s.io/{version}", "kind": "SelfSubjectReview"}
        try:
            body = client.post(f"/apis/authentication.k8s.io/{version}/selfsubjectreviews", review, retries=1)
        except ListError as exc:
            if exc.status in (404, 405):
                not_served.append(version)
                continue
            return {"unknown": f"SelfSubjectReview failed: {exc.reason}"}
        info = (body.get("status") or {}).get("userInfo") or {}
        if not isinstance(info, dict) or not info.get("username"):
            return {"unknown": "SelfSubjectReview answered without a username"}
        identity: dict[str, Any] = {"username": str(info["username"])}
        if info.get("uid"):
            identity["uid"] = str(info["uid"])
        groups = info.get("groups")
        identity["groups"] = sorted(str(g) for g in groups) if isinstance(groups, list) else []
        identity["source"] = f"SelfSubjectReview authentication.k8s.io/{version}"
        return identity  # ``extra`` is dropped on purpose: it may hold tokens
    return {"unknown": "SelfSubjectReview not served (authentication.k8s.io " + ", ".join(not_served) + ")"}


def access_summary(collected_kinds: Sequence[str], gaps: Sequence[CoverageGap]) -> dict[str, Any]:
    """What the identity could list: kinds collected, and those refused (403) or not read for another reason."""
    forbidden = sorted({g.kind for g in gaps if g.type == "kind" and g.kind and g.reason.startswith("403")})
    failed = sorted({g.kind for g in gaps if g.type == "kind" and g.kind and not g.reason.startswith("403")} - set(forbidden))
    return {"kinds_listed": len(collected_kinds), "kinds_forbidden": forbidden, "kinds_not_read": failed}
