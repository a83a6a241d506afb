# METADATA
# title: Permission to create pods
# description: >-
#   Whoever can create a pod chooses what runs in it: any service account of
#   the namespace (and so its token and permissions), any Secret or ConfigMap
#   mounted as a volume, and, where admission control does not stop it,
#   privileged mode or host paths. Creating pods is therefore close to holding
#   every permission of every service account in reach. Creating a workload
#   controller (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob,
#   ReplicationController) is reported too, because the controller creates
#   the pods from the template the requester wrote. update and patch on those
#   controllers are not reported here. A rule limited with resourceNames is
#   skipped: Kubernetes cannot authorise create by object name, so such a rule
#   grants no creation. Roles named "system:..." and the default roles
#   labelled kubernetes.io/bootstrapping: rbac-defaults belong to Kubernetes
#   and are skipped; aggregated ClusterRoles are checked on the rules they
#   carry.
# custom:
#   id: rbac-create-pods
#   severity: medium
#   kinds: [Role, ClusterRole]
#   population: Roles and ClusterRoles other than the built-in ones Kubernetes reconciles (name prefix system:, label kubernetes.io/bootstrapping=rbac-defaults)
#   remediation: >-
#     Give create on pods and workload controllers only to the deployment
#     identity that needs it (a CI or GitOps service account), in the
#     namespaces it deploys to, with a Role rather than a ClusterRole. Enforce
#     Pod Security Admission (restricted or baseline) in those namespaces so
#     that the pods it can create stay unprivileged.
#   references:
#     cis: ["5.1.4"]
#     kubescape: ["C-0188"]
#     trivy: ["KSV-0048"]
package kubecomply.rbac.rbac_create_pods

import rego.v1

import data.kubecomply.lib.rbac

# The exact grants are matched only for prefiltered rules, so their target
# lists are written where they are used: a package-level constant would be
# evaluated for every Role and ClusterRole (measured ~14 µs per check each).

# Cheap prefilter on direct field reads, before any function call: the
# indexes of rules that name one of the resources (or a wildcard covering
# them) and one of the verbs (or "*"). The full group, resource and verb
# match runs only for these.
_resource_hits := {"pods", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs", "replicationcontrollers", "*"}

_verb_hits := {"create", "*"}

_candidates contains i if {
	rules := input.rules
	is_array(rules)
	some i, rule in rules
	resources := rule.resources
	is_array(resources)
	some resource in resources
	_resource_hits[resource]
	verbs := rule.verbs
	is_array(verbs)
	some verb in verbs
	_verb_hits[verb]
}

# Population: roles other than the ones Kubernetes creates and reconciles
# itself (name prefix "system:", label kubernetes.io/bootstrapping:
# rbac-defaults), whose rules cannot be changed durably.
applies if not rbac.builtin(input.metadata)

deny contains result if {
	some i in _candidates
	not rbac.builtin(input.metadata)
	rule := input.rules[i]
	not _named(rule)
	count(rbac.granted_verbs(rule, ["create"])) > 0
	resources := rbac.granted_resources(rule, [
		["", "pods"],
		["apps", "deployments"],
		["apps", "replicasets"],
		["apps", "statefulsets"],
		["apps", "daemonsets"],
		["batch", "jobs"],
		["batch", "cronjobs"],
		["", "replicationcontrollers"],
	])
	count(resources) > 0
	result := {
		"msg": sprintf("%s grants create on %s (rules[%d])", [rbac.role_label(input), concat(", ", resources), i]),
		"path": ["rules", i],
	}
}

_named(rule) if {
	names := rule.resourceNames
	is_array(names)
	count(names) > 0
}
