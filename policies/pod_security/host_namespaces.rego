# METADATA
# title: Host namespaces
# description: >-
#   Sharing the node's network, process or IPC namespace removes the isolation
#   between the pod and the host. A pod with hostNetwork can sniff or bind node
#   traffic, hostPID lets it see and signal every process on the node, and
#   hostIPC exposes the host's shared memory.
# custom:
#   id: host-namespaces
#   severity: high
#   kinds: [workloads]
#   remediation: >-
#     Remove spec.hostNetwork, spec.hostPID and spec.hostIPC from the pod spec
#     (or set them to false). Expose network services through a Service
#     instead of the host network.
#   references:
#     pss: ["baseline/Host Namespaces"]
#     psa_check: ["hostNamespaces"]
#     cis: ["5.2.3", "5.2.4", "5.2.5"]
#     kubescape: ["C-0038", "C-0041"]
#     trivy: ["KSV-0008", "KSV-0009", "KSV-0010"]
#     checkov: ["CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19"]
package kubecomply.pod_security.host_namespaces

import rego.v1

import data.kubecomply.lib.workloads.pod_specs

_fields := ["hostNetwork", "hostPID", "hostIPC"]

deny contains result if {
	some pod in pod_specs
	some field in _fields
	pod.spec[field] == true
	result := {
		"msg": sprintf("pod sets spec.%s: true", [field]),
		"path": array.concat(pod.path, [field]),
	}
}
