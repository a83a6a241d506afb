package kubecomply.network.namespace_network_policy_test

import rego.v1

import data.kubecomply.network.namespace_network_policy as check

_ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}

_np := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny-all", "namespace": "shop"}, "spec": {"podSelector": {}}}

test_pass_policy_in_namespace if {
	count(check.deny) == 0 with input as _ns with data.inventory as {"namespace": {"shop": {"networking.k8s.io/v1": {"NetworkPolicy": {"deny-all": _np}}}}}
}

test_pass_legacy_api_version if {
	count(check.deny) == 0 with input as _ns with data.inventory as {"namespace": {"shop": {"extensions/v1beta1": {"NetworkPolicy": {"deny-all": _np}}}}}
}

test_fail_no_policy if {
	results := check.deny with input as _ns with data.inventory as {"namespace": {"shop": {"v1": {"Service": {"web": {}}}}}}
	count(results) == 1
	some r in results
	r.msg == `no NetworkPolicy in namespace "shop" among the scanned resources`
	r.path == ["metadata", "name"]
}

test_fail_policy_only_in_other_namespace if {
	count(check.deny) == 1 with input as _ns with data.inventory as {"namespace": {"payments": {"networking.k8s.io/v1": {"NetworkPolicy": {"deny-all": _np}}}}}
	count(check.deny) == 1 with input as _ns
}

# ---- policies of other APIs (issue 15): each protects the namespace as a NetworkPolicy does.

_nsl := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"tier": "prod"}}}

_in_ns(version, kind) := {"namespace": {"shop": {version: {kind: {"p": {"kind": kind, "spec": {}}}}}}}

_cluster(version, kind, spec) := {"namespace": {}, "cluster": {version: {kind: {"p": {"kind": kind, "spec": spec}}}}}

test_pass_namespaced_cilium_and_calico_policies if {
	count(check.deny) == 0 with input as _ns with data.inventory as _in_ns("cilium.io/v2", "CiliumNetworkPolicy")
	count(check.deny) == 0 with input as _ns with data.inventory as _in_ns("projectcalico.org/v3", "NetworkPolicy")
	count(check.deny) == 0 with input as _ns with data.inventory as _in_ns("crd.projectcalico.org/v1", "NetworkPolicy")
}

test_fail_other_kinds_in_namespace_do_not_count if {
	count(check.deny) == 1 with input as _ns with data.inventory as _in_ns("cilium.io/v2", "CiliumEndpoint")
	count(check.deny) == 1 with input as _ns with data.inventory as _in_ns("example.com/v1", "NetworkPolicy")
}

test_pass_cilium_clusterwide_selecting_all_or_this_namespace if {
	count(check.deny) == 0 with input as _nsl with data.inventory as _cluster("cilium.io/v2", "CiliumClusterwideNetworkPolicy", {"endpointSelector": {}})
	count(check.deny) == 0 with input as _nsl with data.inventory as _cluster("cilium.io/v2", "CiliumClusterwideNetworkPolicy", {"endpointSelector": {"matchLabels": {"k8s:io.kubernetes.pod.namespace": "shop", "app": "web"}}})
	count(check.deny) == 0 with input as _nsl with data.inventory as _cluster("cilium.io/v2", "CiliumClusterwideNetworkPolicy", {"endpointSelector": {"matchLabels": {"io.cilium.k8s.namespace.labels.tier": "prod"}}})
	count(check.deny) == 0 with input as _nsl with data.inventory as {"cluster": {"cilium.io/v2": {"CiliumClusterwideNetworkPolicy": {"p": {"specs": [{"endpointSelector": {"matchExpressions": [{"key": "k8s:io.kubernetes.pod.namespace", "operator": "In", "values": ["shop", "cart"]}]}}]}}}}}
}

test_fail_cilium_clusterwide_elsewhere_or_by_pod_labels_only if {
	count(check.deny) == 1 with input as _nsl with data.inventory as _cluster("cilium.io/v2", "CiliumClusterwideNetworkPolicy", {"endpointSelector": {"matchLabels": {"k8s:io.kubernetes.pod.namespace": "payments"}}})
	count(check.deny) == 1 with input as _nsl with data.inventory as _cluster("cilium.io/v2", "CiliumClusterwideNetworkPolicy", {"endpointSelector": {"matchLabels": {"app": "web"}}})
	count(check.deny) == 1 with input as _nsl with data.inventory as _cluster("cilium.io/v2", "CiliumClusterwideNetworkPolicy", {"nodeSelector": {}})
	count(check.deny) == 1 with input as _nsl with data.inventory as _cluster("cilium.io/v2", "CiliumClusterwideNetworkPolicy", {"endpointSelector": {"matchExpressions": [{"key": "io.kubernetes.pod.namespace", "operator": "NotIn", "values": ["kube-system"]}]}})
}

test_pass_calico_global_policy if {
	count(check.deny) == 0 with input as _nsl with data.inventory as _cluster("projectcalico.org/v3", "GlobalNetworkPolicy", {"types": ["Ingress"]})
	count(check.deny) == 0 with input as _nsl with data.inventory as _cluster("crd.projectcalico.org/v1", "GlobalNetworkPolicy", {"selector": "all()"})
	count(check.deny) == 0 with input as _nsl with data.inventory as _cluster("projectcalico.org/v3", "GlobalNetworkPolicy", {"namespaceSelector": "projectcalico.org/name == 'shop'"})
	count(check.deny) == 0 with input as _nsl with data.inventory as _cluster("projectcalico.org/v3", "GlobalNetworkPolicy", {"namespaceSelector": `tier == "prod"`, "selector": "app == 'web'"})
}

test_fail_calico_global_policy_elsewhere_or_unreadable if {
	count(check.deny) == 1 with input as _nsl with data.inventory as _cluster("projectcalico.org/v3", "GlobalNetworkPolicy", {"namespaceSelector": "projectcalico.org/name == 'payments'"})
	count(check.deny) == 1 with input as _nsl with data.inventory as _cluster("projectcalico.org/v3", "GlobalNetworkPolicy", {"selector": "app == 'web'"})
	count(check.deny) == 1 with input as _nsl with data.inventory as _cluster("projectcalico.org/v3", "GlobalNetworkPolicy", {"namespaceSelector": "tier == 'prod' && team == 'a'"})
}

test_pass_admin_network_policies if {
	count(check.deny) == 0 with input as _nsl with data.inventory as _cluster("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", {"subject": {"namespaces": {}}})
	count(check.deny) == 0 with input as _nsl with data.inventory as _cluster("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", {"subject": {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}}}})
	count(check.deny) == 0 with input as _nsl with data.inventory as _cluster("policy.networking.k8s.io/v1alpha1", "BaselineAdminNetworkPolicy", {"subject": {"pods": {"namespaceSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["prod"]}]}, "podSelector": {}}}})
	count(check.deny) == 0 with input as _nsl with data.inventory as _cluster("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", {"subject": {"namespaces": {"matchExpressions": [{"key": "team", "operator": "DoesNotExist"}, {"key": "tier", "operator": "Exists"}]}}})
}

test_fail_admin_network_policy_not_selecting_namespace if {
	count(check.deny) == 1 with input as _nsl with data.inventory as _cluster("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", {"subject": {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "payments"}}}})
	count(check.deny) == 1 with input as _nsl with data.inventory as _cluster("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", {"subject": {"namespaces": {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["prod"]}]}}})
	count(check.deny) == 1 with input as _nsl with data.inventory as _cluster("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", {"subject": "all"})
}
