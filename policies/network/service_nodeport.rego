# METADATA
# title: NodePort Service
# description: >-
#   A NodePort Service opens the same port (30000-32767 by default) on every
#   node of the cluster and forwards it to the pods. The workload is then
#   reachable from anything that can reach any node, bypassing the ingress
#   controller or load balancer and their TLS, authentication and logging, and
#   node firewalls have to be opened for a port range. LoadBalancer Services
#   also allocate node ports; they are covered by loadbalancer-source-ranges.
# custom:
#   id: service-nodeport
#   severity: low
#   kinds: [Service]
#   remediation: >-
#     Use type ClusterIP and publish the workload through an Ingress or
#     Gateway, or through a LoadBalancer Service restricted with
#     loadBalancerSourceRanges. If a NodePort is required (a bare-metal
#     ingress controller), waive the finding for that Service.
#   references:
#     kube_score: ["service-type"]
package kubecomply.network.service_nodeport

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

deny contains result if {
	input.spec.type == "NodePort"
	result := {
		"msg": sprintf("Service %s is of type NodePort, which opens its port on every node", [k8s.quote(input.metadata.name)]),
		"path": ["spec", "type"],
	}
}
