# METADATA
# title: Approving certificate signing requests
# description: >-
#   Approving a CertificateSigningRequest tells a signer to issue the
#   certificate. For the kubernetes.io/kube-apiserver-client signer that is a
#   client certificate for any user and any group the requester wrote into
#   the CSR, system:masters included, and a certificate cannot be revoked
#   before it expires. Kubernetes needs two permissions to approve: update
#   (or patch) on certificatesigningrequests/approval, and approve on the
#   signer (resource signers, resourceNames naming the signer). A finding is
#   raised for a rule that grants either half, because roles add up on the
#   subject: the other half often comes from another role bound to the same
#   account, which a check of one role cannot see. The message says which half
#   the rule grants, and the signers it is limited to. Roles named "system:..."
#   and the default roles labelled kubernetes.io/bootstrapping: rbac-defaults
#   belong to Kubernetes and are skipped; aggregated ClusterRoles are checked
#   on the rules they carry.
# custom:
#   id: rbac-csr-approval
#   severity: high
#   kinds: [Role, ClusterRole]
#   population: Roles and ClusterRoles other than the built-in ones Kubernetes reconciles (name prefix system:, label kubernetes.io/bootstrapping=rbac-defaults)
#   remediation: >-
#     Leave CSR approval to the controller manager's built-in approvers and
#     administrators. Where an automated approver is needed, give it approve
#     only on the signers it handles (resourceNames on signers, never "*" or
#     kubernetes.io/kube-apiserver-client) and make it check what each request
#     asks for before approving.
#   references:
#     cis: ["5.1.11"]
#     kubescape: ["C-0280"]
#     checkov: ["CKV_K8S_156"]
package kubecomply.rbac.rbac_csr_approval

import rego.v1

import data.kubecomply.lib.rbac

# The exact grants are matched only for prefiltered rules, so their target
# lists are written where they are used: a package-level constant would be
# evaluated for every Role and ClusterRole (measured ~14 µs per check each).

# Cheap prefilter on direct field reads, before any function call: the
# indexes of rules that name one of the resources (or a wildcard covering
# them) and one of the verbs (or "*"). The full group, resource and verb
# match runs only for these.
_resource_hits := {"certificatesigningrequests/approval", "signers", "*", "*/approval"}

_verb_hits := {"update", "patch", "approve", "*"}

_candidates contains i if {
	rules := input.rules
	is_array(rules)
	some i, rule in rules
	resources := rule.resources
	is_array(resources)
	some resource in resources
	_resource_hits[resource]
	verbs := rule.verbs
	is_array(verbs)
	some verb in verbs
	_verb_hits[verb]
}

# Population: roles other than the ones Kubernetes creates and reconciles
# itself (name prefix "system:", label kubernetes.io/bootstrapping:
# rbac-defaults), whose rules cannot be changed durably.
applies if not rbac.builtin(input.metadata)

deny contains result if {
	some i in _candidates
	not rbac.builtin(input.metadata)
	rule := input.rules[i]
	parts := _granted_parts(rule)
	count(parts) > 0
	result := {
		"msg": sprintf("%s grants %s (rules[%d])%s", [rbac.role_label(input), concat(" and ", parts), i, rbac.names_note(rule)]),
		"path": ["rules", i],
	}
}

# "update, patch on certificatesigningrequests/approval" and/or "approve on
# signers", for the halves of the approval permission the rule grants.
_granted_parts(rule) := array.concat(
	[sprintf("%s on certificatesigningrequests/approval", [concat(", ", verbs)]) |
		verbs := rbac.granted_verbs(rule, ["update", "patch"])
		count(verbs) > 0
		count(rbac.granted_resources(rule, [["certificates.k8s.io", "certificatesigningrequests/approval"]])) > 0
	],
	["approve on signers" |
		count(rbac.granted_verbs(rule, ["approve"])) > 0
		count(rbac.granted_resources(rule, [["certificates.k8s.io", "signers"]])) > 0
	],
)
