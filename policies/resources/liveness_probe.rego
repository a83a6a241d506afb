# METADATA
# title: Liveness probe not configured
# description: >-
#   A liveness probe lets the kubelet notice a container that is still running
#   but no longer working (deadlocked, stuck in a loop, out of connections) and
#   restart it. Without one such a container keeps its place and its traffic
#   until someone notices. Checked for long-running workloads only: Jobs,
#   CronJobs, pods owned by a Job and pods with restartPolicy Never or
#   OnFailure run to completion, and init and ephemeral containers are not
#   checked.
# custom:
#   id: liveness-probe
#   severity: low
#   kinds: [workloads]
#   population: Long-running workloads (not Jobs, CronJobs, Pods owned by a Job, or pods with restartPolicy Never or OnFailure)
#   remediation: >-
#     Add a livenessProbe (httpGet, tcpSocket, grpc or exec) to every
#     container that checks the process can still make progress; keep it
#     cheaper and more tolerant than the readiness probe, and use a
#     startupProbe for slow starts rather than a long initialDelaySeconds.
#   references:
#     kubescape: ["C-0056"]
#     checkov: ["CKV_K8S_8"]
#     polaris: ["livenessProbeMissing"]
#     kube_score: ["pod-probes"]
package kubecomply.resources.liveness_probe

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
	not c.container.livenessProbe != null
	c.type == "containers"
	not _batch_kinds[input.kind]
	not _exiting[c.pod.spec.restartPolicy]
	not _job_pod
	result := {
		"msg": sprintf("container %s has no livenessProbe", [json.marshal(object.get(c.container, "name", ""))]),
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
