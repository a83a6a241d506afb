# METADATA
# title: API server profiling endpoints
# description: >-
#   With profiling on (the default) the kube-apiserver serves Go pprof endpoints
#   under /debug/pprof, which expose detailed runtime and performance data and
#   can be used to load the server. Fails unless --profiling=false is set.
#   Evaluated on the kube-apiserver static Pod.
# custom:
#   id: apiserver-profiling
#   severity: low
#   kinds: [Pod]
#   population: Pods that run kube-apiserver (its static Pod manifest or the mirror Pod in kube-system)
#   remediation: >-
#     Add --profiling=false to the kube-apiserver command in its manifest on every
#     control plane node; turn it on only while investigating a performance issue.
#   references:
#     cis: ["1.2.15"]
#     kubescape: ["C-0129"]
#     trivy: ["KCV-0018"]
#     checkov: ["CKV_K8S_90"]
package kubecomply.platform.apiserver_profiling

import rego.v1

import data.kubecomply.lib.apiserver

# Population: Pods that run kube-apiserver (its static Pod manifest, or the
# mirror Pod in kube-system). Every other Pod is not applicable.
applies if {
	some _ in apiserver.servers
}

deny contains result if {
	some server in apiserver.servers
	not server.flags.profiling
	result := {
		"msg": sprintf("%s does not set --profiling=false (profiling is on by default)", [apiserver.label(server)]),
		"path": server.path,
	}
}

deny contains result if {
	some server in apiserver.servers
	flag := server.flags.profiling
	value := apiserver.bool_value(flag)
	value != "false"
	result := {
		"msg": sprintf("%s sets --profiling=%s", [apiserver.label(server), value]),
		"path": flag.path,
	}
}
