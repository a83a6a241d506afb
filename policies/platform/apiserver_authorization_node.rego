# METADATA
# title: API server authorization mode includes Node
# description: >-
#   The Node authorizer limits each kubelet to the Pods, Secrets and other
#   objects of its own node; without it a compromised node's credentials can
#   read what RBAC grants the nodes group everywhere in the cluster.
#   Fails when --authorization-mode does not list Node, including when the flag
#   is missing (the default is AlwaysAllow alone). When only
#   --authorization-config is set, the authorizers are configured in that file,
#   which a manifest scan cannot read; the Pod then passes and the file must be
#   reviewed by hand. Evaluated on the kube-apiserver static Pod.
# custom:
#   id: apiserver-authorization-node
#   severity: high
#   kinds: [Pod]
#   population: Pods that run kube-apiserver (its static Pod manifest or the mirror Pod in kube-system)
#   remediation: >-
#     Add Node to --authorization-mode (for example --authorization-mode=Node,RBAC)
#     in the kube-apiserver manifest on every control plane node; with an
#     AuthorizationConfiguration file, list a Node authorizer there.
#   references:
#     cis: ["1.2.7"]
#     kubescape: ["C-0119"]
#     trivy: ["KCV-0008"]
#     checkov: ["CKV_K8S_75"]
package kubecomply.platform.apiserver_authorization_node

import rego.v1

import data.kubecomply.lib.apiserver

# Population: Pods that run kube-apiserver (its static Pod manifest, or the
# mirror Pod in kube-system). Every other Pod is not applicable.
applies if {
	some _ in apiserver.servers
}

deny contains result if {
	some server in apiserver.servers
	not server.flags["authorization-mode"]
	not server.flags["authorization-config"]
	result := {
		"msg": sprintf("%s does not set --authorization-mode, so Node is not among its authorizers (the default is AlwaysAllow)", [apiserver.label(server)]),
		"path": server.path,
	}
}

deny contains result if {
	some server in apiserver.servers
	flag := server.flags["authorization-mode"]
	not "Node" in apiserver.authorization_modes(flag.value)
	result := {
		"msg": sprintf("%s --authorization-mode=%s lacks Node", [apiserver.label(server), flag.value]),
		"path": flag.path,
	}
}
