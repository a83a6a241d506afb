# METADATA
# title: API server encryption of Secrets at rest
# description: >-
#   Without --encryption-provider-config the kube-apiserver stores Secrets in etcd
#   as plain base64: anyone who can read etcd, its data directory or a backup of
#   it reads every Secret in the cluster. Fails when the flag is missing or
#   empty. Whether the configuration actually encrypts (a provider such as kms v2,
#   aescbc, aesgcm or secretbox ahead of identity, for the secrets resource) is
#   in the file itself, which a manifest scan cannot read. Evaluated on the
#   kube-apiserver static Pod.
# custom:
#   id: apiserver-encryption
#   severity: medium
#   kinds: [Pod]
#   population: Pods that run kube-apiserver (its static Pod manifest or the mirror Pod in kube-system)
#   remediation: >-
#     Write an EncryptionConfiguration that encrypts at least the secrets resource
#     (a KMS v2 provider where available, aescbc or secretbox otherwise), mount it
#     into the kube-apiserver Pod and pass it with --encryption-provider-config on
#     every control plane node; then rewrite existing Secrets so that they are
#     stored encrypted.
#   references:
#     cis: ["1.2.27"]
#     kubescape: ["C-0141"]
#     trivy: ["KCV-0030"]
#     checkov: ["CKV_K8S_104"]
package kubecomply.platform.apiserver_encryption

import rego.v1

import data.kubecomply.lib.apiserver

# Population: Pods that run kube-apiserver (its static Pod manifest, or the
# mirror Pod in kube-system). Every other Pod is not applicable.
applies if {
	some _ in apiserver.servers
}

deny contains result if {
	some server in apiserver.servers
	not server.flags["encryption-provider-config"]
	result := {
		"msg": sprintf("%s does not set --encryption-provider-config: Secrets are stored unencrypted in etcd", [apiserver.label(server)]),
		"path": server.path,
	}
}

deny contains result if {
	some server in apiserver.servers
	flag := server.flags["encryption-provider-config"]
	trim_space(flag.value) == ""
	result := {
		"msg": sprintf("%s sets --encryption-provider-config without a value", [apiserver.label(server)]),
		"path": flag.path,
	}
}
