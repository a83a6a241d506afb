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
#   reads: [HorizontalPodAutoscaler]
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
	object.get(input, ["spec", "replicas"], null) == null
	not _hpa_keeps_two(_scope(object.get(input, "metadata", {})), input)
	result := {
		"msg": sprintf("%s %s does not set spec.replicas, so it runs 1 replica, and no HorizontalPodAutoscaler among the scanned resources keeps it at 2 or more", [input.kind, k8s.quote(input.metadata.name)]),
		"path": _spec_path,
	}
}

deny contains result if {
	input.spec.replicas == 1
	not _hpa_keeps_two(_scope(object.get(input, "metadata", {})), input)
	result := {
		"msg": sprintf("%s %s runs 1 replica (spec.replicas: 1), and no HorizontalPodAutoscaler among the scanned resources keeps it at 2 or more", [input.kind, k8s.quote(input.metadata.name)]),
		"path": ["spec", "replicas"],
	}
}

# Where to point when spec.replicas is missing: spec, or the document.
_spec_path := ["spec"] if {
	_ = input.spec
} else := []

# An HPA filed with the workload whose scaleTargetRef names it and whose
# minReplicas (default 1) is at least 2. One body per apiVersion with constant
# keys: iterating a list of versions measured five times slower in regorus.
_hpa_keeps_two(scope, obj) if {
	some hpa in scope["autoscaling/v2"].HorizontalPodAutoscaler
	_targets_with_two(hpa, obj)
}

_hpa_keeps_two(scope, obj) if {
	some hpa in scope["autoscaling/v1"].HorizontalPodAutoscaler
	_targets_with_two(hpa, obj)
}

_hpa_keeps_two(scope, obj) if {
	some hpa in scope["autoscaling/v2beta2"].HorizontalPodAutoscaler
	_targets_with_two(hpa, obj)
}

_hpa_keeps_two(scope, obj) if {
	some hpa in scope["autoscaling/v2beta1"].HorizontalPodAutoscaler
	_targets_with_two(hpa, obj)
}

_targets_with_two(hpa, obj) if {
	ref := hpa.spec.scaleTargetRef
	ref.kind == obj.kind
	ref.name == obj.metadata.name
	min := hpa.spec.minReplicas
	is_number(min)
	min >= 2
}

# The inventory objects filed with the workload: its namespace, or for an
# object without a namespace the cluster bucket, where the scanner files every
# namespace-less object.
# Always defined ({} without an inventory bucket): OPA evaluates a function call's
# arguments before a `not`, so an undefined scope would make `not _f(_scope(m), ...)`
# fail there (no finding) where regorus lets the `not` hold.
_scope(meta) := bucket if {
	bucket := _bucket(meta)
} else := {}

_bucket(meta) := data.inventory.namespace[meta.namespace]

_bucket(meta) := data.inventory.cluster if _no_namespace[object.get(meta, "namespace", null)]

_no_namespace := {null, ""}
