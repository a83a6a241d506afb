# METADATA
# title: Bindings naming the system:masters group
# description: >-
#   Members of system:masters pass every authorization check: the API server
#   allows them everything before RBAC is consulted, so no binding, role or
#   webhook can narrow their access, and membership comes from the credential
#   itself (usually the O= field of a client certificate), which cannot be
#   revoked short of rotating the cluster CA. Who is in the group cannot be
#   seen in manifests; what can be seen is a binding that names it. Such a
#   binding grants nothing the group does not already have and shows that
#   credentials in the group are expected to be in use. The default
#   cluster-admin binding that Kubernetes creates for the group (labelled
#   kubernetes.io/bootstrapping: rbac-defaults) is not reported.
# custom:
#   id: system-masters-group
#   severity: high
#   kinds: [RoleBinding, ClusterRoleBinding]
#   population: RoleBindings and ClusterRoleBindings other than the defaults Kubernetes creates (label kubernetes.io/bootstrapping=rbac-defaults)
#   remediation: >-
#     Remove the system:masters subject. Give administrators their own users
#     or groups bound to cluster-admin (or a narrower role), so access can be
#     reviewed and revoked, and keep system:masters credentials for
#     break-glass use only, stored offline.
#   references:
#     cis: ["5.1.7"]
#     kubescape: ["C-0246"]
package kubecomply.rbac.system_masters_group

import rego.v1

import data.kubecomply.lib.rbac

# Population: bindings other than the rbac-defaults ones Kubernetes creates
# and reconciles itself (cluster-admin for system:masters among them).
applies if not input.metadata.labels["kubernetes.io/bootstrapping"] == "rbac-defaults"

deny contains result if {
	not input.metadata.labels["kubernetes.io/bootstrapping"] == "rbac-defaults"
	subjects := input.subjects
	is_array(subjects)
	some i, subject in subjects
	subject.kind == "Group"
	subject.name == "system:masters"
	result := {
		"msg": sprintf("%s binds %s to Group \"system:masters\" (subjects[%d]), whose members bypass RBAC", [rbac.binding_label(input), rbac.role_ref_label(input.roleRef), i]),
		"path": ["subjects", i],
	}
}
