# METADATA
# title: Long-lived service account token Secrets
# description: >-
#   A Secret of type kubernetes.io/service-account-token holds a legacy,
#   long-lived token for a ServiceAccount: it never expires, is not bound to a Pod
#   and stays valid until the Secret is deleted, so a copy leaked from a backup,
#   a CI system or a kubeconfig works indefinitely. Since Kubernetes 1.24 Pods
#   get short-lived, audience-bound tokens through the TokenRequest API instead,
#   and from 1.29 unused legacy tokens are invalidated and cleaned up. The check
#   reads only the Secret's type and metadata, which is all a cluster scan
#   receives (Secret values are never read).
# custom:
#   id: sa-token-secret
#   severity: medium
#   kinds: [Secret]
#   remediation: >-
#     Delete the Secret and let workloads use projected service account tokens
#     (the default for Pods); for clients outside the cluster, issue short-lived
#     tokens with `kubectl create token` / the TokenRequest API, or use an
#     external identity (OIDC, workload identity). If a long-lived token is truly
#     required, document why, restrict the ServiceAccount's permissions and
#     rotate the Secret regularly.
#   references:
#     kubernetes: ["https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets"]
package kubecomply.secrets.sa_token_secret

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

deny contains result if {
	input.type == "kubernetes.io/service-account-token"
	result := {
		"msg": sprintf("Secret %s is a long-lived token for ServiceAccount %s", [
			_name(input),
			_service_account(input),
		]),
		"path": ["type"],
	}
}

_name(obj) := k8s.quote(obj.metadata.name) if {
	obj.metadata.name
} else := `""`

# The annotation kubernetes.io/service-account.name names the ServiceAccount.
_service_account(obj) := k8s.quote(obj.metadata.annotations["kubernetes.io/service-account.name"]) if {
	obj.metadata.annotations["kubernetes.io/service-account.name"]
} else := "(not named: kubernetes.io/service-account.name annotation missing)"
