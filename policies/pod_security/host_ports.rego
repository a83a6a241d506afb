# METADATA
# title: Host ports
# description: >-
#   A hostPort binds a container port directly on the node's network
#   interfaces. It bypasses Services and network policies at the node, exposes
#   the workload outside the cluster network and ties the pod to nodes where
#   the port is free.
# custom:
#   id: host-ports
#   severity: medium
#   kinds: [workloads]
#   remediation: >-
#     Remove ports[*].hostPort (or set it to 0) in every container, init
#     container and ephemeral container; publish the port with a Service
#     (ClusterIP, NodePort or LoadBalancer) or an Ingress instead.
#   references:
#     pss: ["baseline/Host Ports"]
#     psa_check: ["hostPorts"]
#     cis: ["5.2.12"]
#     kubescape: ["C-0044"]
#     trivy: ["KSV-0024"]
#     checkov: ["CKV_K8S_26"]
package kubecomply.pod_security.host_ports

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers

# Direct field access on the hot path (a user function costs ~6 µs per call in
# regorus); the is_array guard keeps an object or string from being iterated.
deny contains result if {
	some c in containers
	ports := c.container.ports
	is_array(ports)
	some j, port in ports
	hp := port.hostPort
	hp != null
	hp != 0
	result := {
		"msg": sprintf("%s uses hostPort %v", [k8s.container_label(c), hp]),
		"path": array.concat(c.path, ["ports", j, "hostPort"]),
	}
}
