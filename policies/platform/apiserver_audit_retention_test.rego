package kubecomply.platform.apiserver_audit_retention_test

import rego.v1

import data.kubecomply.platform.apiserver_audit_retention as check

_pod(command) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver-cp1"}, "spec": {"containers": [{"name": "kube-apiserver", "command": command}]}}

test_pass_all_set if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--audit-log-path=/var/log/audit.log", "--audit-log-maxage=30", "--audit-log-maxbackup", "10", "--audit-log-maxsize=200"])
}

test_fail_all_missing if {
	results := check.deny with input as _pod(["kube-apiserver", "--audit-log-path=/var/log/audit.log"])
	count(results) == 3
	every r in results {
		r.path == ["spec", "containers", 0]
	}
}

test_fail_too_low_and_not_a_number if {
	results := check.deny with input as _pod(["kube-apiserver", "--audit-log-maxage=7", "--audit-log-maxbackup=ten", "--audit-log-maxsize=100"])
	count(results) == 2
	paths := {r.path | some r in results}
	paths == {["spec", "containers", 0, "command", 1], ["spec", "containers", 0, "command", 2]}
}

test_stdout_is_not_evaluated if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--audit-log-path=-"])
}

test_min_days_from_data if {
	pod := _pod(["kube-apiserver", "--audit-log-maxage=30", "--audit-log-maxbackup=10", "--audit-log-maxsize=100"])
	count(check.deny) == 0 with input as pod
	results := check.deny with input as pod with data.kubecomply.config.audit_log_min_days as 365
	count(results) == 1
	some r in results
	contains(r.msg, "below 365")
	r.path == ["spec", "containers", 0, "command", 1]
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--audit-log-maxage=400", "--audit-log-maxbackup=10", "--audit-log-maxsize=100"]) with data.kubecomply.config.audit_log_min_days as 365
}

# Population: kube-apiserver Pods that write the audit log to a file.
test_applies_to_apiserver_logging_to_a_file if {
	check.applies with input as _pod(["kube-apiserver", "--audit-log-path=/var/log/audit.log"])
	check.applies with input as _pod(["kube-apiserver"])
}

test_not_applicable_to_stdout_logging_or_other_pods if {
	not check.applies with input as _pod(["kube-apiserver", "--audit-log-path=-"])
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--audit-log-path=-"])
	other := {"kind": "Pod", "metadata": {"name": "web"}, "spec": {"containers": [{"name": "web", "command": ["nginx", "--audit-log-maxage=1"]}]}}
	not check.applies with input as other
	count(check.deny) == 0 with input as other
}
