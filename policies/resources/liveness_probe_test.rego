package kubecomply.resources.liveness_probe_test

import rego.v1

import data.kubecomply.resources.liveness_probe as check

_probe := {"httpGet": {"path": "/healthz", "port": 8080}}

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_probe_set if {
	count(check.deny) == 0 with input as _deploy({"containers": [{"name": "app", "livenessProbe": _probe}]})
}

test_fail_missing_probe if {
	results := check.deny with input as _deploy({"containers": [{"name": "app", "livenessProbe": _probe}, {"name": "sidecar"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 1]
	r.msg == `container "sidecar" has no livenessProbe`
}

test_fail_null_probe if {
	count(check.deny) == 1 with input as _pod({"containers": [{"name": "app", "livenessProbe": null}]})
}

# Init and ephemeral containers are not checked.
test_init_and_ephemeral_containers_ignored if {
	count(check.deny) == 0 with input as _pod({"initContainers": [{"name": "i"}], "containers": [{"name": "app", "livenessProbe": _probe}], "ephemeralContainers": [{"name": "dbg"}]})
}

test_jobs_and_cronjobs_ignored if {
	spec := {"restartPolicy": "Never", "containers": [{"name": "task"}]}
	count(check.deny) == 0 with input as {"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": spec}}}
	count(check.deny) == 0 with input as {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}
}

test_run_to_completion_pods_ignored if {
	count(check.deny) == 0 with input as _pod({"restartPolicy": "OnFailure", "containers": [{"name": "a"}]})
	count(check.deny) == 0 with input as _pod({"restartPolicy": "Never", "containers": [{"name": "a"}]})
	count(check.deny) == 0 with input as {"kind": "Pod", "metadata": {"name": "p", "ownerReferences": [{"kind": "Job", "name": "j"}]}, "spec": {"containers": [{"name": "a"}]}}
}

test_fail_restart_always_pod_and_daemonset if {
	count(check.deny) == 1 with input as _pod({"restartPolicy": "Always", "containers": [{"name": "a"}]})
	count(check.deny) == 1 with input as {"kind": "DaemonSet", "metadata": {"name": "ds", "ownerReferences": "x"}, "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
}

# Population: long-running workloads; what runs to completion is not applicable.
test_applies_to_long_running_workloads if {
	check.applies with input as _deploy({"containers": [{"name": "app"}]})
	check.applies with input as _pod({"restartPolicy": "Always", "containers": [{"name": "app"}]})
	check.applies with input as {"kind": "Pod", "metadata": {"name": "web-1", "ownerReferences": [{"kind": "ReplicaSet", "name": "web"}]}, "spec": {"containers": [{"name": "app"}]}}
}

test_not_applicable_to_run_to_completion if {
	job := {"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}}
	not check.applies with input as job
	count(check.deny) == 0 with input as job
	not check.applies with input as {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}}}}
	not check.applies with input as _pod({"restartPolicy": "OnFailure", "containers": [{"name": "app"}]})
	count(check.deny) == 0 with input as _pod({"restartPolicy": "Never", "containers": [{"name": "app"}]})
	not check.applies with input as {"kind": "Pod", "metadata": {"name": "j-1", "ownerReferences": [{"kind": "Job", "name": "j"}]}, "spec": {"containers": [{"name": "app"}]}}
}
