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
import data.kubecomply.lib.workloads.containers

# Handlers whose host field is restricted: probes on the container itself,
# hooks under `lifecycle`, each with an httpGet or tcpSocket action.
_probes := {"livenessProbe", "readinessProbe", "startupProbe"}

_hooks := {"postStart", "preStop"}

_actions := {"httpGet", "tcpSocket"}

# The rules walk the keys the container actually has and keep the handler
# ones: regorus is several times slower reading the ten handler/action pairs
# through variable keys (c.container[probe][action].host) or object.get paths.
# The is_object guards keep `some .. in` off strings, numbers and null (an
# error in regorus); a non-object handler or action has no host, like
# object.get's default "". Messages and paths are only built for violations.
deny contains result if {
	some c in containers
	some probe, handler in c.container
	_probes[probe]
	is_object(handler)
	some action, spec in handler
	_actions[action]
	host := spec.host
	host != ""
	host != null
	rel := [probe, action, "host"]
	result := {
		"msg": sprintf("%s sets %s: %s", [k8s.container_label(c), concat(".", rel), k8s.quote(host)]),
		"path": array.concat(c.path, rel),
	}
}

deny contains result if {
	some c in containers
	lifecycle := c.container.lifecycle
	is_object(lifecycle)
	some hook, handler in lifecycle
	_hooks[hook]
	is_object(handler)
	some action, spec in handler
	_actions[action]
	host := spec.host
	host != ""
	host != null
	rel := ["lifecycle", hook, action, "host"]
	result := {
		"msg": sprintf("%s sets %s: %s", [k8s.container_label(c), concat(".", rel), k8s.quote(host)]),
		"path": array.concat(c.path, rel),
	}
}
