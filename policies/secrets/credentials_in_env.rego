# METADATA
# title: Literal credentials in environment variables
# description: >-
#   A container sets an environment variable to a literal credential: either the
#   value looks like a private key or an access token (PEM private key block, AWS
#   access key id, GitHub, Slack or Google API token, JSON Web Token, an HTTP
#   bearer token such as "Bearer 3f9a..."), or the
#   variable's name says it holds one (password, passwd, token, secret, api_key,
#   apikey, access_key, private_key) and its value is a literal rather than a
#   reference or placeholder. Anyone who can read the workload's manifest, its
#   revision history or the Git repository behind it can read the credential.
#   Values that are empty, references ($(VAR), ${VAR}, {{ ... }}), placeholders in
#   angle brackets, masks (***), booleans, plain integers or file paths are not
#   reported, nor are names that describe the credential rather than hold it
#   (TOKEN_FILE, SECRET_NAME, PASSWORD_MIN_LENGTH, TOKEN_TTL...). A default
#   password such as "changeme" IS reported. Findings name the variable and the
#   kind of credential, never the value.
# custom:
#   id: credentials-in-env
#   severity: high
#   kinds: [workloads]
#   remediation: >-
#     Move the credential into a Secret (or an external secret store) and mount it
#     as a file, or at least reference it with env[].valueFrom.secretKeyRef; then
#     rotate the credential, since it has been exposed in the manifest and its
#     history.
#   references:
#     kubescape: ["C-0012"]
package kubecomply.secrets.credentials_in_env

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.secrets
import data.kubecomply.lib.workloads.containers

# Hot path: every env entry of every container of every workload passes here.
# Field access and builtins only, regex literals inline (a rule or function
# lookup per entry costs several microseconds in regorus); the value regex is
# skipped for values shorter than the shortest token it can match (15 chars).
# The pattern is the union of secrets.token_kinds (policies/lib/secrets.rego).

# A value that looks like a key or a token, whatever the variable's name.
deny contains result if {
	some c in containers
	env := c.container.env
	is_array(env)
	some j, e in env
	v := e.value
	is_string(v)
	count(v) >= 15
	regex.match(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\b(AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36,}|\bgithub_pat_[A-Za-z0-9_]{22,}|\bxox[baprs]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}|\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.|(?i:\bbearer)\s+[A-Za-z0-9._~+/-]{16,}`, v)
	result := {
		"msg": sprintf("%s sets env var %s to a literal value that contains %s", [
			k8s.container_label(c),
			k8s.quote(object.get(e, "name", "")),
			secrets.describe_kinds(secrets.token_kinds(v)),
		]),
		"path": array.concat(c.path, ["env", j, "value"]),
	}
}

# A credential-like name with a literal value (that is not also a token, which
# the rule above reports).
deny contains result if {
	some c in containers
	env := c.container.env
	is_array(env)
	some j, e in env
	name := e.name
	is_string(name)
	regex.match(`(?i)passw(or)?d|token|secret|api[_.-]?key|access[_.-]?key|private[_.-]?key`, name)
	v := e.value
	secrets.literal(v)
	not secrets.names_a_reference(name)
	count(secrets.token_kinds(v)) == 0
	result := {
		"msg": sprintf("%s sets env var %s, named like a %s, to a literal value", [
			k8s.container_label(c),
			k8s.quote(name),
			secrets.credential_word(name),
		]),
		"path": array.concat(c.path, ["env", j, "value"]),
	}
}
