package kubecomply.lib.kubernetes_test

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads

_spec := {
	"initContainers": [{"name": "init"}],
	"containers": [{"name": "a"}, {"name": "b", "securityContext": {"runAsUser": 1}}],
	"ephemeralContainers": [{"name": "debug"}],
}

test_pod_spec_path_pod if {
	pods := workloads.pod_specs with input as {"kind": "Pod", "metadata": {"name": "p", "annotations": {"x": "y"}}, "spec": _spec}
	count(pods) == 1
	some pod in pods
	pod.path == ["spec"]
	pod.metadata_path == ["metadata"]
	pod.metadata.annotations.x == "y"
}

test_pod_spec_path_deployment if {
	pods := workloads.pod_specs with input as {"kind": "Deployment", "spec": {"template": {"spec": _spec}}}
	some pod in pods
	pod.path == ["spec", "template", "spec"]
	pod.metadata == {}
	pod.metadata_path == ["spec", "template", "metadata"]
}

test_pod_spec_path_cronjob if {
	obj := {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"a": "b"}}, "spec": _spec}}}}}
	some pod in workloads.pod_specs with input as obj
	pod.path == ["spec", "jobTemplate", "spec", "template", "spec"]
	pod.metadata.labels.a == "b"
}

test_pod_spec_path_podtemplate if {
	some pod in workloads.pod_specs with input as {"kind": "PodTemplate", "template": {"spec": _spec}}
	pod.path == ["template", "spec"]
}

test_pod_spec_path_deploymentconfig if {
	some pod in workloads.pod_specs with input as {"kind": "DeploymentConfig", "spec": {"template": {"spec": _spec}}}
	pod.path == ["spec", "template", "spec"]
}

test_no_pod_spec_for_other_kinds if {
	count(workloads.pod_specs) == 0 with input as {"kind": "ConfigMap", "data": {"spec": "x"}}
	count(workloads.containers) == 0 with input as {"kind": "Service", "spec": {"ports": []}}
}

test_no_pod_spec_when_template_missing if {
	count(workloads.pod_specs) == 0 with input as {"kind": "Deployment", "spec": {"replicas": 1}}
}

test_containers_all_types_with_paths if {
	cs := workloads.containers with input as {"kind": "StatefulSet", "spec": {"template": {"spec": _spec}}}
	count(cs) == 4
	paths := {c.path | some c in cs}
	paths == {
		["spec", "template", "spec", "initContainers", 0],
		["spec", "template", "spec", "containers", 0],
		["spec", "template", "spec", "containers", 1],
		["spec", "template", "spec", "ephemeralContainers", 0],
	}
	types := {c.type | some c in cs}
	types == {"containers", "initContainers", "ephemeralContainers"}
}

test_container_label if {
	k8s.container_label({"type": "initContainers", "container": {"name": "x"}}) == `init container "x"`
	k8s.container_label({"type": "containers", "container": {"name": "x"}}) == `container "x"`
}

test_security_context_path if {
	k8s.security_context_path({"path": ["spec", "containers", 0], "container": {"securityContext": {}}}) == ["spec", "containers", 0, "securityContext"]
	k8s.security_context_path({"path": ["spec", "containers", 0], "container": {"name": "a"}}) == ["spec", "containers", 0]
	k8s.security_context_path({"path": ["spec", "containers", 0], "container": {"securityContext": null}}) == ["spec", "containers", 0]
}

test_deepest_existing_path if {
	k8s.deepest_existing_path(["spec"], {"securityContext": {"a": 1}}, ["securityContext", "seccompProfile", "type"]) == ["spec", "securityContext"]
	k8s.deepest_existing_path(["spec"], {}, ["securityContext", "x"]) == ["spec"]
	k8s.deepest_existing_path(["spec"], {"securityContext": {"x": 1}}, ["securityContext", "x"]) == ["spec", "securityContext", "x"]
}

test_null_security_context_is_empty if {
	k8s.security_context({"container": {"securityContext": null}}) == {}
	k8s.pod_security_context({"spec": {}}) == {}
}

test_is_windows if {
	k8s.is_windows({"spec": {"os": {"name": "windows"}}})
	not k8s.is_windows({"spec": {"os": {"name": "linux"}}})
	not k8s.is_windows({"spec": {}})
}

test_host_users_false if {
	k8s.host_users_false({"spec": {"hostUsers": false}})
	not k8s.host_users_false({"spec": {"hostUsers": true}})
	not k8s.host_users_false({"spec": {}})
}

test_quote_handles_non_strings if {
	k8s.quote("app") == `"app"`
	k8s.quote(5) == "5"
	k8s.quote(null) == "null"
}

# Names that are not strings are shown as JSON; an absent name as "".
test_container_label_malformed_names if {
	k8s.container_label({"type": "containers", "container": {}}) == `container ""`
	k8s.container_label({"type": "containers", "container": {"name": 7}}) == `container 7`
	k8s.container_label({"type": "ephemeralContainers", "container": {"name": null}}) == `ephemeral container null`
	k8s.container_label({"type": "containers", "container": {"name": "a\"b"}}) == `container "a\"b"`
}

# Paths through arrays, and a prefix that stops at a non-object value.
test_deepest_existing_path_arrays_and_scalars if {
	k8s.deepest_existing_path(["spec"], {"securityContext": {"sysctls": [{"value": "1"}]}}, ["securityContext", "sysctls", 0, "name"]) == ["spec", "securityContext", "sysctls", 0]
	k8s.deepest_existing_path(["spec"], {"securityContext": "x"}, ["securityContext", "seccompProfile", "type"]) == ["spec", "securityContext"]
	k8s.deepest_existing_path(["spec"], {"securityContext": null}, ["securityContext", "x"]) == ["spec", "securityContext"]
}
