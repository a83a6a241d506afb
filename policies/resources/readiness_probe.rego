# METADATA
# title: Readiness probe not configured
# description: >-
#   A readiness probe tells Kubernetes when a container can take traffic.
#   Without one a pod is added to its Services' endpoints as soon as its
#   containers start, and stays there while it is overloaded or warming up, so
#   clients get errors during every rollout and restart. Checked for
#   long-running workloads only: Jobs, CronJobs, pods owned by a Job and pods
#   with restartPolicy Never or OnFailure run to completion, and init and
#   ephemeral containers are not checked.
# custom:
#   id: readiness-probe
#   severity: low
#   kinds: [workloads]
#   population: Long-running workloads (not Jobs, CronJobs, Pods owned by a Job, or pods with restartPolicy Never or OnFailure)
#   remediation: >-
#     Add a readinessProbe to every container that reports whether it can
#     serve requests now (for example an HTTP health endpoint that checks its
#     dependencies).
#   references:
#     kubescape: ["C-0018"]
#     checkov: ["CKV_K8S_9"]
#     polaris: ["readinessProbeMissing"]
#     kube_score: ["pod-probes"]
package kubecomply.resources.readiness_probe

import rego.v1

import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

# Kinds whose pods run to completion: probes do not apply.
_batch_kinds := {"Job", "CronJob"}

# Pod restart policies of run-to-completion pods.
_exiting := {"Never", "OnFailure"}

# Population: long-running workloads. Jobs, CronJobs, Pods owned by a Job
# and pods with restartPolicy Never or OnFailure run to completion.
applies if {
	not _batch_kinds[input.kind]
	not _job_pod
	some pod in pod_specs
	not _exiting[pod.spec.restartPolicy]
}

# Hot path: a direct field read per container first (absent or null probe),
# then the cheap exclusions. The message quotes the name with json.marshal
# (like k8s.quote for strings) instead of the library's label function: each
# violation is a container without a probe, so this runs often.
deny contains result if {
	some c in containers
	not c.container.readinessProbe != null
	c.type == "containers"
	not _batch_kinds[input.kind]
	not _exiting[c.pod.spec.restartPolicy]
	not _job_pod
	result := {
		"msg": sprintf("container %s has no readinessProbe", [json.marshal(object.get(c.container, "name", ""))]),
		"path": c.path,
	}
}

# A bare Pod created by a Job (a Job's pods run to completion). A rule, so it
# is evaluated once per resource rather than once per container.
_job_pod if {
	input.kind == "Pod"
	owners := input.metadata.ownerReferences
	is_array(owners)
	some owner in owners
	owner.kind == "Job"
}
