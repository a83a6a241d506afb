package kubecomply.network.ingress_tls_test

import rego.v1

import data.kubecomply.network.ingress_tls as check

_ing(spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "shop"}, "spec": spec}

_rule(host) := {"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}

test_pass_tls_covers_hosts if {
	count(check.deny) == 0 with input as _ing({"tls": [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}], "rules": [_rule("shop.example.com")]})
}

test_fail_no_tls if {
	results := check.deny with input as _ing({"rules": [_rule("shop.example.com")]})
	count(results) == 1
	some r in results
	r.path == ["spec"]
	r.msg == `Ingress "shop" has no spec.tls, so it is served over plain HTTP`
	count(check.deny) == 1 with input as _ing({"tls": [], "rules": [_rule("shop.example.com")]})
	count(check.deny) == 1 with input as _ing({"tls": null})
}

test_fail_no_spec if {
	some r in check.deny with input as {"kind": "Ingress", "metadata": {"name": "x"}}
	r.path == []
}

test_fail_host_not_covered if {
	results := check.deny with input as _ing({"tls": [{"hosts": ["shop.example.com"], "secretName": "s"}], "rules": [_rule("shop.example.com"), _rule("admin.example.com")]})
	count(results) == 1
	some r in results
	r.path == ["spec", "rules", 1, "host"]
	contains(r.msg, `host "admin.example.com"`)
}

test_wildcard_covers_one_label if {
	tls := [{"hosts": ["*.example.com"], "secretName": "wild"}]
	count(check.deny) == 0 with input as _ing({"tls": tls, "rules": [_rule("shop.example.com"), _rule("*.example.com")]})
	count(check.deny) == 1 with input as _ing({"tls": tls, "rules": [_rule("a.b.example.com")]})
	count(check.deny) == 1 with input as _ing({"tls": tls, "rules": [_rule("example.com")]})
	count(check.deny) == 1 with input as _ing({"tls": tls, "rules": [_rule("shopexample.com")]})
}

# Rules without a host, and tls entries without hosts, are not compared.
test_rules_without_host if {
	count(check.deny) == 0 with input as _ing({"tls": [{"secretName": "default"}], "rules": [{"http": {}}, _rule(""), _rule(null)]})
	count(check.deny) == 1 with input as _ing({"tls": [{"secretName": "default"}], "rules": [_rule("shop.example.com")]})
	count(check.deny) == 0 with input as _ing({"tls": [{"hosts": "x"}, "y"], "rules": "z"})
}
