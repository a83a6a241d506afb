# METADATA
# title: Replicated workload without a PodDisruptionBudget
# description: >-
#   A PodDisruptionBudget limits how many pods of a workload voluntary
#   disruptions (node drains, cluster upgrades, the autoscaler removing nodes)
#   may take down at once. Without one, a drain can evict every replica of a
#   Deployment or StatefulSet together and the service goes down even though
#   it runs several copies. Checked for workloads with more than one replica
#   (spec.replicas, or the minReplicas of a HorizontalPodAutoscaler that
#   targets them). A budget covers the workload when its spec.selector
#   (matchLabels and In, NotIn, Exists, DoesNotExist expressions) matches the
#   pod template labels; an empty selector selects every pod of the namespace
#   in policy/v1 and none in policy/v1beta1. In a manifest scan only the
#   scanned files are seen, so a budget applied separately is not found.
# custom:
#   id: pdb-coverage
#   severity: low
#   kinds: [Deployment, StatefulSet]
#   reads: [PodDisruptionBudget, HorizontalPodAutoscaler]
#   population: Deployments and StatefulSets that run two or more replicas (spec.replicas, or a HorizontalPodAutoscaler's minReplicas)
#   remediation: >-
#     Add a PodDisruptionBudget (policy/v1) in the workload's namespace whose
#     selector matches the pod template labels, with minAvailable or
#     maxUnavailable chosen so that at least one replica stays up (for example
#     maxUnavailable: 1), and scan it together with the workload.
#   references:
#     kube_score: ["deployment-has-poddisruptionbudget", "statefulset-has-poddisruptionbudget"]
#     polaris: ["missingPodDisruptionBudget"]
package kubecomply.resources.pdb_coverage

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

# Cost notes (regorus): the lookups below are unrolled per apiVersion, because
# iterating a list of versions and looking each one up measured five times
# slower than separate rule bodies with constant keys; and the namespace
# bucket is looked up once and passed on. Nothing here scans the inventory.

# Population: workloads that run two or more replicas, by spec.replicas or
# through a HorizontalPodAutoscaler's minReplicas. A single replica has no
# availability for a PodDisruptionBudget to keep (single-replica reports it).
applies if _replicated(input.spec.replicas)

applies if _hpa_keeps_two(_scope(input.metadata), input)

deny contains result if {
	replicas := input.spec.replicas
	is_number(replicas)
	replicas > 1
	not _covered(_scope(input.metadata), _labels(input))
	result := {
		"msg": sprintf("%s %s runs %v replicas but no PodDisruptionBudget in %s among the scanned resources selects its pod labels", [input.kind, json.marshal(object.get(input.metadata, "name", "")), replicas, _where(input.metadata)]),
		"path": ["spec", "replicas"],
	}
}

# Not replicated by spec.replicas, but an HPA keeps it at two or more.
deny contains result if {
	not _replicated(input.spec.replicas)
	scope := _scope(input.metadata)
	_hpa_keeps_two(scope, input)
	not _covered(scope, _labels(input))
	result := {
		"msg": sprintf("%s %s is kept at 2 or more replicas by a HorizontalPodAutoscaler but no PodDisruptionBudget in %s among the scanned resources selects its pod labels", [input.kind, k8s.quote(input.metadata.name), _where(input.metadata)]),
		"path": k8s.deepest_existing_path([], input, ["spec", "replicas"]),
	}
}

_replicated(n) if {
	is_number(n)
	n > 1
}

# The inventory objects filed with the workload: its namespace, or for an
# object without a namespace the cluster bucket, where the scanner files every
# namespace-less object (they end up in the same namespace when applied).
_scope(meta) := data.inventory.namespace[meta.namespace]

_scope(meta) := data.inventory.cluster if _no_namespace[object.get(meta, "namespace", null)]

_no_namespace := {null, ""}

_labels(obj) := labels if {
	labels := obj.spec.template.metadata.labels
	is_object(labels)
} else := {}

_covered(scope, labels) if {
	some pdb in scope["policy/v1"].PodDisruptionBudget
	_selects(pdb.spec.selector, false, labels)
}

_covered(scope, labels) if {
	some pdb in scope["policy/v1beta1"].PodDisruptionBudget
	_selects(pdb.spec.selector, true, labels)
}

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

# minReplicas defaults to 1.
_targets_with_two(hpa, obj) if {
	ref := hpa.spec.scaleTargetRef
	ref.kind == obj.kind
	ref.name == obj.metadata.name
	min := hpa.spec.minReplicas
	is_number(min)
	min >= 2
}

# A label selector as the API server evaluates it: every matchLabels pair and
# every expression must hold. A null or missing selector selects nothing; an
# empty one selects everything in policy/v1 and nothing in policy/v1beta1.
_selects(sel, beta, labels) if {
	is_object(sel)
	match_labels := k8s.as_object(object.get(sel, "matchLabels", {}))
	exprs := k8s.as_array(object.get(sel, "matchExpressions", []))
	not _empty_in_beta(beta, match_labels, exprs)
	every key, value in match_labels {
		labels[key] == value
	}
	every expr in exprs {
		_expr_matches(expr, labels)
	}
}

_empty_in_beta(true, match_labels, exprs) if {
	count(match_labels) == 0
	count(exprs) == 0
}

_expr_matches(expr, labels) if {
	expr.operator == "In"
	is_array(expr.values)
	labels[expr.key] in expr.values
}

_expr_matches(expr, labels) if {
	expr.operator == "NotIn"
	is_array(expr.values)
	not labels[expr.key] in expr.values
}

_expr_matches(expr, labels) if {
	expr.operator == "Exists"
	_ = labels[expr.key]
}

_expr_matches(expr, labels) if {
	expr.operator == "DoesNotExist"
	not _has_key(labels, expr.key)
}

_has_key(obj, key) if {
	_ = obj[key]
}

# Names are quoted with json.marshal, as k8s.quote does for strings, without
# the function call (these messages are built for every violation).
_where(meta) := sprintf("namespace %s", [json.marshal(meta.namespace)]) if {
	not _no_namespace[object.get(meta, "namespace", null)]
} else := "the objects without a namespace"
