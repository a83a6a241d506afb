# METADATA
# title: API server audit logging
# description: >-
#   Without --audit-log-path the kube-apiserver writes no audit log, so there is
#   no record of who read or changed which object, and no way to investigate an
#   incident or prove compliance. Evaluated on the kube-apiserver static Pod.
#   An empty value also fails; "-" (audit events to standard output, collected by
#   the node's log pipeline) passes.
# custom:
#   id: apiserver-audit-log
#   severity: medium
#   kinds: [Pod]
#   population: Pods that run kube-apiserver (its static Pod manifest or the mirror Pod in kube-system)
#   remediation: >-
#     Set --audit-log-path (for example /var/log/kubernetes/audit/audit.log, on a
#     hostPath volume) together with --audit-policy-file pointing at an audit
#     policy, in the kube-apiserver manifest on every control plane node, and ship
#     the log off the node.
#   references:
#     cis: ["1.2.16"]
#     kubescape: ["C-0130"]
#     trivy: ["KCV-0019"]
#     checkov: ["CKV_K8S_91"]
package kubecomply.platform.apiserver_audit_log

import rego.v1

import data.kubecomply.lib.apiserver

# Population: Pods that run kube-apiserver (its static Pod manifest, or the
# mirror Pod in kube-system). Every other Pod is not applicable.
applies if {
	some _ in apiserver.servers
}

deny contains result if {
	some server in apiserver.servers
	not server.flags["audit-log-path"]
	result := {
		"msg": sprintf("%s does not set --audit-log-path: no audit log is written", [apiserver.label(server)]),
		"path": server.path,
	}
}

deny contains result if {
	some server in apiserver.servers
	flag := server.flags["audit-log-path"]
	trim_space(flag.value) == ""
	result := {
		"msg": sprintf("%s sets --audit-log-path without a value: no audit log is written", [apiserver.label(server)]),
		"path": flag.path,
	}
}
