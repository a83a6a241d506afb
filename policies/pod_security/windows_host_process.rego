# METADATA
# title: Windows HostProcess containers
# description: >-
#   A Windows HostProcess container runs directly in the host's process and
#   network context with the rights of a node administrator. Anyone who can
#   run one effectively owns the Windows node, so ordinary workloads must not
#   request it at pod or container level.
# custom:
#   id: windows-host-process
#   severity: high
#   kinds: [workloads]
#   remediation: >-
#     Remove securityContext.windowsOptions.hostProcess (or set it to false) in
#     the pod securityContext and in every container, init container and
#     ephemeral container. Run node-level Windows tooling only in dedicated,
#     separately governed namespaces.
#   references:
#     pss: ["baseline/HostProcess"]
#     psa_check: ["windowsHostProcess"]
#     cis: ["5.2.10"]
#     trivy: ["KSV-0103"]
package kubecomply.pod_security.windows_host_process

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers
import data.kubecomply.lib.workloads.pod_specs

# The conditions below read fields directly instead of calling functions (a
# user function costs ~6 µs per call in regorus and they run for every
# pod and container). A field under a value that is absent, null or not an object is
# undefined, so the comparison simply fails. Message helpers are only called
# for violations.

deny contains result if {
	some pod in pod_specs
	pod.spec.securityContext.windowsOptions.hostProcess == true
	result := {
		"msg": "pod sets securityContext.windowsOptions.hostProcess: true",
		"path": array.concat(pod.path, ["securityContext", "windowsOptions", "hostProcess"]),
	}
}

deny contains result if {
	some c in containers
	c.container.securityContext.windowsOptions.hostProcess == true
	result := {
		"msg": sprintf("%s sets securityContext.windowsOptions.hostProcess: true", [k8s.container_label(c)]),
		"path": array.concat(c.path, ["securityContext", "windowsOptions", "hostProcess"]),
	}
}
