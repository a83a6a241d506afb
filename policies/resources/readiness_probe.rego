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

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads

# Kinds whose pods run to completion: probes do not apply.
_batch_kinds := {"Job", "CronJob"}

# Pod restart policies of run-to-completion pods.
_exiting := {"Never", "OnFailure"}

# Hot path: a direct field read per container first (absent or null probe),
# then the cheap exclusions; the owner lookup is a function so that it only
# runs for containers without a probe (a package rule would run for every
# resource).
deny contains result if {
	some c in workloads.containers
	not c.container.readinessProbe != null
	c.type == "containers"
	not _batch_kinds[input.kind]
	not _exiting[c.pod.spec.restartPolicy]
	not _owned_by_job(input)
	result := {
		"msg": sprintf("%s has no readinessProbe", [k8s.container_label(c)]),
		"path": c.path,
	}
}

_owned_by_job(obj) if {
	owners := obj.metadata.ownerReferences
	is_array(owners)
	some owner in owners
	owner.kind == "Job"
}
