"""Who and where ran a scan: user, host, Python, and the CI run when the usual CI variables say so.

An auditor asks who produced a piece of evidence and how to find the run
again.  Only the variables named here are read, never the whole environment:
CI environments hold tokens, and a result must never carry a credential.  URLs
lose any ``user:password@`` part before they are kept.
"""

from __future__ import annotations

import getpass
import os
import platform
import socket
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit, urlunsplit


def _clean_url(url: str | None) -> str | None:
    """The URL without user information (a credential can hide there)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.username is not None or parts.password is not None:
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def _github(env: Mapping[str, str]) -> dict[str, Any]:
    server, repo, run_id, attempt = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID"), env.get("GITHUB_RUN_ATTEMPT")
    url = None
    if server and repo and run_id:
        url = f"{server.rstrip('/')}/{repo}/actions/runs/{run_id}" + (f"/attempts/{attempt}" if attempt else "")
    return {
        "provider": "github-actions", "repository": repo, "run_id": run_id, "run_attempt": attempt,
        "workflow": env.get("GITHUB_WORKFLOW"), "commit": env.get("GITHUB_SHA"), "ref": env.get("GITHUB_REF"), "run_url": url,
    }


def _gitlab(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "provider": "gitlab-ci", "repository": env.get("CI_PROJECT_PATH"), "run_id": env.get("CI_PIPELINE_ID"),
        "job": env.get("CI_JOB_ID"), "commit": env.get("CI_COMMIT_SHA"), "ref": env.get("CI_COMMIT_REF_NAME"), "run_url": env.get("CI_JOB_URL"),
    }


def _jenkins(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "provider": "jenkins", "job": env.get("JOB_NAME"), "run_id": env.get("BUILD_NUMBER"),
        "commit": env.get("GIT_COMMIT"), "run_url": env.get("BUILD_URL"),
    }


def _azure(env: Mapping[str, str]) -> dict[str, Any]:
    collection, project, build = env.get("SYSTEM_COLLECTIONURI"), env.get("SYSTEM_TEAMPROJECT"), env.get("BUILD_BUILDID")
    url = f"{collection.rstrip('/')}/{project}/_build/results?buildId={build}" if collection and project and build else None
    return {
        "provider": "azure-pipelines", "repository": env.get("BUILD_REPOSITORY_NAME"), "run_id": build,
        "workflow": env.get("BUILD_DEFINITIONNAME"), "commit": env.get("BUILD_SOURCEVERSION"), "ref": env.get("BUILD_SOURCEBRANCH"), "run_url": url,
    }


def _circleci(env: Mapping[str, str]) -> dict[str, Any]:
    user, repo = env.get("CIRCLE_PROJECT_USERNAME"), env.get("CIRCLE_PROJECT_REPONAME")
    return {
        "provider": "circleci", "repository": f"{user}/{repo}" if user and repo else repo, "run_id": env.get("CIRCLE_BUILD_NUM"),
        "workflow": env.get("CIRCLE_WORKFLOW_ID"), "commit": env.get("CIRCLE_SHA1"), "ref": env.get("CIRCLE_BRANCH"), "run_url": env.get("CIRCLE_BUILD_URL"),
    }


def _buildkite(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "provider": "buildkite", "repository": env.get("BUILDKITE_PIPELINE_SLUG"), "run_id": env.get("BUILDKITE_BUILD_NUMBER"),
        "job": env.get("BUILDKITE_JOB_ID"), "commit": env.get("BUILDKITE_COMMIT"), "ref": env.get("BUILDKITE_BRANCH"), "run_url": env.get("BUILDKITE_BUILD_URL"),
    }


# (variable that says "this is that CI", what to read); the first that is set wins.
PROVIDERS: tuple[tuple[str, Callable[[Mapping[str, str]], dict[str, Any]]], ...] = (
    ("GITHUB_ACTIONS", _github),
    ("GITLAB_CI", _gitlab),
    ("JENKINS_URL", _jenkins),
    ("TF_BUILD", _azure),
    ("CIRCLECI", _circleci),
    ("BUILDKITE", _buildkite),
)


def ci_run(env: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The CI run this scan belongs to, from the provider's own variables; None outside CI.

    ``CI=true`` alone (set by most providers, and by hand) gives ``{"provider": "unknown"}``.
    """
    env = os.environ if env is None else env
    for marker, read in PROVIDERS:
        if env.get(marker):
            info = read(env)
            info["run_url"] = _clean_url(info.get("run_url"))
            return {k: v for k, v in info.items() if v}
    if env.get("CI", "").lower() in ("true", "1", "yes"):
        return {"provider": "unknown"}
    return None


def _user() -> str:
    """The login name; ``uid N`` where there is none (containers often run as a uid without a passwd entry)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError, ImportError):
        getuid = getattr(os, "getuid", None)
        return f"uid {getuid()}" if getuid else "unknown"


def run_context(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``scan.run``: who ran the scan, where, with which Python, and in which CI run."""
    info: dict[str, Any] = {"user": _user(), "host": socket.gethostname(), "python": platform.python_version()}
    ci = ci_run(env)
    if ci:
        info["ci"] = ci
    return info
