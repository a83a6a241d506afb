package kubecomply.secrets.credentials_in_env_test

import rego.v1

import data.kubecomply.secrets.credentials_in_env as check

_pod(env) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "env": env}]}}

# Fake credentials, built from pieces so that no scanner mistakes this file for a leak.
_aws := concat("", ["AKIA", "IOSFODNN7EXAMPLE"])

_pem := concat("", ["-----BEGIN RSA ", "PRIVATE KEY-----\nMIIEfake\n-----END RSA ", "PRIVATE KEY-----\n"])

_jwt := concat(".", ["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiIxMjM0NTY3ODkwIn0", "c2lnbmF0dXJl"])

test_pass_ordinary_env if {
	count(check.deny) == 0 with input as _pod([
		{"name": "LOG_LEVEL", "value": "info"},
		{"name": "PORT", "value": "8080"},
		{"name": "GREETING", "value": "a long sentence that is not a credential at all"},
	])
}

test_fail_password_literal if {
	results := check.deny with input as _pod([{"name": "LOG_LEVEL", "value": "info"}, {"name": "DB_PASSWORD", "value": "hunter2"}])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "env", 1, "value"]
	contains(r.msg, `env var "DB_PASSWORD"`)
	contains(r.msg, "password")
	not contains(r.msg, "hunter2")
}

test_fail_changeme_is_a_credential if {
	count(check.deny) == 1 with input as _pod([{"name": "ADMIN_PASSWD", "value": "changeme"}])
}

test_fail_token_patterns_under_any_name if {
	results := check.deny with input as _pod([
		{"name": "AWS_ID", "value": _aws},
		{"name": "TLS", "value": _pem},
		{"name": "AUTH_HEADER", "value": concat(" ", ["Bearer", _jwt])},
	])
	count(results) == 3
	msgs := {r.msg | some r in results}
	some m1 in msgs
	contains(m1, "an AWS access key id")
	some m2 in msgs
	contains(m2, "a PEM private key block")
	some m3 in msgs
	contains(m3, "a JSON Web Token")
	every r in results {
		not contains(r.msg, "AKIA")
		not contains(r.msg, "MIIE")
		not contains(r.msg, "eyJ")
	}
}

# A token under a credential-like name is reported once, as the token.
test_token_under_credential_name_reported_once if {
	results := check.deny with input as _pod([{"name": "AWS_ACCESS_KEY_ID", "value": _aws}])
	count(results) == 1
	some r in results
	contains(r.msg, "AWS access key id")
}

test_pass_placeholders_and_references if {
	count(check.deny) == 0 with input as _pod([
		{"name": "DB_PASSWORD", "value": ""},
		{"name": "DB_PASSWORD2", "value": "$(DB_PASSWORD)"},
		{"name": "API_KEY", "value": "${API_KEY}"},
		{"name": "API_TOKEN", "value": "{{ .Values.token }}"},
		{"name": "SECRET", "value": "<your-secret-here>"},
		{"name": "PASSWORD_MASKED", "value": "*****"},
		{"name": "ENABLE_TOKEN_AUTH", "value": "true"},
		{"name": "TOKEN_TTL", "value": "3600"},
		{"name": "TOKEN_FILE", "value": "/var/run/secrets/token"},
		{"name": "SECRET_NAME", "value": "db-credentials"},
		{"name": "PASSWORD_MIN_LENGTH", "value": "twelve"},
		{"name": "DB_PASSWORD3", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
	])
}

# Names and values of the wrong type never raise.
test_malformed_env if {
	count(check.deny) == 0 with input as _pod([{"name": 7, "value": "hunter2"}, {"name": "PASSWORD", "value": 12345}, "PASSWORD=x", {"name": "TOKEN", "value": null}])
}

test_fail_in_ephemeral_container_of_deployment if {
	obj := {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {
		"containers": [{"name": "app"}],
		"ephemeralContainers": [{"name": "dbg", "env": [{"name": "apikey", "value": "abc123def"}]}],
	}}}}
	results := check.deny with input as obj
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "ephemeralContainers", 0, "env", 0, "value"]
}

# A bearer credential under a name that says nothing (issue 15): reported as a bearer token, value never shown.
_bearer := concat("", ["abc123def456", "ghi789jkl012"])

test_fail_bearer_token_under_any_name if {
	results := check.deny with input as _pod([
		{"name": "AUTH_HEADER", "value": concat(" ", ["bearer", _bearer])},
		{"name": "UPSTREAM_AUTH", "value": concat(" ", ["Authorization: Bearer", _bearer])},
	])
	count(results) == 2
	every r in results {
		contains(r.msg, "a bearer token")
		not contains(r.msg, "abc123")
	}
}

# A JWT whose payload does not start with eyJ (JSON with a space after "{", or a JWE) is still a JWT.
test_fail_jwt_with_any_payload if {
	jwt := concat(".", ["eyJhbGciOiJIUzI1NiJ9", "eyAic3ViIjogIjEyMyJ9", "c2lnbmF0dXJl"])
	results := check.deny with input as _pod([{"name": "CONFIG_BLOB", "value": jwt}])
	count(results) == 1
	some r in results
	contains(r.msg, "a JSON Web Token")
	not contains(r.msg, "eyA")
	r.path == ["spec", "containers", 0, "env", 0, "value"]
}

# Prose about bearer authentication, and short values after the word, are not tokens.
test_pass_bearer_prose if {
	count(check.deny) == 0 with input as _pod([
		{"name": "AUTH_MODE", "value": "Bearer authentication is required"},
		{"name": "AUTH_SCHEME", "value": "bearer"},
		{"name": "AUTH_HINT", "value": "Bearer <token>"},
		{"name": "AUTH_VALUE", "value": "Bearer $(TOKEN)"},
	])
}
