# METADATA
# title: Service with externalIPs
# description: >-
#   spec.externalIPs makes kube-proxy on every node accept traffic for the
#   listed addresses and send it to the Service. Nothing checks that the
#   addresses belong to the Service's owner, so anyone who may create or edit
#   a Service can capture traffic meant for another in-cluster or external
#   address (CVE-2020-8554, a man-in-the-middle that Kubernetes cannot fix in
#   the API). Legitimate uses are rare and better served by a LoadBalancer.
# custom:
#   id: service-external-ips
#   severity: medium
#   kinds: [Service]
#   remediation: >-
#     Remove spec.externalIPs and publish the Service through a LoadBalancer
#     or an Ingress. Block the field cluster-wide with the
#     DenyServiceExternalIPs admission plugin or an admission policy, with a
#     reviewed exception for Services that really need it.
#   references:
#     cve: ["CVE-2020-8554"]
package kubecomply.network.service_external_ips

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

deny contains result if {
	ips := input.spec.externalIPs
	is_array(ips)
	count(ips) > 0
	result := {
		"msg": sprintf("Service %s sets spec.externalIPs (%d address(es)); anyone who may edit Services can intercept traffic this way", [k8s.quote(input.metadata.name), count(ips)]),
		"path": ["spec", "externalIPs"],
	}
}
