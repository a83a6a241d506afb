# METADATA
# title: LoadBalancer Service open to any address
# description: >-
#   A Service of type LoadBalancer asks the cloud provider for a load
#   balancer, which is usually reachable from the whole internet. Without
#   spec.loadBalancerSourceRanges (or with 0.0.0.0/0 or ::/0 in it) nothing
#   limits who can connect, so an internal tool, an admin interface or a
#   database published this way is open to everyone. Load balancers marked
#   internal with a known cloud annotation (AWS, Azure, GCP, OCI, OpenStack,
#   IBM) are not reported, and the legacy
#   service.beta.kubernetes.io/load-balancer-source-ranges annotation counts
#   as a restriction.
# custom:
#   id: loadbalancer-source-ranges
#   severity: medium
#   kinds: [Service]
#   population: Services of type LoadBalancer
#   remediation: >-
#     Set spec.loadBalancerSourceRanges to the CIDR ranges that must reach the
#     Service (office, VPN, partner or CDN ranges), or make the load balancer
#     internal with your cloud provider's annotation, or publish the workload
#     through an Ingress that enforces authentication. If the Service is meant
#     to be public, waive the finding with that reason.
#   references:
#     kubernetes: ["https://kubernetes.io/docs/concepts/services-networking/service/#load-balancer-source-ranges"]
package kubecomply.network.loadbalancer_source_ranges

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

_legacy_annotation := "service.beta.kubernetes.io/load-balancer-source-ranges"

# Annotations (with their value, lower-cased) that make a cloud load balancer
# internal, i.e. reachable from the private network only.
_internal := {
	["service.beta.kubernetes.io/aws-load-balancer-internal", "true"],
	["service.beta.kubernetes.io/aws-load-balancer-scheme", "internal"],
	["service.beta.kubernetes.io/azure-load-balancer-internal", "true"],
	["networking.gke.io/load-balancer-type", "internal"],
	["cloud.google.com/load-balancer-type", "internal"],
	["service.beta.kubernetes.io/oci-load-balancer-internal", "true"],
	["service.beta.kubernetes.io/openstack-internal-load-balancer", "true"],
	["service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type", "private"],
}

_any_address := {"0.0.0.0/0", "::/0"}

# Population: Services of type LoadBalancer (internal ones included: being
# internal is a way to pass). Other Services open no load balancer.
applies if input.spec.type == "LoadBalancer"

# Functions rather than rules for the annotation tests: every rule of a
# package is evaluated for every Service, functions only when called.
deny contains result if {
	input.spec.type == "LoadBalancer"
	not _nonempty(input.spec.loadBalancerSourceRanges)
	not _legacy_ranges(input.metadata)
	not _internal_lb(input.metadata)
	result := {
		"msg": sprintf("LoadBalancer Service %s does not set spec.loadBalancerSourceRanges, so any address can connect", [k8s.quote(input.metadata.name)]),
		"path": ["spec"],
	}
}

deny contains result if {
	input.spec.type == "LoadBalancer"
	ranges := input.spec.loadBalancerSourceRanges
	is_array(ranges)
	some i, range in ranges
	_any_address[range]
	not _internal_lb(input.metadata)
	result := {
		"msg": sprintf("LoadBalancer Service %s allows %s in spec.loadBalancerSourceRanges, so any address can connect", [k8s.quote(input.metadata.name), range]),
		"path": ["spec", "loadBalancerSourceRanges", i],
	}
}

_nonempty(x) if {
	is_array(x)
	count(x) > 0
}

_legacy_ranges(meta) if {
	value := meta.annotations[_legacy_annotation]
	is_string(value)
	trim_space(value) != ""
}

_internal_lb(meta) if {
	annotations := meta.annotations
	is_object(annotations)
	some key, value in annotations
	is_string(value)
	_internal[[key, lower(value)]]
}
