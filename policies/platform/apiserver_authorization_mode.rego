# METADATA
# title: API server authorization mode
# description: >-
#   The kube-apiserver must authorize requests with the Node authorizer (which
#   limits each kubelet to the objects of its own node) and RBAC, and must never
#   use AlwaysAllow, which grants every authenticated request everything. Fails
#   when --authorization-mode is missing (its default is AlwaysAllow), includes
#   AlwaysAllow, or lacks Node or RBAC. When --authorization-mode is absent but
#   --authorization-config is set, the authorizers are configured in that file,
#   which a manifest scan cannot read; the Pod then passes and the file must be
#   reviewed by hand. Evaluated on the kube-apiserver static Pod.
# custom:
#   id: apiserver-authorization-mode
#   severity: high
#   kinds: [Pod]
#   remediation: >-
#     Set --authorization-mode=Node,RBAC (Webhook may be added) in the
#     kube-apiserver manifest on every control plane node, removing AlwaysAllow;
#     with an AuthorizationConfiguration file, list Node and RBAC authorizers there.
#   references:
#     cis: ["1.2.6", "1.2.7", "1.2.8"]
#     kubescape: ["C-0118", "C-0119", "C-0120"]
#     trivy: ["KCV-0007", "KCV-0008", "KCV-0009"]
#     checkov: ["CKV_K8S_74", "CKV_K8S_75", "CKV_K8S_77"]
package kubecomply.platform.apiserver_authorization_mode

import rego.v1

import data.kubecomply.lib.apiserver

deny contains result if {
	some server in apiserver.servers
	not server.flags["authorization-mode"]
	not server.flags["authorization-config"]
	result := {
		"msg": sprintf("%s does not set --authorization-mode (the default is AlwaysAllow)", [apiserver.label(server)]),
		"path": server.path,
	}
}

deny contains result if {
	some server in apiserver.servers
	flag := server.flags["authorization-mode"]
	modes := {trim_space(m) | some m in split(flag.value, ",")}
	problems := [p |
		some check in [
			["AlwaysAllow", "includes AlwaysAllow", true],
			["Node", "lacks Node", false],
			["RBAC", "lacks RBAC", false],
		]

		# a variable, not `(check[0] in modes) == check[2]`: `opa fmt` (v1.22.4) drops
		# those parentheses, which turns it into `check[0] in (modes == check[2])`
		listed := check[0] in modes
		listed == check[2]
		p := check[1]
	]
	count(problems) > 0
	result := {
		"msg": sprintf("%s --authorization-mode=%s %s", [apiserver.label(server), flag.value, concat(" and ", problems)]),
		"path": flag.path,
	}
}
