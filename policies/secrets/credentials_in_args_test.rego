package kubecomply.secrets.credentials_in_args_test

import rego.v1

import data.kubecomply.secrets.credentials_in_args as check

_pod(container) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [object.union({"name": "app"}, container)]}}

# Fake credentials, built from pieces so that no scanner mistakes this file for a leak.
_gh := concat("", ["ghp_", "0123456789abcdefghijABCDEFGHIJ012345"])

_slack := concat("-", ["xoxb", "123456789012", "abcdefghijkl"])

test_pass_ordinary_args if {
	count(check.deny) == 0 with input as _pod({
		"command": ["/app/server"],
		"args": ["--port=8080", "--log-level", "debug", "--config", "/etc/app/config.yaml"],
	})
}

test_fail_password_equals_flag if {
	results := check.deny with input as _pod({"args": ["--port=8080", "--db-password=hunter2"]})
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "args", 1]
	contains(r.msg, "--db-password")
	contains(r.msg, "args[1]")
	not contains(r.msg, "hunter2")
}

test_fail_flag_then_value_element if {
	results := check.deny with input as _pod({"command": ["app", "--token", "s3cr3t-value"]})
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "command", 2]
	contains(r.msg, "--token")
	not contains(r.msg, "s3cr3t")
}

test_fail_inside_shell_command_line if {
	results := check.deny with input as _pod({"command": ["sh", "-c", "mysql -u root --password hunter2 -e 'select 1'"]})
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "command", 2]
}

test_fail_tokens_in_args if {
	results := check.deny with input as _pod({"args": ["--header", concat(" ", ["Authorization: token", _gh]), _slack]})
	count(results) == 2
	msgs := {r.msg | some r in results}
	some m1 in msgs
	contains(m1, "a GitHub token in args[1]")
	some m2 in msgs
	contains(m2, "a Slack token in args[2]")
}

# A token passed to a credential flag is reported once, as the token.
test_token_value_of_flag_reported_once if {
	results := check.deny with input as _pod({"args": ["--api-token", _gh]})
	count(results) == 1
	some r in results
	contains(r.msg, "GitHub token")
}

test_pass_references_and_file_flags if {
	count(check.deny) == 0 with input as _pod({
		"command": ["kube-apiserver", "--token-auth-file=/etc/tokens.csv", "--service-account-private-key-file=/etc/sa.key"],
		"args": [
			"--password=$(DB_PASSWORD)", "--token", "${TOKEN}", "--secret-name=db",
			"--api-key", "--verbose", "--enable-token-auth=true",
			"sh -c 'login --password=$PASSWORD'", "--password",
		],
	})
}

test_malformed_args if {
	count(check.deny) == 0 with input as _pod({"command": "--password=x", "args": [1, null, {"a": "--token=y"}, "--token", 5]})
}
