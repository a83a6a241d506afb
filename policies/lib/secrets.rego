# Helpers for the checks in policies/secrets/: naming what kind of credential
# a value looks like, and telling a literal value from a placeholder or a
# reference. Functions only: regorus evaluates every rule of a package when
# one is referenced, and functions cost nothing until called.
#
# These functions run on the violation path only. The hot-path tests (is this
# env var name credential-like, does this value contain a token) are regex
# literals written inline in each check, because a literal costs less than a
# rule lookup on every resource; keep them in step with the patterns here:
#
#   token pattern (any of):
#     -----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----
#     \b(AKIA|ASIA)[0-9A-Z]{16}\b
#     \bgh[pousr]_[A-Za-z0-9]{36,}        \bgithub_pat_[A-Za-z0-9_]{22,}
#     \bxox[baprs]-[A-Za-z0-9-]{10,}      \bAIza[0-9A-Za-z_-]{35}
#     \beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.
#     (?i:\bbearer)\s+[A-Za-z0-9._~+/-]{16,}
#   credential-like name: (?i)passw(or)?d|token|secret|api[_.-]?key|access[_.-]?key|private[_.-]?key
#
# Every pattern is a plain regular expression (RE2 / Rust regex syntax: no
# backtracking), so matching time stays linear in the length of the value.
package kubecomply.lib.secrets

import rego.v1

# The kinds of credential found in the string s, in a fixed order, e.g.
# ["a PEM private key block", "an AWS access key id"]. Names only: the
# matched text is never returned.
token_kinds(s) := [kind |
	some pair in [
		["a PEM private key block", `-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----`],
		["an AWS access key id", `\b(AKIA|ASIA)[0-9A-Z]{16}\b`],
		["a GitHub token", `\bgh[pousr]_[A-Za-z0-9]{36,}|\bgithub_pat_[A-Za-z0-9_]{22,}`],
		["a Slack token", `\bxox[baprs]-[A-Za-z0-9-]{10,}`],
		["a Google API key", `\bAIza[0-9A-Za-z_-]{35}`],
		# A JWT's header is JSON ("eyJ" is base64url of '{"'); its payload need not be (JWE, a space after "{").
		["a JSON Web Token", `\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.`],
		# An HTTP Authorization value ("Bearer 3f9a..."), whatever the variable is called (AUTH_HEADER).
		["a bearer token", `(?i:\bbearer)\s+[A-Za-z0-9._~+/-]{16,}`],
	]
	regex.match(pair[1], s)
	kind := pair[0]
]

# "a PEM private key block and an AWS access key id"
describe_kinds(kinds) := concat(" and ", kinds)

# The credential word in a name, lower-cased: "DB_PASSWORD" -> "password".
credential_word(name) := lower(regex.find_n(`(?i)passw(or)?d|token|secret|api[_.-]?key|access[_.-]?key|private[_.-]?key`, name, 1)[0])

# A name that mentions a credential but names something else about it: where
# it is (TOKEN_FILE, SECRET_NAME, PASSWORD_PATH), how long it lives
# (TOKEN_TTL), a rule about it (PASSWORD_MIN_LENGTH, PASSWORD_POLICY)...
names_a_reference(name) if regex.match(
	`(?i)[_.-](file|files|path|dir|url|uri|endpoint|host|hostname|port|name|names|namespace|ref|ttl|expiry|expiration|expires|timeout|lifetime|duration|interval|length|len|policy|header|type|mode|enabled|required|audience|issuer|location|mount|version|secs|seconds|minutes|hours|days|size|count|algorithm)$`,
	name,
)

# Values that are not a credential even under a credential-like name:
# empty, references resolved elsewhere ($(VAR) by Kubernetes, ${VAR} by
# envsubst-style tools, $VAR by a shell, {{ ... }} by templates), placeholders in angle
# brackets, masks (*****), booleans and switch words, plain integers
# (TOKEN_TTL-style settings) and file paths. "changeme" and similar default
# passwords are NOT placeholders: shipped as is, they are the credential.
placeholder(v) if regex.match(
	`(?i)^\s*$|^\$\([A-Za-z0-9_.-]*\)$|^\$\{[^}]*\}$|^\$[A-Za-z_][A-Za-z0-9_]*$|^\{\{.*\}\}$|^<[^>]*>$|^\*+$|^(true|false|yes|no|on|off|null|none|nil|enabled|disabled)$|^[0-9]+$|^/`,
	v,
)

# A literal credential value: a string that is not a placeholder.
literal(v) if {
	is_string(v)
	not placeholder(v)
}

# The values of credential assignments inside a configuration file held in a
# ConfigMap value ("password: hunter2", "spring.datasource.password=x",
# "client_secret = y"), literal ones only.
literal_assignments(text) := [value |
	some m in regex.find_all_string_submatch_n(
		`(?im)^[ \t]*["']?[A-Za-z0-9_.-]*(passw(?:or)?d|secret|token|api[_.-]?key|access[_.-]?key|private[_.-]?key)["']?[ \t]*[:=][ \t]*["']?([^\s"'$<{%*!&|>#][^\s"',;]*)`,
		text,
		-1,
	)
	value := m[count(m) - 1]
	literal(value)
]

# The object's metadata.name quoted for messages ("" when absent or not a string).
name_of(obj) := sprintf("%q", [name]) if {
	name := obj.metadata.name
	is_string(name)
} else := `""`
