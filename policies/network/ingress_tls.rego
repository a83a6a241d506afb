# METADATA
# title: Ingress without TLS
# description: >-
#   An Ingress without spec.tls is served over plain HTTP, so credentials,
#   session cookies and data cross the network readable and modifiable by
#   anyone on the path. When spec.tls is present, every host named in
#   spec.rules must also be listed in the hosts of a tls entry (a wildcard
#   such as *.example.com covers one label), otherwise that host is still
#   served without the certificate. Rules without a host are not compared.
# custom:
#   id: ingress-tls
#   severity: medium
#   kinds: [Ingress]
#   remediation: >-
#     Add spec.tls with a Secret holding the certificate (for example issued
#     by cert-manager) and list every host of spec.rules in its hosts; have
#     the ingress controller redirect HTTP to HTTPS.
#   references:
#     kubescape: ["C-0263"]
package kubecomply.network.ingress_tls

import rego.v1

import data.kubecomply.lib.kubernetes as k8s

deny contains result if {
	not _nonempty(object.get(input, ["spec", "tls"], null))
	result := {
		"msg": sprintf("Ingress %s has no spec.tls, so it is served over plain HTTP", [k8s.quote(input.metadata.name)]),
		"path": k8s.deepest_existing_path([], input, ["spec"]),
	}
}

deny contains result if {
	tls := input.spec.tls
	_nonempty(tls)
	rules := input.spec.rules
	is_array(rules)
	some i, rule in rules
	host := rule.host
	is_string(host)
	host != ""
	not _covered(tls, host)
	result := {
		"msg": sprintf("Ingress %s: host %s is not listed in any spec.tls hosts, so it is served without TLS", [k8s.quote(input.metadata.name), k8s.quote(host)]),
		"path": ["spec", "rules", i, "host"],
	}
}

_nonempty(x) if {
	is_array(x)
	count(x) > 0
}

_tls_hosts(tls) := {h |
	some entry in tls
	hosts := entry.hosts
	is_array(hosts)
	some h in hosts
	is_string(h)
}

_covered(tls, host) if host in _tls_hosts(tls)

# *.example.com covers a.example.com, not example.com or a.b.example.com.
_covered(tls, host) if {
	some pattern in _tls_hosts(tls)
	startswith(pattern, "*.")
	suffix := substring(pattern, 1, -1)
	endswith(host, suffix)
	label := trim_suffix(host, suffix)
	label != ""
	not contains(label, ".")
}
