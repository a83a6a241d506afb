# METADATA
# title: Single replica
# description: >-
#   A Deployment or StatefulSet with one replica (spec.replicas: 1, or unset,
#   which defaults to 1) goes down whenever its only pod is evicted, its node
#   is drained or upgraded, or the pod crashes, and a rollout of a
#   StatefulSet has a gap. A HorizontalPodAutoscaler that targets the workload
#   overrides spec.replicas: one with minReplicas of 2 or more among the
#   scanned resources makes this check pass; one that may scale down to 1 does
#   not. Workloads scaled to 0 on purpose are not reported.
# custom:
#   id: single-replica
#   severity: low
#   kinds: [Deployment, StatefulSet]
#   remediation: >-
#     Run at least two replicas (spec.replicas: 2 or more) spread over nodes
#     with topologySpreadConstraints or pod anti-affinity, or let a
#     HorizontalPodAutoscaler with minReplicas: 2 or more manage the count. If
#     the workload cannot run more than one copy (a singleton), waive the
#     finding with that reason.
#   references:
#     polaris: ["deploymentMissingReplicas"]
package kubecomply.resources.single_replica

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

# spec.replicas absent or null: the API server defaults it to 1.
deny contains result if {
	not input.spec.replicas != null
	not _hpa_keeps_two(input)
	result := {
		"msg": sprintf("%s %s does not set spec.replicas, so it runs 1 replica, and no HorizontalPodAutoscaler among the scanned resources keeps it at 2 or more", [input.kind, k8s.quote(input.metadata.name)]),
		"path": k8s.deepest_existing_path([], input, ["spec", "replicas"]),
	}
}

deny contains result if {
	input.spec.replicas == 1
	not _hpa_keeps_two(input)
	result := {
		"msg": sprintf("%s %s runs 1 replica (spec.replicas: 1), and no HorizontalPodAutoscaler among the scanned resources keeps it at 2 or more", [input.kind, k8s.quote(input.metadata.name)]),
		"path": ["spec", "replicas"],
	}
}

# An HPA in the same namespace whose scaleTargetRef names this workload and
# whose minReplicas (default 1) is at least 2. Keyed lookups only: the
# workload's namespace, then each HPA apiVersion.
_hpa_versions := ["autoscaling/v2", "autoscaling/v2beta2", "autoscaling/v2beta1", "autoscaling/v1"]

_hpa_keeps_two(obj) if {
	some version in _hpa_versions
	some hpa in _objects(obj.metadata, version, "HorizontalPodAutoscaler")
	ref := hpa.spec.scaleTargetRef
	ref.kind == obj.kind
	ref.name == obj.metadata.name
	min := hpa.spec.minReplicas
	is_number(min)
	min >= 2
}

# Objects of one apiVersion and kind in the namespace of `meta`. The scanner
# files objects without a namespace under data.inventory.cluster, so a
# namespace-less workload is compared with the other namespace-less objects.
_objects(meta, version, kind) := data.inventory.namespace[meta.namespace][version][kind] if {
	is_string(meta.namespace)
	meta.namespace != ""
}

_objects(meta, version, kind) := data.inventory.cluster[version][kind] if {
	not _has_namespace(meta)
}

_has_namespace(meta) if {
	is_string(meta.namespace)
	meta.namespace != ""
}
