# METADATA
# title: API server audit log retention
# description: >-
#   The kube-apiserver rotates its audit log by --audit-log-maxage (days to keep
#   old files, at least 30, or data.kubecomply.config.audit_log_min_days when a
#   --data file sets it), --audit-log-maxbackup (files to keep, at least 10) and
#   --audit-log-maxsize (megabytes before rotating, at least 100). Left unset or
#   lower, audit history is lost before an incident is noticed or an audit asks
#   for it. The check sees only the files kept on the control plane node: a
#   retention requirement met by shipping logs elsewhere (PCI DSS 10.5.1's twelve
#   months) needs evidence from that archive. One finding per flag that is missing, not a whole number, or
#   below its minimum. Not evaluated when --audit-log-path is "-" (events go to
#   standard output and are retained by the log pipeline). Evaluated on the
#   kube-apiserver static Pod.
# custom:
#   id: apiserver-audit-retention
#   severity: low
#   kinds: [Pod]
#   population: Pods that run kube-apiserver and write the audit log to a file (--audit-log-path other than -)
#   remediation: >-
#     Set --audit-log-maxage=30, --audit-log-maxbackup=10 and
#     --audit-log-maxsize=100 (or larger, as your retention policy requires) in the
#     kube-apiserver manifest on every control plane node. To hold the API server
#     to a longer on-node retention (for example 90 days immediately available),
#     set audit_log_min_days in a --data file.
#   references:
#     cis: ["1.2.17", "1.2.18", "1.2.19"]
#     kubescape: ["C-0131", "C-0132", "C-0133"]
#     trivy: ["KCV-0020", "KCV-0021", "KCV-0022"]
#     checkov: ["CKV_K8S_92", "CKV_K8S_93", "CKV_K8S_94"]
package kubecomply.platform.apiserver_audit_retention

import rego.v1

import data.kubecomply.lib.apiserver

_minimums := {"audit-log-maxage": _min_days, "audit-log-maxbackup": 10, "audit-log-maxsize": 100}

# Days of audit history the node must keep: the CIS 1.2.17 value unless the
# user's --data says otherwise (the scanner rejects a value that is not a
# positive whole number, so a typo cannot lower the bar silently).
_min_days := data.kubecomply.config.audit_log_min_days if {
	is_number(data.kubecomply.config.audit_log_min_days)
	data.kubecomply.config.audit_log_min_days >= 1
} else := 30

# Population: kube-apiserver Pods that write the audit log to a file. With
# --audit-log-path=- the events go to standard output and the log pipeline
# decides retention; other Pods are not applicable either.
applies if {
	some server in apiserver.servers
	not _to_stdout(server)
}

deny contains result if {
	some server in apiserver.servers
	not _to_stdout(server)
	some name, minimum in _minimums
	not server.flags[name]
	result := {
		"msg": sprintf("%s does not set --%s (at least %d)", [apiserver.label(server), name, minimum]),
		"path": server.path,
	}
}

deny contains result if {
	some server in apiserver.servers
	not _to_stdout(server)
	some name, minimum in _minimums
	flag := server.flags[name]
	not _at_least(flag.value, minimum)
	result := {
		"msg": sprintf("%s sets --%s=%s, below %d or not a number", [apiserver.label(server), name, flag.value, minimum]),
		"path": flag.path,
	}
}

_to_stdout(server) if server.flags["audit-log-path"].value == "-"

_at_least(value, minimum) if {
	regex.match(`^[0-9]+$`, value)
	to_number(value) >= minimum
}
