package example.ownership.require_team_label_test

import data.example.ownership.require_team_label

test_labelled_workload_passes if {
	count(require_team_label.deny) == 0 with input as {
		"kind": "Deployment",
		"metadata": {"name": "web", "labels": {"team": "storefront"}},
	}
}

test_unlabelled_workload_fails if {
	some result in require_team_label.deny with input as {"kind": "Deployment", "metadata": {"name": "web"}}
	result.path == ["metadata"]
	contains(result.msg, "web")
}
