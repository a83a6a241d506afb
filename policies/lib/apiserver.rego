# The kube-apiserver containers of a Pod and their command-line flags, for the
# checks in policies/platform/apiserver_*.rego (CIS 1.2.x).
#
# The API server of a kubeadm-style cluster runs as a static Pod; the kubelet
# publishes it as a mirror Pod in kube-system, and its manifest
# (/etc/kubernetes/manifests/kube-apiserver.yaml) can be scanned as a file. A
# container is the API server when its command[0] (or args[0] when there is no
# command) is "kube-apiserver" or a path ending in it, or when it runs
# hyperkube with "kube-apiserver" / "apiserver" as the first argument. An API
# server started by a shell (sh -c "kube-apiserver ...") is not recognised.
#
# One rule, `servers`, computed once per Pod and shared by every apiserver
# check of the group; the rest are functions. Only checks on kind Pod import
# this package.
package kubecomply.lib.apiserver

import rego.v1

# Every kube-apiserver container of the input Pod:
#   container  the container object
#   path       ["spec", "containers", i]
#   flags      flag name (without "--") -> {"value": string, "bare": bool, "path": [...]}
#              for the LAST occurrence of each flag (as kube-apiserver reads
#              them). `--name=value` and `--name value` are both understood
#              (the next element is the value unless it is itself a flag:
#              "--x" or "-v"; "-" and "-1" are values); a flag given alone has
#              value "" and bare true (a boolean flag given alone is true).
servers contains server if {
	containers := input.spec.containers
	is_array(containers)
	some i, c in containers
	_candidate(c)
	path := ["spec", "containers", i]
	argv := _argv(c, path)
	_is_apiserver(argv)
	server := {"container": c, "path": path, "flags": _flags(argv)}
}

# Cheap pre-filters on direct field access (every container of every Pod
# passes here): the first element of command, or of args without a command,
# names kube-apiserver or hyperkube. _is_apiserver then decides.
_candidate(c) if {
	first := c.command[0]
	is_string(first)
	regex.match(`(kube-apiserver|hyperkube)$`, first)
}

_candidate(c) if {
	not c.command[0]
	first := c.args[0]
	is_string(first)
	regex.match(`(kube-apiserver|hyperkube)$`, first)
}

# command followed by args, each element with its path; non-strings are kept
# (with s = null) so that indexes stay right.
_argv(c, path) := array.concat(_elements(c, path, "command"), _elements(c, path, "args"))

_elements(c, path, field) := [{"s": _string_or_null(s), "path": array.concat(path, [field, j])} |
	some j, s in c[field]
] if {
	is_array(c[field])
} else := []

_string_or_null(s) := s if {
	is_string(s)
} else := null

_is_apiserver(argv) if {
	first := argv[0].s
	is_string(first)
	endswith(first, "kube-apiserver")
}

_is_apiserver(argv) if {
	first := argv[0].s
	is_string(first)
	endswith(first, "hyperkube")
	argv[1].s in {"kube-apiserver", "apiserver"}
}

# Flags parsed from argv: one entry per "--" element.
_parsed(argv) := [entry |
	some k, e in argv
	is_string(e.s)
	startswith(e.s, "--")
	entry := _parse(argv, k, e)
]

_parse(argv, k, e) := {"k": k, "name": substring(e.s, 2, i - 2), "value": substring(e.s, i + 1, -1), "bare": false, "path": e.path} if {
	i := indexof(e.s, "=")
	i > 2
} else := {"k": k, "name": substring(e.s, 2, -1), "value": next, "bare": false, "path": e.path} if {
	next := argv[k + 1].s
	is_string(next)
	not regex.match(`^-(-|[A-Za-z])`, next)
} else := {"k": k, "name": substring(e.s, 2, -1), "value": "", "bare": true, "path": e.path}

_flags(argv) := {name: {"value": entry.value, "bare": entry.bare, "path": entry.path} |
	parsed := _parsed(argv)
	some entry in parsed
	name := entry.name
	entry.k == max({other.k | some other in parsed; other.name == name})
}

# The value of a boolean flag: "--x" alone is true, "--x=false" / "--x false" false.
bool_value(flag) := "true" if {
	flag.bare
} else := lower(flag.value)

# A readable container name for messages.
label(server) := sprintf("kube-apiserver container %q", [server.container.name]) if {
	is_string(server.container.name)
} else := "kube-apiserver container"

# The set of authorizers named by an --authorization-mode value ("Node, RBAC"
# -> {"Node", "RBAC"}), shared by the three apiserver-authorization-* checks so
# they agree on what the flag means.
authorization_modes(value) := {trim_space(m) | some m in split(value, ",")}
