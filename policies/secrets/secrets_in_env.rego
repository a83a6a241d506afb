# METADATA
# title: Secrets exposed as environment variables
# description: >-
#   A container reads a Secret into environment variables (env[].valueFrom.secretKeyRef
#   or envFrom[].secretRef). Environment variables are inherited by every child
#   process, show up in crash dumps, debug endpoints and `kubectl describe`-style
#   tooling, and are often logged by frameworks at start-up. A Secret mounted as a
#   file can be read only by what opens it, and is updated in place when the Secret
#   changes.
# custom:
#   id: secrets-in-env
#   severity: low
#   kinds: [workloads]
#   remediation: >-
#     Mount the Secret as a volume (secret volume or projected volume, ideally with
#     defaultMode 0400 and readOnly) and have the application read the file, or use
#     an external secret store through a CSI driver. Remove the secretKeyRef and
#     secretRef entries from env and envFrom.
#   references:
#     cis: ["5.4.1"]
#     kubescape: ["C-0207"]
#     checkov: ["CKV_K8S_35"]
package kubecomply.secrets.secrets_in_env

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.workloads.containers

# env[].valueFrom.secretKeyRef: one finding per variable. Secret and key names
# are named in the message; they are references, not values.
deny contains result if {
	some c in containers
	env := c.container.env
	is_array(env)
	some j, e in env
	ref := e.valueFrom.secretKeyRef
	is_object(ref)
	result := {
		"msg": sprintf("%s reads key %s of Secret %s into env var %s", [
			k8s.container_label(c),
			k8s.quote(object.get(ref, "key", "")),
			k8s.quote(object.get(ref, "name", "")),
			k8s.quote(object.get(e, "name", "")),
		]),
		"path": array.concat(c.path, ["env", j, "valueFrom", "secretKeyRef"]),
	}
}

# envFrom[].secretRef: every key of the Secret becomes a variable.
deny contains result if {
	some c in containers
	env_from := c.container.envFrom
	is_array(env_from)
	some j, source in env_from
	ref := source.secretRef
	is_object(ref)
	result := {
		"msg": sprintf("%s loads every key of Secret %s as environment variables (envFrom)", [
			k8s.container_label(c),
			k8s.quote(object.get(ref, "name", "")),
		]),
		"path": array.concat(c.path, ["envFrom", j, "secretRef"]),
	}
}
