# METADATA
# title: Bindings to cluster-admin
# description: >-
#   cluster-admin allows every verb on every resource. Bound with a
#   ClusterRoleBinding it is full control of the cluster; bound with a
#   RoleBinding it is full control of that namespace, the namespace object and
#   its RBAC included. A leaked token or compromised pod of such a subject is
#   a compromise of everything it reaches, so each subject is reported at its
#   own path. Not reported: the group system:masters (its own check,
#   system-masters-group), the anonymous identities system:anonymous,
#   system:unauthenticated and system:authenticated (reported, for any role,
#   by anonymous-binding), and users named "system:..." such as
#   system:kube-controller-manager, which are the control plane's own
#   identities. Service accounts are always reported, kube-system ones
#   included, whether written as a ServiceAccount subject or as the user
#   system:serviceaccount:<namespace>:<name>: upstream Kubernetes binds no
#   service account to cluster-admin, so every such binding was added by an
#   installer or an operator and deserves a review (waive the ones you
#   accept). Groups such as system:serviceaccounts or system:nodes are
#   reported too: they hand cluster-admin to every member.
# custom:
#   id: cluster-admin-binding
#   severity: critical
#   kinds: [RoleBinding, ClusterRoleBinding]
#   population: RoleBindings and ClusterRoleBindings of the ClusterRole cluster-admin
#   remediation: >-
#     Bind the subject to a role that lists what it actually needs (the
#     default admin, edit or view ClusterRoles in a RoleBinding, or a custom
#     role), and keep cluster-admin for a few named break-glass accounts.
#     Remove the subject from the binding, or the binding itself, once a
#     narrower role is in place.
#   references:
#     cis: ["5.1.1"]
#     kubescape: ["C-0035", "C-0185"]
#     trivy: ["KSV-0111"]
package kubecomply.rbac.cluster_admin_binding

import rego.v1

import data.kubecomply.lib.rbac

# Reported by system-masters-group and anonymous-binding.
_other_checks_groups := {"system:masters", "system:authenticated", "system:unauthenticated"}

# Population: bindings of the ClusterRole cluster-admin. Who holds it is
# known only from those; other bindings say nothing about it.
applies if {
	input.roleRef.kind == "ClusterRole"
	input.roleRef.name == "cluster-admin"
}

deny contains result if {
	ref := input.roleRef
	ref.kind == "ClusterRole"
	ref.name == "cluster-admin"
	subjects := input.subjects
	is_array(subjects)
	some i, subject in subjects
	is_object(subject)
	not _excluded(subject)
	result := {
		"msg": sprintf("%s binds ClusterRole \"cluster-admin\" to %s (subjects[%d])", [rbac.binding_label(input), rbac.subject_label(subject), i]),
		"path": ["subjects", i],
	}
}

_excluded(subject) if {
	subject.kind == "Group"
	_other_checks_groups[subject.name]
}

# Control-plane users (system:kube-controller-manager, system:kube-scheduler,
# system:anonymous, ...), but not service accounts written as users.
_excluded(subject) if {
	subject.kind == "User"
	name := subject.name
	is_string(name)
	startswith(name, "system:")
	not startswith(name, "system:serviceaccount:")
}
