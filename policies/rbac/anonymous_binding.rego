# METADATA
# title: Bindings for anonymous or all authenticated users
# description: >-
#   A binding whose subject is the user system:anonymous or the group
#   system:unauthenticated gives its role to anyone who can reach the API
#   server without credentials; the group system:authenticated gives it to
#   every identity the cluster accepts, every service account token of every
#   namespace included (and, on some managed platforms, any account of the
#   cloud provider). Such bindings are how clusters exposed to the internet
#   are taken over with a single request. Kubernetes itself binds these
#   identities only to the discovery roles system:public-info-viewer,
#   system:discovery and system:basic-user, which reveal version and API
#   information; bindings to those ClusterRoles are not reported, and neither
#   is kubeadm's RoleBinding in kube-public to the Role
#   kubeadm:bootstrap-signer-clusterinfo, which lets nodes read the public
#   cluster-info ConfigMap before they join. Any other role is reported,
#   whatever the binding is called.
# custom:
#   id: anonymous-binding
#   severity: critical
#   kinds: [RoleBinding, ClusterRoleBinding]
#   population: RoleBindings and ClusterRoleBindings other than the discovery bindings (ClusterRoles system:public-info-viewer, system:discovery, system:basic-user; kubeadm's cluster-info Role in kube-public)
#   remediation: >-
#     Remove system:anonymous, system:unauthenticated and system:authenticated
#     from the binding and bind the users, groups or service accounts that need
#     the role instead. Keep anonymous authentication disabled on the API server
#     (--anonymous-auth=false, or an AuthenticationConfiguration that limits it
#     to health endpoints) where nothing depends on it.
#   references:
#     trivy: ["KSV-0122"]
package kubecomply.rbac.anonymous_binding

import rego.v1

import data.kubecomply.lib.rbac

_who := {
	"system:anonymous": "anyone who does not authenticate",
	"system:unauthenticated": "anyone who does not authenticate",
	"system:authenticated": "every authenticated identity, all service accounts included",
}

_subject_kinds := {"User", "Group"}

_discovery_roles := {"system:public-info-viewer", "system:discovery", "system:basic-user"}

# Population: bindings other than the discovery ones, which Kubernetes and
# kubeadm create on purpose for unauthenticated clients.
applies if not _discovery_binding

deny contains result if {
	subjects := input.subjects
	is_array(subjects)
	some i, subject in subjects
	who := _who[subject.name]
	_subject_kinds[subject.kind]
	not _discovery_binding
	result := {
		"msg": sprintf("%s binds %s to %s %q (subjects[%d]): %s", [rbac.binding_label(input), rbac.role_ref_label(input.roleRef), subject.kind, subject.name, i, who]),
		"path": ["subjects", i],
	}
}

_discovery_binding if {
	input.roleRef.kind == "ClusterRole"
	_discovery_roles[input.roleRef.name]
}

_discovery_binding if {
	input.metadata.namespace == "kube-public"
	input.roleRef.kind == "Role"
	input.roleRef.name == "kubeadm:bootstrap-signer-clusterinfo"
}
