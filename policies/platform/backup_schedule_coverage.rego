# METADATA
# title: Data namespace not covered by a backup schedule
# description: >-
#   A namespace that holds data must be recoverable, but no active Velero
#   Schedule (velero.io/v1) in the scanned set backs it up. A namespace holds
#   data when it carries a data-classification label (kubecomply.io/holds-data,
#   data-classification, classification, ... with a value other than public,
#   none or false; the full list is in docs/policies.md) or is listed in
#   data_namespaces in a --data file; other namespaces are not applicable. A
#   Schedule covers a namespace when its spec.template includedNamespaces is
#   absent, empty, or lists "*" or the namespace, and its excludedNamespaces
#   does not list it (exclusion wins); paused schedules (spec.paused: true) do
#   not count. Namespace patterns other than "*" and the template's label
#   selectors are not evaluated: a schedule that names the namespace counts
#   even if a label selector narrows what it copies. Schedules are read from
#   the whole scanned set (usually namespace velero), so scan them together
#   with the namespaces, or scan the cluster.
# custom:
#   id: backup-schedule-coverage
#   severity: medium
#   kinds: [Namespace]
#   reads: [Schedule]
#   population: Namespaces holding data, i.e. labelled with a data classification (such as data-classification=confidential or kubecomply.io/holds-data=true) or listed in data_namespaces in a --data file
#   remediation: >-
#     Add the namespace to the includedNamespaces of an existing Velero Schedule
#     (or remove it from excludedNamespaces), or create a Schedule for it with a
#     retention (ttl) that meets your recovery objectives; test a restore.
#   references:
#     velero: ["https://velero.io/docs/main/api-types/schedule/"]
package kubecomply.platform.backup_schedule_coverage

import rego.v1

import data.kubecomply.lib.data_classification

# In population: the namespace holds data (labels or --data).
applies if data_classification.holds_data(input)

deny contains result if {
	applies
	ns := input.metadata.name
	is_string(ns)
	schedules := [s |
		some namespace_objects in data.inventory.namespace
		some s in namespace_objects["velero.io/v1"].Schedule
	]
	not _covered(schedules, ns)
	why := data_classification.reason(input)
	result := {
		"msg": sprintf("Namespace %q holds data (%s) but no active Velero Schedule includes it (%d schedule(s) found)", [ns, why.text, count(schedules)]),
		"path": why.path,
	}
}

_covered(schedules, ns) if {
	some s in schedules
	spec := s.spec
	is_object(spec)
	not spec.paused == true
	template := object.get(spec, "template", {})
	is_object(template)
	_includes(template, ns)
	not _excludes(template, ns)
}

_includes(template, _) if not template.includedNamespaces

_includes(template, _) if template.includedNamespaces == []

_includes(template, _) if template.includedNamespaces == null

_includes(template, ns) if {
	names := template.includedNamespaces
	is_array(names)
	some name in names
	name in {"*", ns}
}

_excludes(template, ns) if {
	names := template.excludedNamespaces
	is_array(names)
	some name in names
	name in {"*", ns}
}
