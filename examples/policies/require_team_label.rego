# METADATA
# title: Workloads carry a team label
# description: >-
#   Every workload must say which team owns it, so that a finding reaches the
#   people who can fix it. This is an example of an organisation's own check.
# custom:
#   id: require-team-label
#   severity: low
#   kinds: [Deployment, StatefulSet, DaemonSet, CronJob]
#   remediation: >-
#     Add metadata.labels.team with the owning team's name.
#   references:
#     internal: ["ENG-STD-7"]
package example.ownership.require_team_label

deny contains result if {
	not input.metadata.labels.team
	result := {
		"msg": sprintf("%s %q has no 'team' label", [input.kind, input.metadata.name]),
		"path": ["metadata"],
	}
}
