# METADATA
# title: API server insecure port
# description: >-
#   --insecure-port opens a plain HTTP port on the kube-apiserver that skips
#   authentication and authorization entirely: whoever reaches it is cluster
#   administrator. The flag was deprecated in Kubernetes 1.20 and removed in 1.24,
#   but older control planes and copied manifests still carry it. Fails when the
#   flag is set to anything other than 0. Evaluated on the kube-apiserver static
#   Pod.
# custom:
#   id: apiserver-insecure-port
#   severity: high
#   kinds: [Pod]
#   population: Pods that run kube-apiserver (its static Pod manifest or the mirror Pod in kube-system)
#   remediation: >-
#     Remove --insecure-port (and --insecure-bind-address) from the kube-apiserver
#     manifest, or set --insecure-port=0 on versions before 1.24; serve the API
#     only on the authenticated --secure-port.
#   references:
#     kubescape: ["C-0005"]
#     checkov: ["CKV_K8S_88"]
package kubecomply.platform.apiserver_insecure_port

import rego.v1

import data.kubecomply.lib.apiserver

# Population: Pods that run kube-apiserver (its static Pod manifest, or the
# mirror Pod in kube-system). Every other Pod is not applicable.
applies if {
	some _ in apiserver.servers
}

deny contains result if {
	some server in apiserver.servers
	flag := server.flags["insecure-port"]
	trim_space(flag.value) != "0"
	result := {
		"msg": sprintf("%s sets --insecure-port=%s: an unauthenticated HTTP port", [apiserver.label(server), flag.value]),
		"path": flag.path,
	}
}
