# METADATA
# title: Istio peer authentication not in STRICT mTLS
# description: >-
#   An Istio PeerAuthentication (security.istio.io) in PERMISSIVE mode accepts
#   plain-text traffic beside mutual TLS, and in DISABLE mode accepts only plain
#   text: workloads it selects can be reached without a verified peer identity,
#   and authorization policies based on principals can be bypassed. Fails for
#   spec.mtls.mode or a spec.portLevelMtls entry set to PERMISSIVE or DISABLE. A
#   mode left unset (or UNSET) inherits from the namespace-wide policy, then from
#   the mesh-wide policy in the root namespace; it is reported only on a
#   mesh-wide policy (namespace istio-system, the default root namespace, with no
#   selector), where inheriting means Istio's default, PERMISSIVE.
# custom:
#   id: istio-mtls-strict
#   severity: medium
#   kinds: [PeerAuthentication]
#   population: Istio PeerAuthentications (apiVersion security.istio.io/*)
#   remediation: >-
#     Set spec.mtls.mode: STRICT, mesh-wide in the root namespace (istio-system)
#     and in any namespace or workload policy that overrides it; for a port that
#     must accept plain text (a health check from outside the mesh), prefer
#     moving it out of the mesh, and waive the port-level exception explicitly.
#   references:
#     istio: ["https://istio.io/latest/docs/reference/config/security/peer_authentication/"]
package kubecomply.platform.istio_mtls_strict

import rego.v1

_weak := {"PERMISSIVE", "DISABLE"}

# Population: Istio's PeerAuthentication (security.istio.io). A kind of the
# same name from another API group is not applicable.
applies if _istio

deny contains result if {
	_istio
	mode := input.spec.mtls.mode
	mode in _weak
	result := {
		"msg": sprintf("PeerAuthentication %s sets mTLS mode %s: plain-text traffic is accepted", [_name, mode]),
		"path": ["spec", "mtls", "mode"],
	}
}

deny contains result if {
	_istio
	ports := input.spec.portLevelMtls
	is_object(ports)
	some port, setting in ports
	mode := setting.mode
	mode in _weak
	result := {
		"msg": sprintf("PeerAuthentication %s sets mTLS mode %s for port %v: plain-text traffic is accepted", [_name, mode, port]),
		"path": ["spec", "portLevelMtls", port, "mode"],
	}
}

# A mesh-wide policy that leaves the mode unset keeps Istio's default, PERMISSIVE.
deny contains result if {
	_istio
	input.metadata.namespace == "istio-system"
	not _has_selector
	not _mode_set
	result := {
		"msg": sprintf("Mesh-wide PeerAuthentication %s leaves the mTLS mode unset: the mesh default, PERMISSIVE, applies", [_name]),
		"path": _spec_path,
	}
}

_istio if {
	is_string(input.apiVersion)
	startswith(input.apiVersion, "security.istio.io/")
}

_has_selector if {
	labels := input.spec.selector.matchLabels
	is_object(labels)
	count(labels) > 0
}

_mode_set if {
	mode := input.spec.mtls.mode
	mode != "UNSET"
}

_spec_path := ["spec", "mtls"] if {
	is_object(input.spec.mtls)
} else := ["spec"] if {
	is_object(input.spec)
} else := []

_name := sprintf("%q", [input.metadata.name]) if {
	is_string(input.metadata.name)
} else := `""`
