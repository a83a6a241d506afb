# METADATA
# title: Literal credentials in annotations
# description: >-
#   An annotation carries a credential. Annotations are read by every controller,
#   operator and dashboard that lists the object, are copied around by tooling and
#   are rarely treated as sensitive. Reported per annotation, on the object's own
#   metadata and on the pod template of workloads: a value that contains a PEM
#   private key block or an access token (AWS access key id, GitHub, Slack or
#   Google API token, JSON Web Token), or a key named like a credential (password,
#   passwd, token, api_key, apikey, access_key, private_key, client_secret,
#   secret_key) whose value is a literal rather than a reference or placeholder.
#   A bare "secret" in a key is not enough here, since annotations such as
#   nginx.ingress.kubernetes.io/auth-secret name a Secret rather than hold one;
#   vault.hashicorp.com/* and checksum/* annotations hold paths and hashes and
#   are only searched for tokens. kubectl.kubernetes.io/last-applied-configuration
#   is skipped: it repeats the object, whose fields the other checks inspect.
#   Findings name the annotation and the kind of credential, never the value.
# custom:
#   id: credentials-in-annotations
#   severity: high
#   kinds: [workloads, ConfigMap, Service, ServiceAccount, Namespace, Ingress]
#   remediation: >-
#     Remove the credential from the annotation, keep it in a Secret (or an
#     external secret store) and reference the Secret by name where the consuming
#     controller supports it; then rotate the credential, since it has been
#     exposed.
#   references:
#     kubescape: ["C-0012"]
package kubecomply.secrets.credentials_in_annotations

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.secrets

# Every annotations map of the object with its path: the object's own and, for
# workloads, the pod template's. Direct field access (no shared library call):
# most kinds this check sees are not workloads.
_annotation_sets contains [["metadata", "annotations"], a] if {
	a := input.metadata.annotations
	is_object(a)
}

_annotation_sets contains [["spec", "template", "metadata", "annotations"], a] if {
	a := input.spec.template.metadata.annotations
	is_object(a)
}

_annotation_sets contains [["spec", "jobTemplate", "spec", "template", "metadata", "annotations"], a] if {
	a := input.spec.jobTemplate.spec.template.metadata.annotations
	is_object(a)
}

_annotation_sets contains [["template", "metadata", "annotations"], a] if {
	a := input.template.metadata.annotations
	is_object(a)
}

# A value that contains a key or a token (the pattern is the union of
# secrets.token_kinds; linear in the value's length).
deny contains result if {
	some [base, annotations] in _annotation_sets
	some key, v in annotations
	key != "kubectl.kubernetes.io/last-applied-configuration"
	is_string(v)
	count(v) >= 15
	regex.match(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\b(AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36,}|\bgithub_pat_[A-Za-z0-9_]{22,}|\bxox[baprs]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}|\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.|(?i:\bbearer)\s+[A-Za-z0-9._~+/-]{16,}`, v)
	result := {
		"msg": sprintf("%s %s annotation %s contains %s", [
			input.kind,
			secrets.name_of(input),
			k8s.quote(key),
			secrets.describe_kinds(secrets.token_kinds(v)),
		]),
		"path": array.concat(base, [key]),
	}
}

# A credential-named key with a literal value.
deny contains result if {
	some [base, annotations] in _annotation_sets
	some key, v in annotations
	is_string(key)
	regex.match(`(?i)passw(or)?d|token|api[_.-]?key|access[_.-]?key|private[_.-]?key|client[_.-]?secret|secret[_.-]?key`, key)
	not regex.match(`^(vault\.hashicorp\.com|checksum)/`, key)
	key != "kubectl.kubernetes.io/last-applied-configuration"
	not secrets.names_a_reference(key)
	secrets.literal(v)
	count(secrets.token_kinds(v)) == 0
	result := {
		"msg": sprintf("%s %s annotation %s, named like a %s, holds a literal value", [
			input.kind,
			secrets.name_of(input),
			k8s.quote(key),
			secrets.credential_word(key),
		]),
		"path": array.concat(base, [key]),
	}
}
