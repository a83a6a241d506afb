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

deny contains result if {
	replicas := input.spec.replicas
	is_number(replicas)
	replicas > 1
	not _covered(input)
	result := {
		"msg": sprintf("%s %s runs %v replicas but no PodDisruptionBudget in %s among the scanned resources selects its pod labels", [input.kind, k8s.quote(input.metadata.name), replicas, _where(input.metadata)]),
		"path": ["spec", "replicas"],
	}
}

# Not replicated by spec.replicas, but an HPA keeps it at two or more.
deny contains result if {
	not _replicated(input.spec.replicas)
	min := max(_hpa_mins(input))
	min > 1
	not _covered(input)
	result := {
		"msg": sprintf("%s %s is kept at %v or more replicas by a HorizontalPodAutoscaler but no PodDisruptionBudget in %s among the scanned resources selects its pod labels", [input.kind, k8s.quote(input.metadata.name), min, _where(input.metadata)]),
		"path": k8s.deepest_existing_path([], input, ["spec", "replicas"]),
	}
}

_replicated(n) if {
	is_number(n)
	n > 1
}

_pdb_versions := ["policy/v1", "policy/v1beta1"]

_hpa_versions := ["autoscaling/v2", "autoscaling/v2beta2", "autoscaling/v2beta1", "autoscaling/v1"]

_covered(obj) if {
	labels := k8s.as_object(object.get(obj, ["spec", "template", "metadata", "labels"], {}))
	some version in _pdb_versions
	some pdb in _objects(obj.metadata, version, "PodDisruptionBudget")
	_selects(pdb.spec.selector, version, labels)
}

_hpa_mins(obj) := {min |
	some version in _hpa_versions
	some hpa in _objects(obj.metadata, version, "HorizontalPodAutoscaler")
	ref := hpa.spec.scaleTargetRef
	ref.kind == obj.kind
	ref.name == obj.metadata.name
	min := hpa.spec.minReplicas
	is_number(min)
}

# A label selector as the API server evaluates it: every matchLabels pair and
# every expression must hold. A null or missing selector selects nothing; an
# empty one selects everything in policy/v1 and nothing in policy/v1beta1.
_selects(sel, version, labels) if {
	is_object(sel)
	match_labels := k8s.as_object(object.get(sel, "matchLabels", {}))
	exprs := k8s.as_array(object.get(sel, "matchExpressions", []))
	not _empty_in_beta(version, match_labels, exprs)
	every key, value in match_labels {
		labels[key] == value
	}
	every expr in exprs {
		_expr_matches(expr, labels)
	}
}

_empty_in_beta("policy/v1beta1", match_labels, exprs) if {
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

# Objects of one apiVersion and kind in the namespace of `meta`. The scanner
# files objects without a namespace under data.inventory.cluster, so a
# namespace-less workload is compared with the other namespace-less objects.
_objects(meta, version, kind) := data.inventory.namespace[meta.namespace][version][kind] if {
	_has_namespace(meta)
}

_objects(meta, version, kind) := data.inventory.cluster[version][kind] if {
	not _has_namespace(meta)
}

_has_namespace(meta) if {
	is_string(meta.namespace)
	meta.namespace != ""
}

_where(meta) := sprintf("namespace %s", [k8s.quote(meta.namespace)]) if {
	_has_namespace(meta)
} else := "the objects without a namespace"
