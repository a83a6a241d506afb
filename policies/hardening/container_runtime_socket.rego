# METADATA
# title: Container runtime socket mounted
# description: >-
#   The socket of the container runtime (Docker, containerd, CRI-O, Podman)
#   accepts commands that start privileged containers, read any container's
#   files and environment, and run processes on the node. A pod that mounts
#   it, or a host directory that contains it such as /var/run or /run, holds
#   root on the node whatever its own securityContext says.
# custom:
#   id: container-runtime-socket
#   severity: high
#   kinds: [workloads]
#   remediation: >-
#     Remove the hostPath volume. Build images with a daemonless builder
#     (BuildKit rootless, kaniko, buildah) instead of the node's Docker, and
#     read container metadata through the Kubernetes API or a dedicated,
#     separately governed node agent.
#   references:
#     kubescape: ["C-0074"]
#     trivy: ["KSV-0006"]
#     checkov: ["CKV_K8S_27"]
package kubecomply.hardening.container_runtime_socket

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.pod_specs

# Only hostPath volumes reach the path tests, so their cost does not matter.
deny contains result if {
	some pod in pod_specs
	volumes := pod.spec.volumes
	is_array(volumes)
	some i, volume in volumes
	path := volume.hostPath.path
	is_string(path)
	_is_runtime_socket(path)
	result := {
		"msg": sprintf("volume %s mounts the host path %q, which is or contains a container runtime socket", [k8s.quote(object.get(volume, "name", "")), path]),
		"path": array.concat(pod.path, ["volumes", i, "hostPath", "path"]),
	}
}

# The sets are written inside the functions, which run for hostPath volumes
# only: as package rules they would be built for every resource.

# Host paths (trailing slashes removed; "" is "/") that are a runtime socket
# or a directory holding one.
_is_runtime_socket(path) if {
	trim_right(path, "/") in {
		"", "/var", "/run", "/var/run",
		"/var/run/docker.sock", "/run/docker.sock", "/var/run/docker", "/run/docker",
		"/var/run/dockershim.sock", "/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock",
		"/var/run/containerd", "/run/containerd",
		"/var/run/containerd/containerd.sock", "/run/containerd/containerd.sock",
		"/run/k3s", "/run/k3s/containerd", "/run/k3s/containerd/containerd.sock",
		"/var/run/crio", "/run/crio", "/var/run/crio/crio.sock", "/run/crio/crio.sock",
		"/var/run/podman", "/run/podman", "/var/run/podman/podman.sock", "/run/podman/podman.sock",
	}
}

# Socket file names, wherever they are (custom data roots, rootless runtimes).
_is_runtime_socket(path) if {
	parts := split(path, "/")
	parts[count(parts) - 1] in {"docker.sock", "containerd.sock", "crio.sock", "podman.sock", "dockershim.sock", "cri-dockerd.sock"}
}

# Windows named pipes of Docker and containerd.
_is_runtime_socket(path) if lower(path) in {`\\.\pipe\docker_engine`, `\\.\pipe\containerd-containerd`}
