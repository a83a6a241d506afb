# METADATA
# title: API server authorization mode is not AlwaysAllow
# description: >-
#   AlwaysAllow grants every authenticated request everything, so no RBAC rule
#   or Node restriction means anything. Fails when --authorization-mode is
#   missing (its default is AlwaysAllow) or includes AlwaysAllow. Node and RBAC
#   are separate checks, so a finding here means exactly this condition. When
#   --authorization-mode is absent but --authorization-config is set, the
#   authorizers are configured in that file, which a manifest scan cannot read;
#   the Pod then passes and the file must be reviewed by hand. Evaluated on the
#   kube-apiserver static Pod.
# custom:
#   id: apiserver-authorization-not-always-allow
#   severity: high
#   kinds: [Pod]
#   population: Pods that run kube-apiserver (its static Pod manifest or the mirror Pod in kube-system)
#   remediation: >-
#     Set --authorization-mode=Node,RBAC (Webhook may be added) in the
#     kube-apiserver manifest on every control plane node, removing AlwaysAllow;
#     with an AuthorizationConfiguration file, list no AlwaysAllow authorizer there.
#   references:
#     cis: ["1.2.6"]
#     kubescape: ["C-0118"]
#     trivy: ["KCV-0007"]
#     checkov: ["CKV_K8S_74"]
package kubecomply.platform.apiserver_authorization_not_always_allow

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
		"msg": sprintf("%s does not set --authorization-mode (the default is AlwaysAllow)", [apiserver.label(server)]),
		"path": server.path,
	}
}

deny contains result if {
	some server in apiserver.servers
	flag := server.flags["authorization-mode"]
	"AlwaysAllow" in apiserver.authorization_modes(flag.value)
	result := {
		"msg": sprintf("%s --authorization-mode=%s includes AlwaysAllow", [apiserver.label(server), flag.value]),
		"path": flag.path,
	}
}
