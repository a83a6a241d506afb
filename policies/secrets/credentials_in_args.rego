# METADATA
# title: Literal credentials in container command or arguments
# description: >-
#   A container's command or args carry a literal credential: an element looks
#   like a private key or an access token (PEM private key block, AWS access key
#   id, GitHub, Slack or Google API token, JSON Web Token), or passes a
#   credential-named flag (--password, --db-password, --api-key, --token,
#   --client-secret...) a literal value, as `--flag=VALUE`, as `--flag VALUE`
#   inside one element (a shell command line) or as `--flag` followed by the
#   value in the next element. Command lines are visible to anyone who can read
#   the manifest, and on the node to every process that can list processes.
#   References ($(VAR), ${VAR}, $VAR), placeholders, booleans, integers, file
#   paths and flags that name a file or a location (--token-auth-file,
#   --service-account-private-key-file, --secret-name...) are not reported.
#   Findings name the element (command[i] / args[i]), the flag and the kind of
#   credential, never the value.
# custom:
#   id: credentials-in-args
#   severity: high
#   kinds: [workloads]
#   remediation: >-
#     Pass the credential through a file mounted from a Secret (most tools accept
#     --password-file, --token-file or a config file), or through an environment
#     variable set with valueFrom.secretKeyRef and referenced as $(VAR); then
#     rotate the credential, since it has been exposed.
#   references:
#     kubescape: ["C-0012"]
package kubecomply.secrets.credentials_in_args

import rego.v1

import data.kubecomply.lib.kubernetes as k8s
import data.kubecomply.lib.secrets
import data.kubecomply.lib.workloads.containers

# Hot path: one rule, and one inline regex per command/args element, selects
# the few elements worth a closer look (a token, a credential-named flag with a
# value, or a bare credential-named flag); _finding then classifies them. Each
# rule costs something on every workload in regorus, so there is only one. The
# token part of the pattern is the union of secrets.token_kinds.
deny contains result if {
	some c in containers
	some field in ["command", "args"]
	list := c.container[field]
	is_array(list)
	some i, s in list
	is_string(s)
	regex.match(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\b(AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36,}|\bgithub_pat_[A-Za-z0-9_]{22,}|\bxox[baprs]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}|\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.|(?i:\bbearer)\s+[A-Za-z0-9._~+/-]{16,}|(?i:(^|\s)--?[A-Za-z0-9_.-]*(passw(or)?d|token|secret|api[_.-]?key|access[_.-]?key|private[_.-]?key)[A-Za-z0-9_.-]*(=|\s+)\S|^--?[A-Za-z0-9_.-]*(passw(or)?d|token|secret|api[_.-]?key|access[_.-]?key|private[_.-]?key)[A-Za-z0-9_.-]*$)`, s)
	finding := _finding(list, i, s, field)
	result := {
		"msg": sprintf("%s %s", [k8s.container_label(c), finding[1]]),
		"path": array.concat(c.path, [field, finding[0]]),
	}
}

# [index, text] for an element the pre-filter selected, undefined when a
# closer look clears it:
#   - the element contains a key or a token;
#   - it passes a literal to credential-named flags (--flag=VALUE, or
#     --flag VALUE inside one element such as a shell command line);
#   - it is a bare credential-named flag and the next element is its literal
#     value (the finding points at that next element).
_finding(list, i, s, field) := [i, sprintf("has %s in %s[%d]", [secrets.describe_kinds(kinds), field, i])] if {
	kinds := secrets.token_kinds(s)
	count(kinds) > 0
} else := [i, sprintf("passes a literal value to %s in %s[%d]", [concat(", ", sort(flags)), field, i])] if {
	flags := {flag |
		some m in regex.find_all_string_submatch_n(`(?i)(?:^|\s)(--?[A-Za-z0-9_.-]*(?:passw(?:or)?d|token|secret|api[_.-]?key|access[_.-]?key|private[_.-]?key)[A-Za-z0-9_.-]*)(?:=|\s+)(\S+)`, s, -1)
		flag := m[1]
		value := trim(m[2], `"'`)
		not startswith(value, "-")
		not secrets.names_a_reference(flag)
		secrets.literal(value)
	}
	count(flags) > 0
} else := [i + 1, sprintf("passes a literal value to %s in %s[%d]", [s, field, i + 1])] if {
	regex.match(`^--?[A-Za-z0-9_.-]+$`, s)
	value := list[i + 1]
	is_string(value)
	not startswith(value, "-")
	not secrets.names_a_reference(s)
	secrets.literal(value)
	count(secrets.token_kinds(value)) == 0
}
