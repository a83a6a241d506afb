# METADATA
# title: Host field in probes and lifecycle hooks
# description: >-
#   Probes and lifecycle hooks are executed by the kubelet from the node. When
#   they name an explicit host, the kubelet can be made to send requests to any
#   address reachable from the node, including node-local services, which
#   makes them a server-side request forgery channel.
# custom:
#   id: host-probes-lifecycle
#   severity: medium
#   kinds: [workloads]
#   remediation: >-
#     Remove the host field from httpGet and tcpSocket in livenessProbe,
#     readinessProbe, startupProbe and lifecycle.postStart/preStop; the kubelet
#     then targets the pod's own IP. Use an httpHeaders Host header if the
#     application needs a virtual host name.
#   references:
#     pss: ["baseline/Host Probes / Lifecycle Hooks (v1.34+)"]
#     psa_check: ["hostProbesAndHostLifecycle"]
package kubecomply.pod_security.host_probes_lifecycle

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads

# Handlers whose host field is restricted, relative to the container.
_handler_paths := [
	["livenessProbe"],
	["readinessProbe"],
	["startupProbe"],
	["lifecycle", "postStart"],
	["lifecycle", "preStop"],
]

_actions := ["httpGet", "tcpSocket"]

deny contains result if {
	some c in workloads.containers
	some handler in _handler_paths
	some action in _actions
	rel := array.concat(handler, [action, "host"])
	host := object.get(c.container, rel, "")
	host != ""
	host != null
	result := {
		"msg": sprintf("%s sets %s: %s", [k8s.container_label(c), concat(".", rel), k8s.quote(host)]),
		"path": array.concat(c.path, rel),
	}
}
