# Which namespaces hold data: the population of the checks about data
# protection (backups today). A namespace holds data when
#   - it carries a data-classification label whose value does not say
#     "nothing to protect", or
#   - the user lists it in data.kubecomply.config.data_namespaces (--data), by
#     name or by a glob such as "team-*-db".
# The label keys and values recognised are documented in docs/policies.md
# ("Namespaces holding data"); keep the two in step.
#
# Recognised label keys: the key's name (after an optional "prefix/") is
# data-classification, data.classification, dataclassification or
# data_classification, with any prefix or none (acme.com/data-classification,
# kubecomply.io/data-classification); the bare key "classification"; and our
# own kubecomply.io/holds-data. Any value other than an empty one or (case
# and surrounding spaces ignored) "public", "none" or "false" means the
# namespace holds data; an unquoted YAML true or number counts, false, null,
# a list or a mapping does not.
#
# Functions only, on purpose: regorus evaluates every rule of a package
# whenever one is referenced, so a value rule here would be paid for by every
# check that imports it, on every resource.
package kubecomply.lib.data_classification

import rego.v1

# The namespace object (input of a Namespace check) holds data.
holds_data(namespace) if count(labels_holding_data(namespace)) > 0

holds_data(namespace) if listed(namespace)

# The recognised classification label keys of the namespace whose value says
# it holds data (a set of keys; empty when there is none).
labels_holding_data(namespace) := {key |
	labels := namespace.metadata.labels
	is_object(labels)
	some key, value in labels
	is_string(key)
	classification_key(key)
	data_value(value)
}

# A label key recognised as a data classification.
classification_key(key) if key == "kubecomply.io/holds-data"

classification_key(key) if key == "classification"

classification_key(key) if {
	parts := split(key, "/")
	parts[count(parts) - 1] in {"data-classification", "data.classification", "dataclassification", "data_classification"}
}

# A label value that says the data must be protected.
data_value(value) if value == true

# An unquoted number in a manifest (classification: 3) is a level, not "none".
data_value(value) if is_number(value)

data_value(value) if {
	is_string(value)
	not lower(trim_space(value)) in {"", "public", "none", "false"}
}

# The namespace is listed in data.kubecomply.config.data_namespaces (a list of
# names or globs, or one string). A missing key, or no --data at all, means
# "not configured", never an error: the labels still decide. (Never read
# `data` as a whole here: the engine would then hand every check that imports
# this library the whole scanned set. Nor write the name of that document in
# a library: the OPA server engine uploads it whenever a loaded module's text
# mentions it.)
listed(namespace) if {
	name := namespace.metadata.name
	is_string(name)
	some pattern in _patterns(object.get(data.kubecomply.config, "data_namespaces", []))
	_name_matches(pattern, name)
}

_patterns(value) := [value] if {
	is_string(value)
} else := [p | some p in value; is_string(p)] if {
	is_array(value)
} else := []

_name_matches(pattern, name) if pattern == name

# Globs use "*" (any run of characters) and "?" (one character) over the
# characters of a namespace name. Anything else is compared literally above:
# glob.match raises an error on a malformed pattern, which would stop the
# check for every namespace.
_name_matches(pattern, name) if {
	regex.match(`^[a-z0-9.*?-]*[*?][a-z0-9.*?-]*$`, pattern)
	glob.match(pattern, null, name)
}

# Why the namespace is in the population, for messages:
#   {"text": "labelled data-classification=cardholder", "path": [...]} or
#   {"text": "listed in data_namespaces (--data)", "path": ["metadata", "name"]}.
# A label wins over the --data list (its path points at the evidence in the
# manifest); among labels, the first key in sorted order.
reason(namespace) := {"text": sprintf("labelled %s=%s", [key, _show(value)]), "path": ["metadata", "labels", key]} if {
	keys := sort(labels_holding_data(namespace))
	count(keys) > 0
	key := keys[0]
	value := namespace.metadata.labels[key]
} else := {"text": "listed in data_namespaces (--data)", "path": ["metadata", "name"]} if {
	listed(namespace)
}

_show(value) := value if {
	is_string(value)
} else := json.marshal(value)
