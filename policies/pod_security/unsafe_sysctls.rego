# METADATA
# title: Unsafe sysctls
# description: >-
#   Sysctls set on a pod change kernel parameters. Only a small set is both
#   namespaced and isolated from other pods on the node; any other sysctl can
#   weaken security mechanisms or disturb every workload on the host.
# custom:
#   id: unsafe-sysctls
#   severity: medium
#   kinds: [workloads]
#   remediation: >-
#     Remove every entry of spec.securityContext.sysctls that is not on the safe
#     list (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range,
#     net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies,
#     net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports,
#     net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout,
#     net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes,
#     net.ipv4.tcp_rmem, net.ipv4.tcp_wmem, net.ipv4.tcp_slow_start_after_idle,
#     net.ipv4.tcp_notsent_lowat); tune node-level parameters on the node.
#   references:
#     pss: ["baseline/Sysctls"]
#     psa_check: ["sysctls"]
#     trivy: ["KSV-0026"]
package kubecomply.pod_security.unsafe_sysctls

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.pod_specs

# The safe sysctls at policy v1.37.
safe_sysctls := {
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range",
	# v1.27
	"net.ipv4.ip_local_reserved_ports",
	# v1.29
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
	# v1.32
	"net.ipv4.tcp_rmem",
	"net.ipv4.tcp_wmem",
	# v1.37
	"net.ipv4.tcp_slow_start_after_idle",
	"net.ipv4.tcp_notsent_lowat",
}

# Direct field access on the hot path (a user function costs ~6 µs per call in
# regorus); the is_array guard keeps an object or string from being iterated.
# A sysctl that is not an object or has no name has an undefined
# `sysctl.name`, so it is reported like the name "". The name for the message
# is only computed for violations.
deny contains result if {
	some pod in pod_specs
	sysctls := pod.spec.securityContext.sysctls
	is_array(sysctls)
	some i, sysctl in sysctls
	not safe_sysctls[k8s.get(sysctl, "name")]
	name := object.get(k8s.as_object(sysctl), "name", "")
	result := {
		"msg": sprintf("pod sets the unsafe sysctl %s in securityContext.sysctls", [k8s.quote(name)]),
		"path": k8s.deepest_existing_path(pod.path, pod.spec, ["securityContext", "sysctls", i, "name"]),
	}
}
