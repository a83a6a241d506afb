# METADATA
# title: API server allows anonymous requests
# description: >-
#   The kube-apiserver accepts anonymous requests unless it runs with
#   --anonymous-auth=false: a request without credentials is served as user
#   system:anonymous in group system:unauthenticated, and every permission ever
#   granted to those subjects (by a careless binding, or by discovery and health
#   endpoints) is open to anyone who can reach the API server. Evaluated on the
#   kube-apiserver static Pod (its manifest, or its mirror Pod in kube-system).
#   When the flag is absent but --authentication-config is set, anonymous access
#   is configured in that file, which a manifest scan cannot read; the Pod then
#   passes and the file must be reviewed by hand.
# custom:
#   id: apiserver-anonymous-auth
#   severity: medium
#   kinds: [Pod]
#   population: Pods that run kube-apiserver (its static Pod manifest or the mirror Pod in kube-system)
#   remediation: >-
#     Add --anonymous-auth=false to the kube-apiserver command in
#     /etc/kubernetes/manifests/kube-apiserver.yaml on every control plane node
#     (or, with an AuthenticationConfiguration file, disable anonymous or limit it
#     to the health endpoints there). Check first that load balancer health checks
#     use authenticated requests or the /livez and /readyz endpoints allowed by
#     the system:public-info-viewer role.
#   references:
#     cis: ["1.2.1"]
#     kubescape: ["C-0113"]
#     trivy: ["KCV-0001"]
#     checkov: ["CKV_K8S_68"]
package kubecomply.platform.apiserver_anonymous_auth

import rego.v1

import data.kubecomply.lib.apiserver

# Population: Pods that run kube-apiserver (its static Pod manifest, or the
# mirror Pod in kube-system). Every other Pod is not applicable.
applies if {
	some _ in apiserver.servers
}

deny contains result if {
	some server in apiserver.servers
	not server.flags["anonymous-auth"]
	not server.flags["authentication-config"]
	result := {
		"msg": sprintf("%s does not set --anonymous-auth=false (anonymous requests are accepted by default)", [apiserver.label(server)]),
		"path": server.path,
	}
}

deny contains result if {
	some server in apiserver.servers
	flag := server.flags["anonymous-auth"]
	value := apiserver.bool_value(flag)
	value != "false"
	result := {
		"msg": sprintf("%s sets --anonymous-auth=%s: anonymous requests are accepted", [apiserver.label(server), value]),
		"path": flag.path,
	}
}
