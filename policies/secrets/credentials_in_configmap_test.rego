package kubecomply.secrets.credentials_in_configmap_test

import rego.v1

import data.kubecomply.secrets.credentials_in_configmap as check

_cm(entries) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": entries}

# Fake credentials, built from pieces so that no scanner mistakes this file for a leak.
_aws := concat("", ["AKIA", "IOSFODNN7EXAMPLE"])

_pem := concat("", ["-----BEGIN ", "PRIVATE KEY-----\nMIIEvQIBfake\n-----END ", "PRIVATE KEY-----\n"])

_google := concat("", ["AIza", "SyA-0123456789abcdefghijklmnopqrstu"])

test_pass_ordinary_config if {
	count(check.deny) == 0 with input as _cm({
		"config.yaml": "feature: on\nlevel: 3\n",
		"MODE": "prod",
		"app.properties": "db.user=app\ndb.password=${DB_PASSWORD}\ntoken.ttl=3600\n",
		"auth.yaml": "password:\n  minLength: 12\nsecretName: db\ntoken: true\n",
	})
}

test_fail_aws_key_and_pem if {
	results := check.deny with input as _cm({"MODE": "prod", "aws.env": concat("", ["AWS_ACCESS_KEY_ID=", _aws, "\n"]), "tls.key": _pem})
	count(results) == 2
	paths := {r.path | some r in results}
	paths == {["data", "aws.env"], ["data", "tls.key"]}
	every r in results {
		not contains(r.msg, "AKIA")
		not contains(r.msg, "MIIE")
	}
}

test_fail_two_kinds_in_one_value if {
	results := check.deny with input as _cm({"bundle": concat("\n", [_pem, _google])})
	count(results) == 1
	some r in results
	contains(r.msg, "a PEM private key block and a Google API key")
}

test_fail_credential_named_key if {
	results := check.deny with input as _cm({"db_password": "hunter2", "token_url": "https://auth.example.com/token"})
	count(results) == 1
	some r in results
	r.path == ["data", "db_password"]
	not contains(r.msg, "hunter2")
}

test_fail_password_in_config_file if {
	results := check.deny with input as _cm({"application.properties": "spring.datasource.url=jdbc:postgresql://db/app\nspring.datasource.password=hunter2\n"})
	count(results) == 1
	some r in results
	r.path == ["data", "application.properties"]
	contains(r.msg, "1 assignment(s)")
	not contains(r.msg, "hunter2")
}

test_fail_quoted_yaml_secret if {
	count(check.deny) == 1 with input as _cm({"settings.yaml": "oauth:\n  client_secret: \"abc123xyz\"\n"})
}

# A large value with nothing in it passes, and stays linear (one regex pass each).
test_pass_large_value if {
	big := concat("", [x | some _ in numbers.range(1, 2000); x := "key: value # a comment line that is long enough\n"])
	count(check.deny) == 0 with input as _cm({"big.yaml": big})
}

test_malformed_data if {
	count(check.deny) == 0 with input as _cm({"a": 1, "password": null, "token": ["x"]})
	count(check.deny) == 0 with input as {"kind": "ConfigMap", "metadata": {"name": "x"}, "data": "password=hunter2"}
	count(check.deny) == 0 with input as {"kind": "ConfigMap", "metadata": {"name": "x"}}
}
