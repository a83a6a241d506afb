package kubecomply.pod_security.host_namespaces_test

import rego.v1

import data.kubecomply.pod_security.host_namespaces as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

test_pass_false_values if {
	count(check.deny) == 0 with input as _pod({"hostNetwork": false, "hostPID": false, "containers": [{"name": "app"}]})
}

test_fail_all_three if {
	results := check.deny with input as _pod({"hostNetwork": true, "hostPID": true, "hostIPC": true, "containers": [{"name": "app"}]})
	{r.path | some r in results} == {["spec", "hostNetwork"], ["spec", "hostPID"], ["spec", "hostIPC"]}
}

test_fail_cronjob_host_pid if {
	obj := {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostPID": true, "containers": [{"name": "app"}]}}}}}}
	results := check.deny with input as obj
	some r in results
	r.path == ["spec", "jobTemplate", "spec", "template", "spec", "hostPID"]
}
