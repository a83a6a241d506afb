# METADATA
# title: Literal credentials in ConfigMaps
# description: >-
#   A ConfigMap holds a credential. ConfigMaps are not meant for secrets: they are
#   readable by far more roles than Secrets (many read-only and monitoring roles
#   can list them), are never encrypted at rest by the API server's Secret
#   encryption, and are printed in full by routine tooling. Reported per data
#   key: a value that contains a PEM private key block or an access token (AWS
#   access key id, GitHub, Slack or Google API token, JSON Web Token); a key
#   named like a credential (password, passwd, token, secret, api_key, apikey,
#   access_key, private_key) whose value is a literal rather than a reference or
#   placeholder; or a configuration file in a value that assigns a literal to a
#   credential-named setting ("password: ...", "spring.datasource.password=...",
#   "client_secret = ..."). Findings name the key and the kind of credential,
#   never the value. binaryData is not inspected.
# custom:
#   id: credentials-in-configmap
#   severity: high
#   kinds: [ConfigMap]
#   remediation: >-
#     Move the credential into a Secret (or an external secret store) and mount it
#     beside the configuration, or have the application read it from a file or an
#     environment variable set from the Secret; keep only non-sensitive settings in
#     the ConfigMap. Rotate the credential, since it has been exposed.
#   references:
#     kubescape: ["C-0012"]
#     trivy: ["KSV-0109"]
package kubecomply.secrets.credentials_in_configmap

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.secrets

# A value that contains a key or a token. Values may be whole files; the
# pattern (the union of secrets.token_kinds) has no backtracking, so it runs
# in time linear in the value's length.
deny contains result if {
	cm_data := input.data
	is_object(cm_data)
	some key, v in cm_data
	is_string(v)
	regex.match(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\b(AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36,}|\bgithub_pat_[A-Za-z0-9_]{22,}|\bxox[baprs]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}|\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.|(?i:\bbearer)\s+[A-Za-z0-9._~+/-]{16,}`, v)
	result := {
		"msg": sprintf("ConfigMap %s key %s contains %s", [
			secrets.name_of(input),
			k8s.quote(key),
			secrets.describe_kinds(secrets.token_kinds(v)),
		]),
		"path": ["data", key],
	}
}

# A credential-named key with a literal value (and no token, reported above).
deny contains result if {
	cm_data := input.data
	is_object(cm_data)
	some key, v in cm_data
	is_string(key)
	regex.match(`(?i)passw(or)?d|token|secret|api[_.-]?key|access[_.-]?key|private[_.-]?key`, key)
	not secrets.names_a_reference(key)
	secrets.literal(v)
	count(secrets.token_kinds(v)) == 0
	result := {
		"msg": sprintf("ConfigMap %s key %s, named like a %s, holds a literal value", [
			secrets.name_of(input),
			k8s.quote(key),
			secrets.credential_word(key),
		]),
		"path": ["data", key],
	}
}

# A configuration file that assigns a literal to a credential-named setting,
# under a key that is not itself credential-named (reported above).
deny contains result if {
	cm_data := input.data
	is_object(cm_data)
	some key, v in cm_data
	is_string(v)
	regex.match(`(?im)^[ \t]*["']?[A-Za-z0-9_.-]*(passw(or)?d|secret|token|api[_.-]?key|access[_.-]?key|private[_.-]?key)["']?[ \t]*[:=][ \t]*["']?[^\s"'$<{%*!&|>#]`, v)
	not _credential_named_key(key)
	count(secrets.token_kinds(v)) == 0
	count(secrets.literal_assignments(v)) > 0
	result := {
		"msg": sprintf("ConfigMap %s key %s assigns a literal value to a credential setting (%d assignment(s))", [
			secrets.name_of(input),
			k8s.quote(key),
			count(secrets.literal_assignments(v)),
		]),
		"path": ["data", key],
	}
}

_credential_named_key(key) if {
	is_string(key)
	regex.match(`(?i)passw(or)?d|token|secret|api[_.-]?key|access[_.-]?key|private[_.-]?key`, key)
	not secrets.names_a_reference(key)
}
